"""Filtering tickets by their custom fields: "plan is Gold", "VIP is checked", "seats is 5".

A filter names a ticket custom field by its key and gives one value, checked against the
field's definition like a written value (an unknown key or option is a clear error). Text
fields match when they contain the value; multi-select fields when the value is among the
chosen options; every other type matches the value exactly.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation

from django.db.models import QuerySet
from django.db.models.fields.json import KeyTextTransform, KeyTransform
from django.utils.translation import gettext as _

from atiende.core.errors import ErrorCollector
from atiende.core.text import clean_text
from atiende.tickets.custom_fields import definitions
from atiende.tickets.models import CustomField, CustomFieldTarget, CustomFieldType, Ticket

# Query-string and stored-view names of custom field filters: ``cf_<key>``.
PREFIX = "cf_"
MAX_VALUE = 200
TRUE, FALSE = "true", "false"

CustomFilter = tuple[str, str]  # (field key, value as text)


def names_in(raw: Iterable[str]) -> list[str]:
    return [name for name in raw if name.startswith(PREFIX)]


def clean_custom_filters(
    raw: Mapping[str, str], errors: ErrorCollector, *, field: str | None = None
) -> dict[str, str]:
    """The ``cf_<key>`` filters of ``raw`` (name → value text), each checked. Errors are
    collected under the filter's own name, or under ``field`` as "key: reason". Empty values
    are dropped."""
    defs = definitions(CustomFieldTarget.TICKET)
    clean: dict[str, str] = {}
    for name in names_in(raw):
        value = clean_text(raw[name]).strip()
        if not value:
            continue
        key = name.removeprefix(PREFIX)
        definition = defs.get(key)
        problem = _problem(definition, value) if definition else _("Unknown custom field.")
        if not problem:
            clean[name] = value
        elif field is None:
            errors.add(name, problem)
        else:
            errors.add(field, f"{key}: {problem}")
    return clean


def _problem(field: CustomField, value: str) -> str:
    if len(value) > MAX_VALUE:
        return _("The value must be at most %(max)d characters.") % {"max": MAX_VALUE}
    kind = field.type
    if kind == CustomFieldType.NUMBER:
        try:
            Decimal(value)
        except InvalidOperation:
            return _("Enter a number.")
    elif kind == CustomFieldType.DATE:
        try:
            datetime.date.fromisoformat(value)
        except ValueError:
            return _("Enter a date as YYYY-MM-DD.")
    elif kind == CustomFieldType.CHECKBOX and value not in (TRUE, FALSE):
        return _("Enter true or false.")
    elif kind in (CustomFieldType.SELECT, CustomFieldType.MULTISELECT):
        options = [str(option) for option in field.options]
        if value not in options:
            return _("Choose one of: %(options)s.") % {"options": ", ".join(options)}
    return ""


def as_filters(stored: Mapping[str, object]) -> tuple[CustomFilter, ...]:
    """The (key, value) pairs of a stored filter mapping, skipping what no longer parses."""
    return tuple(
        (name.removeprefix(PREFIX), value)
        for name, value in stored.items()
        if name.startswith(PREFIX) and isinstance(value, str) and value
    )


def narrow(tickets: QuerySet[Ticket], key: str, value: str) -> QuerySet[Ticket]:
    """``tickets`` whose custom field ``key`` matches ``value`` (none for an unknown field).

    The field is reached through an alias, so a key of any spelling (``a__b`` included) is
    never parsed as a lookup path.
    """
    field = definitions(CustomFieldTarget.TICKET).get(key)
    if field is None:
        return tickets.none()
    alias = f"cf_{key.encode().hex()}"
    kind = field.type
    if kind in (CustomFieldType.TEXT, CustomFieldType.MULTISELECT):
        tickets = tickets.alias(**{alias: KeyTextTransform(key, "custom_fields")})
        if kind == CustomFieldType.TEXT:
            return tickets.filter(**{f"{alias}__icontains": value})
        # The stored list as JSON text holds each chosen option in quotes.
        return tickets.filter(**{f"{alias}__contains": f'"{value}"'})
    tickets = tickets.alias(**{alias: KeyTransform(key, "custom_fields")})
    if kind == CustomFieldType.CHECKBOX:
        return tickets.filter(**{alias: value == TRUE})
    if kind == CustomFieldType.NUMBER:
        try:
            number = Decimal(value)
        except InvalidOperation:
            return tickets.none()
        exact = int(number) if number == number.to_integral_value() else float(number)
        return tickets.filter(**{alias: exact})
    return tickets.filter(**{alias: value})
