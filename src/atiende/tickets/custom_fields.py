"""Validation of custom field values against their definitions, shared by every target."""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from atiende.core.errors import ErrorCollector, Invalid
from atiende.core.text import clean_text
from atiende.tickets import config_cache
from atiende.tickets.models import CustomField, CustomFieldTarget, CustomFieldType

MAX_TEXT = 5000


def definitions(target: CustomFieldTarget) -> dict[str, CustomField]:
    """The active fields of ``target`` by key (from the per-process configuration snapshot)."""
    return {f.key: f for f in config_cache.custom_fields(target)}


def clean_custom_fields(
    target: CustomFieldTarget,
    values: dict[str, Any],
    *,
    current: dict[str, Any] | None = None,
    prefix: str = "custom_fields",
) -> dict[str, Any]:
    """Return ``current`` updated with ``values``, every value checked against its definition.

    ``None`` clears a field. Unknown keys, wrong types and missing required fields are
    reported together, each under ``custom_fields.<key>``.
    """
    defs = definitions(target)
    errors = ErrorCollector()
    result = dict(current or {})
    for key, raw in values.items():
        definition = defs.get(key)
        if definition is None:
            errors.add(f"{prefix}.{key}", _("Unknown custom field."))
            continue
        if raw is None:
            result.pop(key, None)
            continue
        try:
            result[key] = _clean_value(definition, raw)
        except ValueError as exc:
            errors.add(f"{prefix}.{key}", str(exc))
    for key, definition in defs.items():
        if definition.required and result.get(key) in (None, "", []):
            errors.add(f"{prefix}.{key}", _("This field is required."))
    errors.raise_if_any()
    return result


def clean_custom_field_value(
    target: CustomFieldTarget, key: str, raw: Any, *, name: str = "field"
) -> Any:
    """One value checked against the definition of field ``key`` (for rule and macro actions,
    which set one field without the others); errors are reported under ``name``."""
    definition = definitions(target).get(key)
    if definition is None:
        raise Invalid.field(name, _("Unknown custom field “%(key)s”.") % {"key": key})
    if raw is None:
        return None
    try:
        return _clean_value(definition, raw)
    except ValueError as exc:
        raise Invalid.field(name, str(exc)) from None


def _clean_value(field: CustomField, raw: Any) -> Any:
    if isinstance(raw, str):
        raw = clean_text(raw)
    elif isinstance(raw, list):
        raw = [clean_text(v) if isinstance(v, str) else v for v in raw]
    kind = field.type
    if kind == CustomFieldType.TEXT:
        if not isinstance(raw, str):
            raise ValueError(_("Expected text."))
        if len(raw) > MAX_TEXT:
            raise ValueError(_("Text is longer than %(max)d characters.") % {"max": MAX_TEXT})
        return raw
    if kind == CustomFieldType.NUMBER:
        if isinstance(raw, bool) or not isinstance(raw, int | float | str):
            raise ValueError(_("Expected a number."))
        try:
            number = Decimal(str(raw))
        except InvalidOperation:
            raise ValueError(_("Expected a number.")) from None
        if not number.is_finite() or abs(number) >= Decimal(10) ** 15:
            raise ValueError(_("Expected a finite number below 10^15."))
        return int(number) if number == number.to_integral_value() else float(number)
    if kind == CustomFieldType.DATE:
        if not isinstance(raw, str):
            raise ValueError(_("Expected a date as YYYY-MM-DD."))
        try:
            return datetime.date.fromisoformat(raw).isoformat()
        except ValueError:
            raise ValueError(_("Expected a date as YYYY-MM-DD.")) from None
    if kind == CustomFieldType.CHECKBOX:
        if not isinstance(raw, bool):
            raise ValueError(_("Expected true or false."))
        return raw
    options = [str(option) for option in field.options]
    if kind == CustomFieldType.SELECT:
        if not isinstance(raw, str) or raw not in options:
            raise ValueError(_("Choose one of: %(options)s.") % {"options": ", ".join(options)})
        return raw
    if kind == CustomFieldType.MULTISELECT:
        if not isinstance(raw, list) or not all(isinstance(v, str) for v in raw):
            raise ValueError(_("Expected a list of options."))
        unknown = [v for v in raw if v not in options]
        if unknown:
            raise ValueError(_("Choose among: %(options)s.") % {"options": ", ".join(options)})
        return sorted(set(raw), key=options.index)
    raise ValueError(_("Unsupported field type."))
