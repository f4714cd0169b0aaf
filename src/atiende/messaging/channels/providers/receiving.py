"""The shared-token check of the receive-only channels (monitoring alerts, phone/CTI).

Monitors and PBXs cannot sign as Meta or Twilio do, so our documented recipes prove they know
the account's ``token`` secret in one of three ways: a bearer token, HTTP Basic with the token
as password, or an HMAC of the body (``X-Atiende-Signature``). ``verify_shared_token`` checks
them; ``body_hmac`` is what a script signs with.

``Receiver`` (the reading half of ``contract.Adapter``) lives in ``contract``; it is
re-exported here for the code that imported it from this module.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re

from django.utils.translation import gettext as _

from atiende.messaging.channels.contract import AccountConfig, Incoming, SignatureError
from atiende.messaging.channels.contract import Receiver as Receiver

__all__ = ["SIGNATURE_HEADER", "Receiver", "body_hmac", "verify_shared_token"]

SIGNATURE_HEADER = "x-atiende-signature"
SIGNATURE_PREFIX = "sha256="
_HEX_SHA256 = re.compile(r"[0-9a-fA-F]{64}")

# --- the shared token ------------------------------------------------------------------------


def verify_shared_token(config: AccountConfig, incoming: Incoming) -> None:
    """Accept ``Authorization: Bearer <token>``, HTTP Basic with the token as password, or
    ``X-Atiende-Signature: sha256=<hex HMAC-SHA256 of the body>``.

    Monitors and PBXs differ in what they can send: Alertmanager's ``http_config`` sets a
    bearer token, a URL with ``user:token@`` gives Basic from any libcurl, a script can sign.
    Every credential present must be right, and one must be present; comparisons are
    constant-time. An account without a token accepts nothing.
    """
    token = config.secrets.get("token", "").encode()
    if not token:
        raise SignatureError(_("The account has no token to check the request with."))
    presented = False
    authorization = incoming.header("authorization").strip()
    if authorization:
        presented = True
        if not hmac.compare_digest(_authorization_secret(authorization), token):
            raise SignatureError(_("The request's Authorization header has the wrong token."))
    signature = incoming.header(SIGNATURE_HEADER).strip()
    if signature:
        presented = True
        if not hmac.compare_digest(_signature_digest(signature), body_hmac(token, incoming.body)):
            raise SignatureError(_("The request's signature does not match its body."))
    if not presented:
        raise SignatureError(_("The request carries no token and no signature."))


def body_hmac(token: bytes, body: bytes) -> bytes:
    """The lower-case hex HMAC-SHA256 of ``body``: what ``X-Atiende-Signature`` must carry."""
    return hmac.new(token, body, hashlib.sha256).hexdigest().encode()


def _authorization_secret(value: str) -> bytes:
    scheme, _sep, credentials = value.partition(" ")
    credentials = credentials.strip()
    if scheme.lower() == "bearer" and credentials:
        return credentials.encode()
    if scheme.lower() == "basic" and credentials:
        try:
            decoded = base64.b64decode(credentials, validate=True)
        except (binascii.Error, ValueError):
            raise SignatureError(_("The Basic credentials are not base64.")) from None
        _user, colon, password = decoded.partition(b":")
        if colon:
            return password
    raise SignatureError(_("The Authorization header is neither Bearer nor Basic."))


def _signature_digest(value: str) -> bytes:
    if not value.lower().startswith(SIGNATURE_PREFIX):
        raise SignatureError(_("The signature does not start with “sha256=”."))
    digest = value[len(SIGNATURE_PREFIX) :]
    if not _HEX_SHA256.fullmatch(digest):
        raise SignatureError(_("The signature is not 64 hexadecimal digits."))
    return digest.lower().encode()
