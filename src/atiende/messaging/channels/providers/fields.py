"""Reading the fields of a webhook body or API answer, typed and within limits.

A body is parsed by ``payload`` (its size, depth and keys checked there); its fields are read
here. Anything off the expected shape or outside the limits is a ``PayloadError`` naming the
field — a path such as ``entry[0].changes[0].value.messages`` — so a hostile body is
quarantined, never half-read, and never raises anything else.

Limits on values: identifiers read with ``identifier`` at most ``MAX_ID_LENGTH`` (255, a
``varchar(255)``), refused rather than clipped; a ``labels`` object at most ``MAX_LABELS``
(128) entries of at most ``MAX_LABEL_LENGTH`` (2,048) characters; a ``web_url`` at most
``MAX_URL_LENGTH`` (2,048). Prose is clipped instead (``MAX_TITLE_LENGTH`` 255,
``MAX_TEXT_LENGTH`` 20,000): a long description is no reason to lose an alert. A customer's
message text is bounded only by the body size.

Two reading styles share these checks: path readers (``get_str(data, key, where)`` …), which
report ``where.key``, for the nested payloads of Meta and Telegram; and flat readers
(``string(data, name, field=…)`` …), which strip, limit and convert, for the flat JSON or
form fields of Twilio, monitors and PBXs.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from datetime import UTC, datetime

from django.utils.translation import gettext as _

from atiende.messaging.channels.contract import PayloadError

MAX_ID_LENGTH = 255
MAX_TITLE_LENGTH = 255
MAX_TEXT_LENGTH = 20_000
MAX_LABELS = 128
MAX_LABEL_LENGTH = 2_048
MAX_URL_LENGTH = 2_048

type Fields = Mapping[str, object]

DIGITS = re.compile(r"[0-9]{1,18}")  # a whole number as decimal digits (fits 64 bits)


def _error(message: str, where: str) -> PayloadError:
    return PayloadError(message % {"field": where}, field=where)


def at(where: str, key: str) -> str:
    """The path of ``key`` inside ``where`` (``where`` empty: the top level)."""
    return f"{where}.{key}" if where else key


# --- path readers (nested JSON: Meta, Telegram) ----------------------------------------------


def as_object(value: object, where: str) -> Fields:
    if not isinstance(value, dict):
        raise _error(_("“%(field)s” is not an object."), where)
    return value


def as_list(value: object, where: str) -> list[object]:
    if not isinstance(value, list):
        raise _error(_("“%(field)s” is not a list."), where)
    return value


def need(data: Fields, key: str, where: str) -> object:
    """``data[key]``, which must be there and not null."""
    value = data.get(key)
    if value is None:
        raise _error(_("“%(field)s” is missing."), at(where, key))
    return value


def get_object(data: Fields, key: str, where: str) -> Fields | None:
    """``data[key]`` as an object, ``None`` when absent."""
    value = data.get(key)
    return None if value is None else as_object(value, at(where, key))


def need_object(data: Fields, key: str, where: str) -> Fields:
    return as_object(need(data, key, where), at(where, key))


def get_list(data: Fields, key: str, where: str, *, required: bool = False) -> list[object]:
    """``data[key]`` as a list; absent is an empty list unless ``required``."""
    if required:
        return as_list(need(data, key, where), at(where, key))
    value = data.get(key)
    return [] if value is None else as_list(value, at(where, key))


def objects(data: Fields, key: str, where: str, *, required: bool = False) -> list[Fields]:
    """``data[key]`` as a list of objects, each checked with its index in the path."""
    path = at(where, key)
    return [
        as_object(item, f"{path}[{index}]")
        for index, item in enumerate(get_list(data, key, where, required=required))
    ]


def get_str(data: Fields, key: str, where: str) -> str:
    """``data[key]`` as a string, as it came; ``""`` when absent."""
    value = data.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise _error(_("“%(field)s” is not text."), at(where, key))
    return value


def need_str(data: Fields, key: str, where: str, *, empty: bool = False) -> str:
    """``data[key]`` as a string that must be there and, unless ``empty``, not be ``""``."""
    if not empty:
        value = get_str(data, key, where)
        if not value:
            raise _error(_("“%(field)s” is missing or empty."), at(where, key))
        return value
    need(data, key, where)
    return get_str(data, key, where)


def get_int(data: Fields, key: str, where: str, *, strings: bool = True) -> int | None:
    """``data[key]`` as an integer, ``None`` when absent; ``strings`` accepts one written as
    a string of digits (Meta writes some so)."""
    value = data.get(key)
    if value is None:
        return None
    if strings and isinstance(value, str) and DIGITS.fullmatch(value):
        return int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise _error(_("“%(field)s” is not a whole number."), at(where, key))
    return value


def need_int(data: Fields, key: str, where: str, *, strings: bool = True) -> int:
    number = get_int(data, key, where, strings=strings)
    if number is None:
        raise _error(_("“%(field)s” is missing."), at(where, key))
    return number


def get_number(data: Fields, key: str, where: str) -> float | None:
    """``data[key]`` as a finite number, ``None`` when absent."""
    value = data.get(key)
    if value is None:
        return None
    try:
        if isinstance(value, int | float) and not isinstance(value, bool):
            number = float(value)
            if math.isfinite(number):
                return number
    except OverflowError:  # an integer too long for a float
        pass
    raise _error(_("“%(field)s” is not a number."), at(where, key))


def need_number(data: Fields, key: str, where: str) -> float:
    number = get_number(data, key, where)
    if number is None:
        raise _error(_("“%(field)s” is missing."), at(where, key))
    return number


def time_of(number: float, where: str, *, millis: bool = False) -> datetime:
    """An aware UTC datetime from Unix seconds (or milliseconds), or ``PayloadError`` when the
    number is no plausible time."""
    try:
        return datetime.fromtimestamp(number / 1000 if millis else number, tz=UTC)
    except (OverflowError, OSError, ValueError):
        raise _error(_("“%(field)s” is not a date and time."), where) from None


def need_time(
    data: Fields, key: str, where: str, *, millis: bool = False, strings: bool = True
) -> datetime:
    """A Unix timestamp (seconds, or milliseconds) given as a number (or a digit string)."""
    return time_of(need_int(data, key, where, strings=strings), at(where, key), millis=millis)


# --- flat readers (Twilio, monitors, PBXs) ---------------------------------------------------


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
    """``data[name]`` as stripped text: ``""`` when absent or null (unless ``required``).

    ``max_length`` refuses longer values (identifiers); ``clip_to`` shortens them (prose);
    ``numbers`` accepts a JSON integer too, for ids some senders write unquoted.
    """
    where = field or name
    value = data.get(name)
    if numbers and isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise _error(_("“%(field)s” is not text."), where)
    value = value.strip()
    if required and not value:
        raise _error(_("“%(field)s” is missing or empty."), where)
    if max_length and len(value) > max_length:
        raise PayloadError(
            _("“%(field)s” is longer than %(limit)d characters.")
            % {"field": where, "limit": max_length},
            field=where,
        )
    return clip(value, clip_to) if clip_to else value


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
    elif isinstance(value, str) and DIGITS.fullmatch(value.strip()):
        number = int(value.strip())
    if number is None or not 0 <= number <= maximum:
        raise PayloadError(
            _("“%(field)s” is not a whole number from 0 to %(limit)d.")
            % {"field": where, "limit": maximum},
            field=where,
        )
    return number


def mapping(data: Fields, name: str, *, field: str = "") -> Fields:
    """A nested JSON object; empty when absent or null."""
    value = data.get(name)
    return {} if value is None else as_object(value, field or name)


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
            raise _error(_("“%(field)s” is not text."), inner)
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
    if isinstance(value, int | float) and not isinstance(value, bool):
        moment = time_of(value, field)
    elif isinstance(value, str) and value.strip().isdecimal() and len(value.strip()) <= 12:
        moment = time_of(int(value.strip()), field)
    else:
        try:
            if not isinstance(value, str):
                raise TypeError(field)
            moment = datetime.fromisoformat(value.strip())
        except (ValueError, TypeError):
            raise _error(_("“%(field)s” is not a date and time."), field) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return None if moment.year <= 1 else moment


def web_url(data: Fields, name: str, *, field: str = "") -> str:
    """An http(s) URL or ``""``: a link shown to agents must not be ``javascript:``."""
    where = field or name
    value = string(data, name, field=where, max_length=MAX_URL_LENGTH)
    if value and not value.lower().startswith(("https://", "http://")):
        raise _error(_("“%(field)s” is not an http or https URL."), where)
    return value


def clip(value: str, limit: int) -> str:
    """``value`` cut to ``limit`` characters, an ellipsis saying it was cut."""
    return value if len(value) <= limit else value[: limit - 1] + "…"
