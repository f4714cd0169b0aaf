"""Defences of the public web form against automated submissions.

- A honeypot: a field people never see (hidden by CSS, out of the tab order) and bots fill.
- A signed timestamp (``stamp``) given with the page: a submission sooner than the form's
  ``min_fill_seconds`` after it, with a forged stamp, a stamp for another form or one older
  than ``STAMP_MAX_AGE`` is refused.
- A rate limit per email address and per network (/24 for IPv4, /64 for IPv6), counted in the
  cache (shared by every process with Redis), ``ATIENDE_FORM_RATE`` submissions per window.

Each refusal is quiet: the visitor reads one generic message that says nothing of the reason.
"""

from __future__ import annotations

import hashlib
import ipaddress
import time
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.utils.translation import gettext_lazy as _

from atiende.core.errors import AtiendeError

SALT = "atiende.intake.stamp"
STAMP_MAX_AGE = 24 * 3600
HONEYPOT = "website"  # the honeypot's name: plausible to a bot, never shown to a person
DEFAULT_RATE = {"per_address": 5, "per_network": 30, "window_seconds": 3600}


class Refused(AtiendeError):
    """A submission that looks automated; the message never says why."""

    code = "refused"
    status = 400
    title = _("We could not accept this submission. Please reload the page and try again.")


class TooMany(AtiendeError):
    code = "too_many_requests"
    status = 429
    title = _("Too many requests have been sent from here. Please try again later.")


@dataclass(frozen=True)
class Guard:
    """What the page carried besides the form's fields, and where the request came from."""

    stamp: str
    honeypot: str
    remote_addr: str


def make_stamp(form_id: int) -> str:
    """The signed moment the form was handed out, for this form only."""
    return signing.dumps({"f": form_id, "t": time.time()}, salt=SALT, compress=False)


def check_stamp(form_id: int, stamp: str, *, min_seconds: int) -> None:
    try:
        data = signing.loads(stamp, salt=SALT, max_age=STAMP_MAX_AGE)
    except signing.BadSignature:  # forged, altered or expired
        raise Refused() from None
    if not isinstance(data, dict) or data.get("f") != form_id:
        raise Refused()
    issued = data.get("t")
    if not isinstance(issued, int | float) or time.time() - issued < min_seconds:
        raise Refused()


def check_honeypot(value: str) -> None:
    if value.strip():
        raise Refused()


def network_of(address: str) -> str:
    """The /24 (IPv4) or /64 (IPv6) network of ``address``; the address itself when unparsable."""
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return address.strip()[:64]
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    prefix = 24 if ip.version == 4 else 64
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))


def _rate() -> dict[str, int]:
    return {**DEFAULT_RATE, **getattr(settings, "ATIENDE_FORM_RATE", {})}


def _keys(email: str, remote_addr: str) -> list[tuple[str, int]]:
    rate = _rate()
    window = int(time.time()) // rate["window_seconds"]
    digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]
    network = hashlib.sha256(network_of(remote_addr).encode()).hexdigest()[:32]
    keys = [(f"intake:rate:net:{window}:{network}", rate["per_network"])]
    if email.strip():
        keys.append((f"intake:rate:addr:{window}:{digest}", rate["per_address"]))
    return keys


def check_rate(email: str, remote_addr: str) -> None:
    """Refuse when the address or the network has used its budget in this window."""
    counts = cache.get_many([key for key, _limit in _keys(email, remote_addr)])
    for key, limit in _keys(email, remote_addr):
        if counts.get(key, 0) >= limit:
            raise TooMany()


def count_submission(email: str, remote_addr: str) -> None:
    """Spend one submission of the address's and the network's budgets."""
    timeout = _rate()["window_seconds"] * 2
    for key, _limit in _keys(email, remote_addr):
        if cache.add(key, 1, timeout=timeout):
            continue
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, timeout=timeout)
