"""Signed survey links: one click from the mail records a rating, no sign-in needed.

A link carries ``signing.dumps({"r": request id, "t": ticket id, "e": episode, "k": token})``
with a salt of its own. Django's signature stops a tampered link (``BadLink``); the request it
names must then hold the same ticket, episode and secret token (``LinkNotFound`` otherwise),
so a link can rate only the ticket and resolution it was made for.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.urls import reverse

SALT = "atiende.surveys.link"


@dataclass(frozen=True)
class LinkClaim:
    request_id: int
    ticket_id: int | None
    episode: int
    token: str


class BadLink(Exception):
    """The link was changed or cut: its signature does not hold."""


def new_token() -> str:
    return secrets.token_urlsafe(24)


def sign(claim: LinkClaim) -> str:
    return signing.dumps(
        {"r": claim.request_id, "t": claim.ticket_id, "e": claim.episode, "k": claim.token},
        salt=SALT,
        compress=True,
    )


def read(signed: str) -> LinkClaim:
    """The claim of a signed link; ``BadLink`` when it was tampered with."""
    try:
        data = signing.loads(signed, salt=SALT)
    except signing.BadSignature as error:
        raise BadLink() from error
    if not isinstance(data, dict):
        raise BadLink()
    request_id, ticket_id, episode, token = (
        data.get("r"),
        data.get("t"),
        data.get("e"),
        data.get("k"),
    )
    if not isinstance(request_id, int) or not isinstance(episode, int):
        raise BadLink()
    if ticket_id is not None and not isinstance(ticket_id, int):
        raise BadLink()
    if not isinstance(token, str):
        raise BadLink()
    return LinkClaim(request_id, ticket_id, episode, token)


def site_url() -> str:
    """Where customers reach this helpdesk (``ATIENDE_SITE_URL``), without a trailing slash."""
    return str(getattr(settings, "ATIENDE_SITE_URL", "http://127.0.0.1:8000")).rstrip("/")


def rate_url(signed: str, value: str) -> str:
    return site_url() + reverse("survey-rate", args=[signed, value])


def opt_out_url(signed: str) -> str:
    return site_url() + reverse("survey-opt-out", args=[signed])
