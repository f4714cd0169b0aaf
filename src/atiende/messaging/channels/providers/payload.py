"""Reading what providers send: webhook bodies (JSON or form) and API answers.

Every adapter reads bodies through this module, and their fields through ``fields``, so one
set of limits guards them all. Anything outside the limits or off the expected shape is a
``PayloadError``, so a hostile body is quarantined, never half-read, and never raises
anything else.

Limits:

* **Body size**: ``MAX_BODY_BYTES`` (3 MiB), checked before any parsing. The largest body a
  provider documents is a WhatsApp Cloud webhook (up to 3 MB); Telegram updates, Twilio
  webhooks and monitor or PBX calls are a few KB.
* **Depth**: JSON nested more than ``MAX_DEPTH`` (32) levels is refused (Meta's webhooks, the
  deepest documented, nest about ten); a form has at most ``MAX_FORM_FIELDS`` (500) fields.
* **Keys**: a JSON object key or a form field name is at most ``MAX_KEY_LENGTH`` (2,048
  characters).
* **Values**: see ``fields`` (identifiers, labels, URLs and prose).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from email.utils import parsedate_to_datetime
from urllib.parse import parse_qsl

from django.utils.translation import gettext as _

from atiende.messaging.channels.contract import Incoming, PayloadError, ProviderResponse
from atiende.messaging.channels.providers.fields import DIGITS, Fields, as_object

MAX_BODY_BYTES = 3 * 1024 * 1024
MAX_DEPTH = 32
MAX_FORM_FIELDS = 500
MAX_KEY_LENGTH = 2_048
MAX_RETRY_AFTER = 24 * 3600  # a Retry-After longer than a day is read as a day


# --- bodies ----------------------------------------------------------------------------------


def body_text(body: bytes) -> str:
    """The body as UTF-8 text, within ``MAX_BODY_BYTES``."""
    if len(body) > MAX_BODY_BYTES:
        raise PayloadError(
            _("The body is larger than %(limit)d bytes.") % {"limit": MAX_BODY_BYTES},
            field="body",
        )
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        raise PayloadError(_("The body is not UTF-8 text."), field="body") from None


def _no_constants(name: str) -> object:
    raise ValueError(name)


def load_json(body: bytes) -> object:
    """The body's JSON value within the limits (NaN and Infinity refused, as JSON does)."""
    text = body_text(body)
    try:
        value: object = json.loads(text, parse_constant=_no_constants)
    except (ValueError, RecursionError):
        raise PayloadError(_("The body is not JSON."), field="body") from None
    _check_shape(value)
    return value


def _check_shape(value: object) -> None:
    """Refuse JSON deeper than ``MAX_DEPTH`` or with a key longer than ``MAX_KEY_LENGTH``."""
    stack: list[tuple[object, int]] = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if not isinstance(node, dict | list):
            continue
        if depth > MAX_DEPTH:
            raise PayloadError(
                _("The body nests deeper than %(limit)d levels.") % {"limit": MAX_DEPTH},
                field="body",
            )
        if isinstance(node, dict):
            if any(len(key) > MAX_KEY_LENGTH for key in node):
                raise PayloadError(
                    _("The body has a key longer than %(limit)d characters.")
                    % {"limit": MAX_KEY_LENGTH},
                    field="body",
                )
            stack.extend((child, depth + 1) for child in node.values())
        else:
            stack.extend((child, depth + 1) for child in node)


def load_object(body: bytes, where: str = "body") -> Fields:
    """The body's JSON object; ``where`` names it when it is something else."""
    return as_object(load_json(body), where)


def json_object(incoming: Incoming) -> Fields:
    """The request body's JSON object."""
    return load_object(incoming.body)


def form_pairs(body: bytes) -> list[tuple[str, str]]:
    """The ``application/x-www-form-urlencoded`` pairs of ``body``, in order, repeats kept (a
    signature covers them all)."""
    text = body_text(body)
    try:
        pairs = parse_qsl(
            text,
            keep_blank_values=True,
            encoding="utf-8",
            errors="strict",
            max_num_fields=MAX_FORM_FIELDS,
        )
    except ValueError:  # undecodable percent-escapes, or too many fields
        raise PayloadError(_("The body is not a readable form."), field="body") from None
    for name, _value in pairs:
        if len(name) > MAX_KEY_LENGTH:
            raise PayloadError(
                _("The body has a key longer than %(limit)d characters.")
                % {"limit": MAX_KEY_LENGTH},
                field="body",
            )
    return pairs


def form_fields(pairs: Iterable[tuple[str, str]], *, conflicts: bool = True) -> dict[str, str]:
    """Form pairs as one value a name: the first of a repeated name, or — ``conflicts=False``
    — a ``PayloadError`` when a name repeats with another value (which one is meant?)."""
    fields: dict[str, str] = {}
    for name, value in pairs:
        if not conflicts and fields.get(name, value) != value:
            raise PayloadError(_("%(field)s is given twice.") % {"field": name}, field=name)
        fields.setdefault(name, value)
    return fields


def json_or_form(incoming: Incoming) -> Fields:
    """A JSON object or form fields, as the Content-Type says (or the first byte, when it is
    absent): shell ``curl`` and PBX dialplans post forms more easily than JSON."""
    content_type = incoming.header("content-type").split(";")[0].strip().lower()
    if content_type == "application/json" or content_type.endswith("+json"):
        return json_object(incoming)
    if content_type == "application/x-www-form-urlencoded":
        return form_fields(form_pairs(incoming.body))
    if incoming.body.lstrip()[:1] == b"{":
        return json_object(incoming)
    return form_fields(form_pairs(incoming.body))


# --- API answers -----------------------------------------------------------------------------


def answer_json(response: ProviderResponse) -> Fields | None:
    """The JSON object a provider answered, ``None`` when the answer is none (an HTML error
    page, an empty body, anything over ``MAX_BODY_BYTES``)."""
    if len(response.body) > MAX_BODY_BYTES:
        return None
    try:
        value = json.loads(response.body)
    except (ValueError, RecursionError):
        return None
    return value if isinstance(value, dict) else None


def retry_after(response: ProviderResponse) -> int:
    """The seconds a ``Retry-After`` header asks for: delay-seconds, or an HTTP-date measured
    from the answer's own ``Date`` (so that this stays pure); ``0`` when absent or unreadable,
    at most ``MAX_RETRY_AFTER``."""
    value = response.header("retry-after").strip()
    if not value:
        return 0
    if DIGITS.fullmatch(value):
        return min(int(value), MAX_RETRY_AFTER)
    try:
        until = parsedate_to_datetime(value)
        now = parsedate_to_datetime(response.header("date").strip())
        seconds = math.ceil((until - now).total_seconds())
    except (TypeError, ValueError, IndexError, OverflowError):
        return 0
    return max(0, min(seconds, MAX_RETRY_AFTER))
