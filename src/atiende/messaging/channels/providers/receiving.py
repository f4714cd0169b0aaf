"""What the receive-only channels (monitoring alerts, phone/CTI) share.

They read webhooks and never send, so they implement ``Receiver``: the reading half of
``contract.Adapter``. Also here: the shared-token check our documented recipes use (bearer,
Basic or an HMAC of the body), and strict field readers that turn anything unexpected into a
``PayloadError`` naming the field — so a hostile body is quarantined, never half-read, and
never raises anything else.

Limits (each a ``PayloadError``, never a clipped identifier):

* a body over ``MAX_BODY_BYTES`` (1 MiB);
* an identifier (alert key, call id, host, trigger id) over ``MAX_ID_LENGTH`` (255 characters,
  a ``varchar(255)`` column);
* more than ``MAX_LABELS`` labels, or a label value over ``MAX_LABEL_LENGTH``.

Descriptive text is clipped instead (``MAX_TITLE_LENGTH``, ``MAX_TEXT_LENGTH``): a long
description is no reason to lose an alert.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import math
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Protocol
from urllib.parse import parse_qsl

from django.utils.translation import gettext as _

from atiende.messaging.channels.contract import (
    AccountConfig,
    Event,
    Incoming,
    PayloadError,
    SignatureError,
)

MAX_BODY_BYTES = 1024 * 1024
MAX_ID_LENGTH = 255
MAX_TITLE_LENGTH = 255
MAX_TEXT_LENGTH = 20_000
MAX_LABELS = 128
MAX_LABEL_LENGTH = 2_048
MAX_FORM_FIELDS = 500

SIGNATURE_HEADER = "x-atiende-signature"
SIGNATURE_PREFIX = "sha256="
_HEX_SHA256 = re.compile(r"[0-9a-fA-F]{64}")

type Fields = Mapping[str, object]


class Receiver(Protocol):
    """The pure half of a receive-only provider: check a webhook, read it into events."""

    provider: str  # "alertmanager", "zabbix", "nagios", "generic_alert", "twilio_voice", ...
    channel: str  # tickets.Channel value: "alert" or "phone"

    def verify(self, config: AccountConfig, incoming: Incoming) -> None:
        """Raise ``SignatureError`` unless the sender proved it knows the account's secret."""

    def read(self, config: AccountConfig, incoming: Incoming) -> list[Event]:
        """The events in a verified payload; ``PayloadError`` when it is not the documented one."""


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


# --- bodies ----------------------------------------------------------------------------------


def body_text(incoming: Incoming) -> str:
    """The body as UTF-8 text, within ``MAX_BODY_BYTES``."""
    if len(incoming.body) > MAX_BODY_BYTES:
        raise PayloadError(
            _("The body is larger than %(limit)d bytes.") % {"limit": MAX_BODY_BYTES},
            field="body",
        )
    try:
        return incoming.body.decode("utf-8")
    except UnicodeDecodeError:
        raise PayloadError(_("The body is not UTF-8 text."), field="body") from None


def _no_constants(name: str) -> object:
    raise ValueError(name)


def body_json(incoming: Incoming) -> object:
    """The body's JSON value (NaN and Infinity refused, as JSON itself does)."""
    text = body_text(incoming)
    try:
        return json.loads(text, parse_constant=_no_constants)
    except (ValueError, RecursionError):
        raise PayloadError(_("The body is not JSON."), field="body") from None


def json_object(incoming: Incoming) -> Fields:
    """The body's JSON object."""
    data = body_json(incoming)
    if not isinstance(data, dict):
        raise PayloadError(_("The body is not a JSON object."), field="body")
    return data


def form_pairs(incoming: Incoming) -> list[tuple[str, str]]:
    """The body's ``application/x-www-form-urlencoded`` pairs, in order, repeats kept (a
    signature covers them all)."""
    text = body_text(incoming)
    try:
        return parse_qsl(
            text,
            keep_blank_values=True,
            encoding="utf-8",
            errors="strict",
            max_num_fields=MAX_FORM_FIELDS,
        )
    except ValueError:
        raise PayloadError(_("The body is not a readable form."), field="body") from None


def form_fields(incoming: Incoming) -> dict[str, str]:
    """The body's form fields; the first value of a repeated name."""
    fields: dict[str, str] = {}
    for name, value in form_pairs(incoming):
        fields.setdefault(name, value)
    return fields


def json_or_form(incoming: Incoming) -> Fields:
    """A JSON object or form fields, as the Content-Type says (or the first byte, when it is
    absent): shell ``curl`` and PBX dialplans post forms more easily than JSON."""
    content_type = incoming.header("content-type").split(";")[0].strip().lower()
    if content_type == "application/json" or content_type.endswith("+json"):
        return json_object(incoming)
    if content_type == "application/x-www-form-urlencoded":
        return form_fields(incoming)
    if incoming.body.lstrip()[:1] == b"{":
        return json_object(incoming)
    return form_fields(incoming)


# --- fields ----------------------------------------------------------------------------------


def string(
    data: Fields,
    name: str,
    *,
    field: str = "",
    required: bool = False,
    max_length: int = 0,
    clip_to: int = 0,
    numbers: bool = False,
) -> str:
    """``data[name]`` as text: ``""`` when absent or null (unless ``required``).

    ``max_length`` refuses longer values (identifiers); ``clip_to`` shortens them (prose);
    ``numbers`` accepts a JSON integer too, for ids some senders write unquoted.
    """
    where = field or name
    value = data.get(name)
    if value is None:
        value = ""
    if numbers and isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise PayloadError(_("“%(field)s” is not text.") % {"field": where}, field=where)
    value = value.strip()
    if required and not value:
        raise PayloadError(_("“%(field)s” is missing or empty.") % {"field": where}, field=where)
    if max_length and len(value) > max_length:
        raise PayloadError(
            _("“%(field)s” is longer than %(limit)d characters.")
            % {"field": where, "limit": max_length},
            field=where,
        )
    if clip_to:
        value = clip(value, clip_to)
    return value


def identifier(data: Fields, name: str, *, field: str = "", required: bool = True) -> str:
    """A required id (call id, trigger id, host): text or integer, at most ``MAX_ID_LENGTH``."""
    return string(
        data, name, field=field, required=required, max_length=MAX_ID_LENGTH, numbers=True
    )


def integer(data: Fields, name: str, *, field: str = "", maximum: int) -> int:
    """A count or a duration: a JSON integer or a decimal string from 0 to ``maximum``;
    ``0`` when absent or empty."""
    where = field or name
    value = data.get(name)
    if value is None or value == "":
        return 0
    number: int | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, float) and math.isfinite(value) and value.is_integer():
        number = int(value)
    elif isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        number = int(value.strip()) if len(value.strip()) <= 18 else None
    if number is None or not 0 <= number <= maximum:
        raise PayloadError(
            _("“%(field)s” is not a whole number from 0 to %(limit)d.")
            % {"field": where, "limit": maximum},
            field=where,
        )
    return number


def mapping(data: Fields, name: str, *, field: str = "") -> Fields:
    """A nested JSON object; empty when absent or null."""
    where = field or name
    value = data.get(name)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise PayloadError(_("“%(field)s” is not an object.") % {"field": where}, field=where)
    return value


def labels(data: Fields, name: str, *, field: str = "", prose: bool = False) -> dict[str, str]:
    """A flat object of text values (Prometheus labels, our generic ``labels``); a number
    or boolean value is written as JSON writes it, a list or object is refused. ``prose``
    values (Alertmanager's annotations) are clipped where label values are refused."""
    where = field or name
    values = mapping(data, name, field=where)
    if len(values) > MAX_LABELS:
        raise PayloadError(
            _("“%(field)s” has more than %(limit)d entries.")
            % {"field": where, "limit": MAX_LABELS},
            field=where,
        )
    result: dict[str, str] = {}
    for key, value in values.items():
        inner = f"{where}.{clip(key, 64)}"
        if isinstance(value, bool | int | float) or value is None:
            value = json.dumps(value)
        if not isinstance(value, str):
            raise PayloadError(_("“%(field)s” is not text.") % {"field": inner}, field=inner)
        if prose:
            value = clip(value, MAX_TEXT_LENGTH)
        if len(key) > MAX_LABEL_LENGTH or (len(value) > MAX_LABEL_LENGTH and not prose):
            raise PayloadError(
                _("“%(field)s” is longer than %(limit)d characters.")
                % {"field": inner, "limit": MAX_LABEL_LENGTH},
                field=inner,
            )
        result[key] = value
    return result


def timestamp(value: object, *, field: str) -> datetime | None:
    """An ISO 8601 / RFC 3339 time (``Z``, nanoseconds and all) or Unix seconds, made aware
    (UTC when it names no zone). ``None`` for absent, empty or Go's zero time
    (``0001-01-01T00:00:00Z``, Alertmanager's "not ended")."""
    if value is None or value == "":
        return None
    try:
        if isinstance(value, int | float) and not isinstance(value, bool):
            moment = datetime.fromtimestamp(value, tz=UTC)
        elif isinstance(value, str) and value.strip().isdigit() and len(value.strip()) <= 12:
            moment = datetime.fromtimestamp(int(value.strip()), tz=UTC)
        elif isinstance(value, str):
            moment = datetime.fromisoformat(value.strip())
        else:
            raise TypeError(field)
    except (ValueError, TypeError, OverflowError, OSError):
        raise PayloadError(
            _("“%(field)s” is not a date and time.") % {"field": field}, field=field
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    if moment.year <= 1:
        return None
    return moment


def web_url(data: Fields, name: str, *, field: str = "") -> str:
    """An http(s) URL or ``""``: a link shown to agents must not be ``javascript:``."""
    where = field or name
    value = string(data, name, field=where, max_length=2_048)
    if value and not value.lower().startswith(("https://", "http://")):
        raise PayloadError(
            _("“%(field)s” is not an http or https URL.") % {"field": where}, field=where
        )
    return value


def clip(value: str, limit: int) -> str:
    """``value`` cut to ``limit`` characters, an ellipsis saying it was cut."""
    return value if len(value) <= limit else value[: limit - 1] + "…"
