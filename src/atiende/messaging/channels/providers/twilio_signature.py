"""Twilio's request signature (``X-Twilio-Signature``), shared by its SMS and voice webhooks.

Twilio's documented algorithm ("Validating requests", twilio.com/docs/usage/security): take
the full URL Twilio called (scheme, host, path, query), append every POST parameter sorted by
name as name + value with no separators, HMAC-SHA1 that with the account's auth token, and
base64 the digest. A GET request's parameters are in its URL, so it signs the URL alone.
Twilio's own helper libraries also accept the URL without its port, or with the scheme's
default port added (a proxy may have changed it), and so does ``signature_matches``.

``verify_request`` is the check both Twilio adapters (``twilio.TwilioSms``,
``phone.TwilioVoice``) make, with the account's ``auth_token`` secret.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterable, Mapping
from urllib.parse import urlsplit, urlunsplit

from django.utils.translation import gettext as _

from atiende.messaging.channels.contract import (
    AccountConfig,
    Incoming,
    PayloadError,
    SignatureError,
)
from atiende.messaging.channels.providers.payload import form_pairs

SIGNATURE_HEADER = "x-twilio-signature"

_DEFAULT_PORTS = {"https": 443, "http": 80}


def twilio_signature(
    auth_token: str, url: str, params: Mapping[str, str] | Iterable[tuple[str, str]]
) -> str:
    """The base64 HMAC-SHA1 Twilio sends for a request to ``url`` with POST ``params``
    (repeated names sort by value, as Twilio's helpers do)."""
    pairs = params.items() if isinstance(params, Mapping) else params
    signed = url + "".join(name + value for name, value in sorted(pairs))
    digest = hmac.new(auth_token.encode(), signed.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def url_variants(url: str) -> tuple[str, ...]:
    """``url`` as given, and without its port (or with the scheme's default one when it has
    none), as Twilio's helper libraries try."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return (url,)
    default = _DEFAULT_PORTS.get(parts.scheme.lower())
    if default is None or not parts.hostname:
        return (url,)
    host = parts.netloc.rpartition("@")[2]
    userinfo = parts.netloc[: len(parts.netloc) - len(host)]
    bare = host.rsplit(":", 1)[0] if port is not None else host
    if port is None:
        return (url, urlunsplit(parts._replace(netloc=f"{userinfo}{bare}:{default}")))
    return (url, urlunsplit(parts._replace(netloc=f"{userinfo}{bare}")))


def signature_matches(
    auth_token: str,
    url: str,
    params: Mapping[str, str] | Iterable[tuple[str, str]],
    signature: str,
) -> bool:
    """Whether ``signature`` is Twilio's for this request (constant-time comparison)."""
    if not auth_token or not signature:
        return False
    pairs = list(params.items() if isinstance(params, Mapping) else params)
    presented = signature.strip().encode()
    return any(
        hmac.compare_digest(twilio_signature(auth_token, variant, pairs).encode(), presented)
        for variant in url_variants(url)
    )


def request_params(incoming: Incoming) -> list[tuple[str, str]]:
    """What Twilio sent: a GET's parameters are in its URL's query (and signed with the URL);
    any other request's are its form body, in order, repeats kept."""
    if incoming.method.upper() == "GET":
        return list(incoming.query.items())
    return form_pairs(incoming.body)


def verify_request(config: AccountConfig, incoming: Incoming) -> None:
    """Raise ``SignatureError`` unless ``X-Twilio-Signature`` is Twilio's for this request,
    signed with the account's ``auth_token``."""
    token = config.secrets.get("auth_token", "")
    given = incoming.header(SIGNATURE_HEADER)
    if not token:
        raise SignatureError(_("The Twilio account has no auth token."))
    if not given:
        raise SignatureError(
            _("The request has no %(header)s header.") % {"header": "X-Twilio-Signature"}
        )
    try:
        params = [] if incoming.method.upper() == "GET" else request_params(incoming)
    except PayloadError:
        raise SignatureError(_("The request's body cannot be what Twilio signed.")) from None
    if not signature_matches(token, incoming.url, params, given):
        raise SignatureError(_("The Twilio signature does not match."))
