"""The fields rules can read, the operators each type allows, and checking a definition.

Each field has a type and each type allows some operators; ``validate_conditions`` refuses an
unknown field, an operator that does not fit the field's type and a value of the wrong type,
each naming its part (``conditions.all[2].operator``). Turning a checked definition into
functions is ``conditions``'s job.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext as _

from atiende.automation.triggers.facts import Facts, Kind
from atiende.core.actor import Source
from atiende.core.errors import FieldError, Invalid
from atiende.surveys.selectors import latest_rating_for_rules
from atiende.tickets import config_cache
from atiende.tickets.models import Channel, CustomFieldTarget, CustomFieldType, TicketType


class Type(StrEnum):
    TEXT = "text"
    CHOICE = "choice"
    PRIORITY = "priority"
    REF = "ref"  # an id (group, assignee, category) or null
    TAGS = "tags"
    NUMBER = "number"
    DATE = "date"
    BOOL = "bool"
    TIME = "time"
    RATING = "rating"  # a satisfaction rating: good/bad, 1–5, or "rated" / "not_rated"


CHANGE_OPS = frozenset({"changed", "changed_from", "changed_to"})
NO_VALUE = frozenset({"present", "blank", "changed"})
OPERATORS: dict[Type, frozenset[str]] = {
    Type.TEXT: frozenset(
        {"is", "is_not", "contains", "not_contains", "contains_words", "starts_with"}
        | {"present", "blank"}
        | CHANGE_OPS
    ),
    Type.CHOICE: frozenset({"is", "is_not", "present", "blank"} | CHANGE_OPS),
    Type.PRIORITY: frozenset({"is", "is_not", "gt", "lt"} | CHANGE_OPS),
    Type.REF: frozenset({"is", "is_not", "present", "blank"} | CHANGE_OPS),
    Type.TAGS: frozenset({"contains", "not_contains", "present", "blank", "changed"}),
    Type.NUMBER: frozenset({"is", "is_not", "gt", "lt", "present", "blank"} | CHANGE_OPS),
    Type.DATE: frozenset({"is", "gt", "lt", "present", "blank", "changed"}),
    Type.BOOL: frozenset({"is", "is_not"}),
    Type.TIME: frozenset({"within_business_hours"}),
    Type.RATING: frozenset({"is", "is_not", "present", "blank"}),
}

Getter = Callable[[Facts], Any]


@dataclass(frozen=True)
class Field:
    """A field rules can read: its type, how to read it, and its name in
    ``TicketUpdated.changes`` when the change operators apply (``tracked``)."""

    name: str
    type: Type
    get: Getter
    tracked: str = ""
    choices: Callable[[], set[str]] | None = None


def _statuses() -> set[str]:
    return {s.key for s in config_cache.statuses()}


def _priorities() -> set[str]:
    return {p.key for p in config_cache.priorities()}


def _custom_getter(owner: str, key: str) -> Getter:
    return lambda facts: facts.custom(owner, key)


def _language(facts: Facts) -> str:
    # ``Ticket.language`` arrives with the assign helper's migration; read it defensively.
    return str(getattr(facts.ticket, "language", "") or "")


def _satisfaction(facts: Facts) -> str | None:
    """The rating of the ticket's latest resolution: the event's own when it is a rating."""
    if "satisfaction" in facts.carried:
        return str(facts.carried["satisfaction"]) if facts.carried["satisfaction"] else None
    return latest_rating_for_rules(facts.ticket_id)


def _satisfaction_values() -> set[str]:
    return {"good", "bad", "1", "2", "3", "4", "5", "rated", "not_rated"}


def _organization_name(facts: Facts) -> str | None:
    organization = facts.organization
    return organization.name if organization is not None else None


FIELDS: dict[str, Field] = {
    f.name: f
    for f in (
        Field("status", Type.CHOICE, lambda f: f.ticket.status.key, "status", _statuses),
        Field("priority", Type.PRIORITY, lambda f: f.ticket.priority.key, "priority"),
        Field("group", Type.REF, lambda f: f.read("group", "group_id"), "group"),
        Field("assignee", Type.REF, lambda f: f.read("assignee", "assignee_id"), "assignee"),
        Field("category", Type.REF, lambda f: f.ticket.category_id, "category"),
        Field("type", Type.CHOICE, lambda f: f.ticket.type, "type", lambda: set(TicketType.values)),
        Field("channel", Type.CHOICE, lambda f: f.ticket.channel, "", lambda: set(Channel.values)),
        Field("tags", Type.TAGS, lambda f: f.tags, "tags"),
        Field("subject", Type.TEXT, lambda f: f.read("subject", "subject"), "subject"),
        Field("description", Type.TEXT, lambda f: f.description),
        Field("language", Type.CHOICE, _language, "language"),
        Field("customer.email", Type.TEXT, lambda f: f.requester.email if f.requester else ""),
        Field("customer.name", Type.TEXT, lambda f: f.requester.name if f.requester else ""),
        Field("organization.name", Type.TEXT, _organization_name),
        Field("event.kind", Type.CHOICE, lambda f: f.kind, "", lambda: set(Kind.ALL)),
        Field("event.source", Type.CHOICE, lambda f: f.source, "", lambda: set(Source)),
        Field("event.public", Type.BOOL, lambda f: bool(f.public)),
        Field("event.direction", Type.CHOICE, lambda f: f.direction, "", lambda: {"in", "out"}),
        Field(
            "event.channel", Type.CHOICE, lambda f: f.event_channel, "", lambda: set(Channel.values)
        ),
        Field("event.time", Type.TIME, lambda f: f.at),
        Field("satisfaction", Type.RATING, _satisfaction, "", _satisfaction_values),
    )
}

CUSTOM_OWNERS = {
    "custom": ("ticket", CustomFieldTarget.TICKET),
    "customer": ("customer", CustomFieldTarget.USER),
    "organization": ("organization", CustomFieldTarget.ORGANIZATION),
}
CUSTOM_TYPES = {
    CustomFieldType.TEXT: Type.TEXT,
    CustomFieldType.SELECT: Type.CHOICE,
    CustomFieldType.MULTISELECT: Type.TAGS,
    CustomFieldType.NUMBER: Type.NUMBER,
    CustomFieldType.DATE: Type.DATE,
    CustomFieldType.CHECKBOX: Type.BOOL,
}


def field_named(name: str) -> Field | None:
    """The field ``name`` names: a built-in one or a configured custom field
    (``custom.<key>``, ``customer.<key>``, ``organization.<key>``)."""
    if name in FIELDS:
        return FIELDS[name]
    owner_name, _dot, key = name.partition(".")
    if owner_name not in CUSTOM_OWNERS or not key:
        return None
    owner, target = CUSTOM_OWNERS[owner_name]
    found = next((c for c in config_cache.custom_fields(target) if c.key == key), None)
    if found is None:
        return None
    kind = CUSTOM_TYPES.get(CustomFieldType(found.type), Type.TEXT)
    options = {str(o) for o in found.options or []}
    return Field(
        name,
        kind,
        _custom_getter(owner, key),
        tracked=f"custom_fields.{key}" if owner == "ticket" else "",
        choices=(lambda: options) if kind == Type.CHOICE and options else None,
    )


# --- validation -----------------------------------------------------------------------------


def validate_conditions(conditions: Any, *, prefix: str = "conditions") -> None:
    """Refuse a definition that is not ``{"all": [...], "any": [...]}`` of known fields,
    fitting operators and values of the right type, naming every bad part."""
    errors: list[FieldError] = []
    if not isinstance(conditions, Mapping):
        raise Invalid.field(prefix, _("Conditions must be an object with “all” and “any” lists."))
    for key in sorted(set(conditions) - {"all", "any"}):
        errors.append(FieldError(f"{prefix}.{key}", _("Unknown part: only “all” and “any”.")))
    for part in ("all", "any"):
        items = conditions.get(part, [])
        if not isinstance(items, list):
            errors.append(FieldError(f"{prefix}.{part}", _("This must be a list of conditions.")))
            continue
        for index, condition in enumerate(items):
            errors.extend(check_condition(condition, f"{prefix}.{part}[{index}]"))
    if errors:
        raise Invalid(_("Some conditions are not valid."), errors=errors)


def check_condition(condition: Any, where: str) -> list[FieldError]:
    """The errors of one condition, each naming ``where.field``, ``.operator`` or ``.value``."""
    if not isinstance(condition, Mapping):
        return [FieldError(where, _("A condition must be an object."))]
    unknown = sorted(set(condition) - {"field", "operator", "value"})
    if unknown:
        return [FieldError(f"{where}.{unknown[0]}", _("Unknown part of a condition."))]
    name = condition.get("field")
    found = field_named(name) if isinstance(name, str) else None
    if found is None:
        return [FieldError(f"{where}.field", _("Unknown field: %s") % (name,))]
    operator = condition.get("operator")
    if operator not in OPERATORS[found.type] or (operator in CHANGE_OPS and not found.tracked):
        return [
            FieldError(
                f"{where}.operator",
                _("The operator “%(op)s” does not fit the field “%(field)s”.")
                % {"op": operator, "field": name},
            )
        ]
    problem = _value_problem(found, operator, condition.get("value"))
    return [FieldError(f"{where}.value", problem)] if problem else []


def _strings(value: Any) -> list[str] | None:
    """``value`` as a non-empty list of strings, or None when it is not one."""
    items = value if isinstance(value, list) else [value]
    if not items or not all(isinstance(v, str) and v.strip() for v in items):
        return None
    return [str(v) for v in items]


def _value_problem(found: Field, operator: str, value: Any) -> str | Promise | None:
    if operator in NO_VALUE:
        return None
    kind = found.type
    if kind in (Type.BOOL, Type.TIME):
        return None if isinstance(value, bool) else _("The value must be true or false.")
    if kind == Type.NUMBER:
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        return None if ok else _("The value must be a number.")
    if kind == Type.DATE:
        return None if as_date(value) is not None else _("The value must be a date (YYYY-MM-DD).")
    if kind == Type.REF:
        items = value if isinstance(value, list) else [value]
        ok = bool(items) and all(
            v is None or (isinstance(v, int) and not isinstance(v, bool)) for v in items
        )
        return None if ok else _("The value must be an id or null.")
    strings = _strings(value)
    if strings is None:
        return _("The value must be a text or a list of texts.")
    if kind == Type.PRIORITY:
        choices: set[str] | None = _priorities()
    else:
        choices = found.choices() if found.choices is not None else None
    if choices is not None:
        bad = [v for v in strings if v not in choices]
        if bad:
            return _("Unknown value: %s") % ", ".join(bad)
    return None


def as_date(value: Any) -> dt.date | None:
    """``value`` as a date: a date, a datetime's day or an ISO text; None when it is none."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None
