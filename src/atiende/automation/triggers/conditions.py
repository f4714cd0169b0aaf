"""Compiling a rule's conditions: ``{"field", "operator", "value"}`` in ``all`` / ``any`` lists.

``compile_conditions`` turns a definition ``fields.validate_conditions`` accepted into plain
functions of the event's ``Facts`` once, so evaluating a rule is only calls and comparisons
(the compiled rules are cached per process, ``triggers.cache``).

Text compares without case and accents ("caido" finds "caído"), the way people type Spanish.
The ``changed*`` operators read the old and new values the event carries
(``TicketUpdated.changes``), never the database.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from atiende.automation import business_hours
from atiende.automation.triggers.facts import Facts
from atiende.automation.triggers.fields import CHANGE_OPS, Field, Getter, Type, as_date, field_named
from atiende.core.errors import Invalid
from atiende.core.folding import fold_accents
from atiende.tickets import config_cache

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
            return _ordered(get, operator, value, as_date)
        case _:
            return _equals(found.type, get, operator, value)


def _equals(kind: Type, get: Getter, operator: str, value: Any) -> Test:
    wanted = value if isinstance(value, list) else [value]
    if kind in (Type.CHOICE, Type.RATING):
        wanted = [str(v) for v in wanted]

    def test(facts: Facts) -> bool:
        actual = get(facts)
        if kind == Type.RATING:  # a rating is also "rated"; no rating is "not_rated"
            said = {str(actual), "rated"} if actual is not None else {"not_rated"}
            return bool(said.intersection(wanted)) == (operator == "is")
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
