"""SLA policy conditions: which tickets a policy covers.

A policy's ``conditions`` is a list of clauses that must all hold; each clause is
``{"field": <name>, "op": <operator>, "value": <value>}`` (custom fields add ``"key"``):

============  ==================  ===========================================
field         operators           value
============  ==================  ===========================================
priority      in, not_in          list of priority keys
group         in, not_in          list of group ids
organization  in, not_in          list of organization ids
customer      in, not_in          list of user ids (the requester)
channel       in, not_in          list of channel names (``email``, ``chat``…)
type          in, not_in          list of ticket types
category      in, not_in          list of category ids
tags          any, none           list of tag names
custom_field  equals, not_equals  a string, number or boolean (``key`` names the field)
============  ==================  ===========================================

Validation refuses an unknown field, an operator that does not fit it and a value of the
wrong type, naming the part (``conditions[1].op``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from atiende.core.errors import ErrorCollector, Invalid
from atiende.tickets import config_cache
from atiende.tickets.models import Channel, CustomFieldTarget, TicketType

LIST_OPS = ("in", "not_in")
TAG_OPS = ("any", "none")
FIELD_OPS = ("equals", "not_equals")


@dataclass(frozen=True)
class TicketFacts:
    """What conditions read from a ticket, loaded once per event."""

    priority: str
    group: int | None
    organization: int | None
    customer: int | None
    channel: str
    type: str
    category: int | None
    tags: frozenset[str] = frozenset()
    custom_fields: Mapping[str, Any] = field(default_factory=dict)


def _ints(value: Any) -> bool:
    return isinstance(value, list) and all(
        isinstance(v, int) and not isinstance(v, bool) for v in value
    )


def _strings(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def _choices(allowed: Callable[[], set[str]]) -> Callable[[Any, str, ErrorCollector], None]:
    def check(value: Any, part: str, errors: ErrorCollector) -> None:
        if not _strings(value):
            errors.add(part, _("Expected a list of names."))
            return
        known = allowed()
        for index, item in enumerate(value):
            if item not in known:
                errors.add(f"{part}[{index}]", _("Unknown value: %s") % (item,))

    return check


def _id_list(value: Any, part: str, errors: ErrorCollector) -> None:
    if not _ints(value):
        errors.add(part, _("Expected a list of ids."))


def _tag_list(value: Any, part: str, errors: ErrorCollector) -> None:
    if not _strings(value):
        errors.add(part, _("Expected a list of tag names."))


VALUE_CHECKS: dict[str, Callable[[Any, str, ErrorCollector], None]] = {
    "priority": _choices(lambda: {p.key for p in config_cache.priorities()}),
    "group": _id_list,
    "organization": _id_list,
    "customer": _id_list,
    "channel": _choices(lambda: set(Channel.values)),
    "type": _choices(lambda: set(TicketType.values)),
    "category": _id_list,
    "tags": _tag_list,
}
OPERATORS: dict[str, tuple[str, ...]] = {
    **{name: LIST_OPS for name in VALUE_CHECKS if name != "tags"},
    "tags": TAG_OPS,
    "custom_field": FIELD_OPS,
}


def validate_conditions(conditions: Any, *, prefix: str = "conditions") -> None:
    """Refuse bad clauses, every one named at once; nothing is saved."""
    errors = ErrorCollector()
    if not isinstance(conditions, list):
        raise Invalid.field(prefix, _("Conditions must be a list of clauses."))
    for index, clause in enumerate(conditions):
        part = f"{prefix}[{index}]"
        if not isinstance(clause, Mapping):
            errors.add(part, _("A condition is an object with a field, an operator and a value."))
            continue
        unknown = set(clause) - {"field", "op", "value", "key"}
        for name in sorted(unknown):
            errors.add(f"{part}.{name}", _("Unknown part of a condition."))
        name = clause.get("field")
        if name not in OPERATORS:
            errors.add(f"{part}.field", _("Unknown condition field: %s") % (name,))
            continue
        if clause.get("op") not in OPERATORS[name]:
            errors.add(
                f"{part}.op",
                _("Operator %(op)s does not fit %(field)s; use one of: %(ops)s")
                % {"op": clause.get("op"), "field": name, "ops": ", ".join(OPERATORS[name])},
            )
        if name == "custom_field":
            _check_custom_field(clause, part, errors)
        else:
            VALUE_CHECKS[name](clause.get("value"), f"{part}.value", errors)
    errors.raise_if_any()


def _check_custom_field(clause: Mapping[str, Any], part: str, errors: ErrorCollector) -> None:
    key = clause.get("key")
    fields = {f.key: f for f in config_cache.custom_fields(CustomFieldTarget.TICKET)}
    if not isinstance(key, str) or key not in fields:
        errors.add(f"{part}.key", _("Unknown custom field: %s") % (key,))
        return
    value = clause.get("value")
    if value is not None and not isinstance(value, str | int | float | bool):
        errors.add(f"{part}.value", _("Expected a text, a number or true/false."))


def matches(conditions: list[dict[str, Any]], facts: TicketFacts) -> bool:
    """Whether every clause holds for the ticket (validated conditions only)."""
    return all(_holds(clause, facts) for clause in conditions)


def _holds(clause: Mapping[str, Any], facts: TicketFacts) -> bool:
    name, op, value = clause["field"], clause["op"], clause["value"]
    if name == "custom_field":
        equal = facts.custom_fields.get(clause["key"]) == value
        return equal if op == "equals" else not equal
    if name == "tags":
        overlap = bool(facts.tags.intersection(value))
        return overlap if op == "any" else not overlap
    actual = getattr(facts, name)
    inside = actual in value
    return inside if op == "in" else not inside
