"""Checks and cleaning shared by every app's services: names, phones, time zones, the fields
a change may name, and a unique save that a concurrent writer lost turned into a 409."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from typing import Any
from zoneinfo import available_timezones

from django.db import IntegrityError, transaction
from django.db.models import Model
from django.utils.translation import gettext as _

from atiende.core.errors import Conflict, ErrorCollector, FieldError, Invalid
from atiende.core.text import clean_text

# Digits with the usual separators, an optional leading "+"; ASCII digits only.
PHONE_RE = re.compile(r"\+?[0-9][0-9 ().\-/]*")
PHONE_DIGITS = (5, 20)


def clean_phone(value: str, field: str, *, normalize: bool = False) -> str:
    """A phone-like string: digits and separators, 5 to 20 digits.

    With ``normalize`` only the digits (and a leading "+") are kept, so one number written two
    ways is recognised as the same.
    """
    text = clean_text(value).strip()
    digits = sum(ch.isascii() and ch.isdecimal() for ch in text)
    if not PHONE_RE.fullmatch(text) or not PHONE_DIGITS[0] <= digits <= PHONE_DIGITS[1]:
        raise Invalid.field(
            field, _("Enter a phone number: digits, spaces, dashes and a leading +.")
        )
    if normalize:
        return ("+" if text.startswith("+") else "") + "".join(ch for ch in text if ch.isdecimal())
    return text


def clean_name(value: str, field: str, *, max_length: int, required: bool) -> str:
    text = " ".join(clean_text(value).split())
    if required and not text:
        raise Invalid.field(field, _("This field is required."))
    if len(text) > max_length:
        raise Invalid.field(field, _("At most %(max)d characters.") % {"max": max_length})
    return text


@lru_cache(maxsize=1)
def time_zones() -> frozenset[str]:
    return frozenset(available_timezones())


def clean_time_zone(value: str, field: str = "time_zone") -> str:
    text = clean_text(value).strip()
    if text not in time_zones():
        raise Invalid.field(field, _("Unknown time zone; use a name such as Europe/Madrid."))
    return text


def check_changes(
    changes: dict[str, Any], *, allowed: Iterable[str], nullable: Iterable[str] = ()
) -> None:
    """Refuse unknown fields and ``null`` for fields that cannot be empty, all at once."""
    allowed, nullable = set(allowed), set(nullable)
    errors = ErrorCollector()
    for name, value in changes.items():
        if name not in allowed:
            errors.add(name, _("Unknown field."))
        elif value is None and name not in nullable:
            errors.add(name, _("This field cannot be null."))
    errors.raise_if_any()


def save_unique(obj: Model, *, field: str, message: str, **kwargs: Any) -> None:
    """Save ``obj``; a unique constraint that a concurrent writer won is a 409 on ``field``."""
    try:
        with transaction.atomic():
            obj.save(**kwargs)
    except IntegrityError:
        raise conflict(field, message) from None


def conflict(field: str, message: str) -> Conflict:
    return Conflict(message, errors=[FieldError(field, message)])
