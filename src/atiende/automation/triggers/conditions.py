"""The condition language of rules: ``{"field", "operator", "value"}`` in ``all`` / ``any`` lists.

Each field has a type and each type allows some operators; ``validate_conditions`` refuses an
unknown field, an operator that does not fit the field's type and a value of the wrong type,
each naming its part (``conditions.all[2].operator``). ``compile_conditions`` turns a checked
definition into plain functions of the event's ``Facts`` once, so evaluating a rule is only
calls and comparisons (the compiled rules are cached per process, ``triggers.cache``).

Text compares without case and accents ("caido" finds "caído"), the way people type Spanish.
The ``changed*`` operators read the old and new values the event carries
(``TicketUpdated.changes``), never the database.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext as _

from atiende.automation import business_hours
from atiende.automation.triggers.facts import Facts, Kind
from atiende.core.actor import Source
from atiende.core.errors import FieldError, Invalid
from atiende.search.folding import fold_accents
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


def _organization_name(facts: Facts) -> str | None:
    organization = facts.ticket.organization
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
        Field("customer.email", Type.TEXT, lambda f: f.ticket.requester.email or ""),
        Field("customer.name", Type.TEXT, lambda f: f.ticket.requester.name),
        Field("organization.name", Type.TEXT, _organization_name),
        Field("event.kind", Type.CHOICE, lambda f: f.kind, "", lambda: set(Kind.ALL)),
        Field("event.source", Type.CHOICE, lambda f: f.source, "", lambda: set(Source)),
        Field("event.public", Type.BOOL, lambda f: bool(f.public)),
        Field("event.direction", Type.CHOICE, lambda f: f.direction, "", lambda: {"in", "out"}),
        Field(
            "event.channel", Type.CHOICE, lambda f: f.event_channel, "", lambda: set(Channel.values)
        ),
        Field("event.time", Type.TIME, lambda f: f.at),
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
        return None if _as_date(value) is not None else _("The value must be a date (YYYY-MM-DD).")
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


def _as_date(value: Any) -> dt.date | None:
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


# --- compilation ----------------------------------------------------------------------------

Test = Callable[[Facts], bool]


@dataclass(frozen=True)
class Compiled:
    """A checked definition as functions: ``matches(facts)``, and each condition on its own
    (for the dry run)."""

    all: tuple[tuple[Mapping[str, Any], Test], ...]
    any: tuple[tuple[Mapping[str, Any], Test], ...]

    def matches(self, facts: Facts) -> bool:
        if not all(test(facts) for _c, test in self.all):
            return False
        return not self.any or any(test(facts) for _c, test in self.any)

    def explain(self, facts: Facts) -> list[tuple[str, Mapping[str, Any], bool]]:
        """Each condition's result, named by its part (``all[0]``)."""
        results = [(f"all[{i}]", c, t(facts)) for i, (c, t) in enumerate(self.all)]
        results += [(f"any[{i}]", c, t(facts)) for i, (c, t) in enumerate(self.any)]
        return results


def compile_conditions(conditions: Mapping[str, Any]) -> Compiled:
    """Functions for a definition ``validate_conditions`` accepted."""
    return Compiled(
        all=tuple((c, compile_condition(c)) for c in conditions.get("all", [])),
        any=tuple((c, compile_condition(c)) for c in conditions.get("any", [])),
    )


def fold(text: Any) -> str:
    """Text for comparing as people read it: no case, no accents, single spaces."""
    return " ".join(fold_accents(str(text)).casefold().split())


def _blank(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def compile_condition(condition: Mapping[str, Any]) -> Test:
    found = field_named(condition["field"])
    if found is None:
        raise Invalid.field("field", _("Unknown field: %s") % (condition["field"],))
    operator: str = condition["operator"]
    value = condition.get("value")
    get = found.get
    if operator == "present":
        return lambda facts: not _blank(get(facts))
    if operator == "blank":
        return lambda facts: _blank(get(facts))
    if operator in CHANGE_OPS:
        return _changed(found, operator, value)
    if operator == "within_business_hours":
        return lambda facts: business_hours.is_open(facts.ticket.group_id, get(facts)) == value
    match found.type:
        case Type.TEXT:
            return _text(get, operator, value)
        case Type.TAGS:
            return _tags(get, operator, value)
        case Type.PRIORITY:
            return _priority(get, operator, value)
        case Type.NUMBER:
            return _ordered(get, operator, value, lambda v: v)
        case Type.DATE:
            return _ordered(get, operator, value, _as_date)
        case _:
            return _equals(found.type, get, operator, value)


def _equals(kind: Type, get: Getter, operator: str, value: Any) -> Test:
    wanted = value if isinstance(value, list) else [value]
    if kind == Type.CHOICE:
        wanted = [str(v) for v in wanted]

    def test(facts: Facts) -> bool:
        actual = get(facts)
        if kind == Type.BOOL:
            actual = bool(actual)
        return (actual in wanted) == (operator == "is")

    return test


def _text(get: Getter, operator: str, value: Any) -> Test:
    wanted = [fold(v) for v in (value if isinstance(value, list) else [value])]
    if operator in ("is", "is_not"):
        return lambda facts: (fold(get(facts) or "") in wanted) == (operator == "is")
    if operator == "starts_with":
        return lambda facts: fold(get(facts) or "").startswith(tuple(wanted))
    if operator == "contains_words":
        pattern = re.compile(
            r"(?<!\w)(" + "|".join(re.escape(w) for w in wanted) + r")(?!\w)", re.UNICODE
        )
        return lambda facts: pattern.search(fold(get(facts) or "")) is not None
    positive = operator == "contains"
    return lambda facts: any(w in fold(get(facts) or "") for w in wanted) == positive


def _tags(get: Getter, operator: str, value: Any) -> Test:
    wanted = {fold(v) for v in (value if isinstance(value, list) else [value])}
    positive = operator == "contains"
    return lambda facts: bool(wanted & {fold(t) for t in get(facts) or []}) == positive


def _priority_order(key: Any) -> int | None:
    return next((p.order for p in config_cache.snapshot().priorities if p.key == key), None)


def _priority(get: Getter, operator: str, value: Any) -> Test:
    wanted = value if isinstance(value, list) else [value]
    if operator in ("is", "is_not"):
        return lambda facts: (get(facts) in wanted) == (operator == "is")

    def test(facts: Facts) -> bool:
        actual, limit = _priority_order(get(facts)), _priority_order(value)
        if actual is None or limit is None:
            return False
        return actual > limit if operator == "gt" else actual < limit

    return test


def _ordered(get: Getter, operator: str, value: Any, convert: Callable[[Any], Any]) -> Test:
    wanted = convert(value)

    def test(facts: Facts) -> bool:
        raw = get(facts)
        actual = convert(raw) if raw is not None else None
        if actual is None:
            return operator == "is_not"
        if operator == "is":
            return bool(actual == wanted)
        if operator == "is_not":
            return bool(actual != wanted)
        return bool(actual > wanted) if operator == "gt" else bool(actual < wanted)

    return test


def plain(snapshot: Any) -> Any:
    """A value as the audit trail snapshots it, reduced to what conditions compare: a
    status's or priority's key, a group's or user's id, a list, a text."""
    if isinstance(snapshot, dict):
        return snapshot.get("key", snapshot.get("id"))
    return snapshot


def _changed(found: Field, operator: str, value: Any) -> Test:
    tracked = found.tracked
    if operator == "changed":
        return lambda facts: tracked in facts.changes
    wanted: Sequence[Any] = value if isinstance(value, list) else [value]
    if found.type == Type.TEXT:
        wanted = [fold(v) for v in wanted]

    def comparable(snapshot: Any) -> Any:
        reduced = plain(snapshot)
        return fold(reduced or "") if found.type == Type.TEXT else reduced

    side = "old" if operator == "changed_from" else "new"

    def test(facts: Facts) -> bool:
        change = facts.changes.get(tracked)
        return change is not None and comparable(getattr(change, side)) in wanted

    return test
