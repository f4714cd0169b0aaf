"""Refusing a pair of rules that would certainly set each other off without end.

``endless_loops`` plays two rules against each other on a ticket of which it knows only what
they set: once one has fired, does each one's change make the other's conditions true again,
and change something each time? (A sets "pending" where B looks for it, B sets "open" where A
does.) Then the pair would run until the engine's depth limit on every ticket it touches, and
the services refuse it. A field neither rule writes keeps its value through the loop, so it
counts as holding. What depends on the tickets and events to come is not refused — a value
only known when the rule runs (``raise_priority``, ``assign``), a part of the event that varies
(direction, channel, time), a macro: ``loops.possible_loops`` warns of those.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any, cast

from atiende.automation.actions.tags import tag_names
from atiende.automation.models import Trigger
from atiende.automation.triggers.conditions import compile_condition, fold
from atiende.automation.triggers.facts import Facts, Kind
from atiende.automation.triggers.fields import CHANGE_OPS, field_named
from atiende.automation.triggers.loops import MAX_DEPTH
from atiende.core.actor import Source
from atiende.core.event_types import FieldChange
from atiende.tickets.models import Ticket

# What each action type sets, by condition field, when the value is in the action itself.
SETS = {
    "set_status": "status",
    "set_priority": "priority",
    "set_group": "group",
    "set_assignee": "assignee",
    "set_type": "type",
    "set_category": "category",
}
# Actions whose result is not in the action: the field's value cannot be foreseen.
UNFORESEEN = {"raise_priority": ("priority",), "assign": ("assignee",), "set_group": ("assignee",)}
QUIET = frozenset({"notify"})


@dataclass(frozen=True)
class _Effect:
    """What a rule's actions do to any ticket: values set, tags added and removed, fields set
    to values only known when it runs, and the messages it adds (public or not)."""

    values: dict[str, Any]
    added: frozenset[str]
    removed: frozenset[str]
    unforeseen: frozenset[str]
    messages: tuple[bool, ...]


def _effect(actions: Sequence[Mapping[str, Any]]) -> _Effect | None:
    """The effect of ``actions``; None when one of them cannot be foreseen at all (a macro)."""
    values: dict[str, Any] = {}
    added: set[str] = set()
    removed: set[str] = set()
    unforeseen: set[str] = set()
    messages: list[bool] = []
    for params in actions:
        kind = params.get("type")
        if kind in SETS:
            values[SETS[str(kind)]] = params.get("value")
        elif kind == "set_field":
            values[f"custom.{params.get('field')}"] = params.get("value")
        elif kind in ("add_tags", "remove_tags"):
            names = {fold(name) for name in tag_names(params.get("value"))}
            (added if kind == "add_tags" else removed).update(names)
            (removed if kind == "add_tags" else added).difference_update(names)
        elif kind == "add_note":
            messages.append(False)
        elif kind == "email":
            if params.get("to") == "customer":
                messages.append(True)
        elif kind not in UNFORESEEN and kind not in QUIET:
            return None
        unforeseen.update(UNFORESEEN.get(str(kind), ()))
    return _Effect(
        values, frozenset(added), frozenset(removed), frozenset(unforeseen), tuple(messages)
    )


@dataclass
class _Event:
    kind: str
    changes: dict[str, FieldChange] = field(default_factory=dict)
    unknown_old: set[str] = field(default_factory=set)  # changes whose old value is not known
    public: bool | None = None


@dataclass
class _Ticket:
    """What is known of a ticket the pair keeps changing: values the rules set, tags they
    added or removed, and fields set to values not foreseen."""

    values: dict[str, Any] = field(default_factory=dict)
    tags: dict[str, bool] = field(default_factory=dict)
    unforeseen: set[str] = field(default_factory=set)

    def apply(self, effect: _Effect) -> list[_Event]:
        """Apply a rule's effect; the events it publishes (none when nothing changed)."""
        update = _Event(Kind.UPDATED)
        for name, new in effect.values.items():
            tracked = _tracked(name)
            if name in self.values and self.values[name] == new and name not in self.unforeseen:
                continue
            if name not in self.values or name in self.unforeseen:
                update.unknown_old.add(tracked)
            update.changes[tracked] = FieldChange(tracked, self.values.get(name), new)
            self.values[name] = new
            self.unforeseen.discard(name)
        for name in effect.unforeseen - set(effect.values):
            self.unforeseen.add(name)
            update.changes[_tracked(name)] = FieldChange(_tracked(name), None, None)
            update.unknown_old.add(_tracked(name))
        wanted = {**dict.fromkeys(effect.added, True), **dict.fromkeys(effect.removed, False)}
        if any(self.tags.get(tag) is not present for tag, present in wanted.items()):
            update.changes["tags"] = FieldChange("tags", None, None)
            self.tags.update(wanted)
        events = [update] if update.changes else []
        return events + [_Event(Kind.MESSAGE_ADDED, public=public) for public in effect.messages]


def _tracked(name: str) -> str:
    found = field_named(name)
    return found.tracked if found is not None and found.tracked else name


def _holds(condition: Mapping[str, Any], ticket: _Ticket, event: _Event) -> bool | None:
    """Whether ``condition`` holds on the event; None when it depends on what is not known.

    A field neither rule writes keeps its value through the loop: it held when the rule first
    fired, so it holds again (True). The event's other parts (direction, channel, time) vary.
    """
    name = str(condition["field"])
    operator = condition["operator"]
    if operator in CHANGE_OPS:
        tracked = _tracked(name)
        if tracked not in event.changes:
            return False
        if name in ticket.unforeseen or (
            operator == "changed_from" and tracked in event.unknown_old
        ):
            return None
        return compile_condition(condition)(_facts(ticket, event))
    if name in ("event.kind", "event.source", "event.public"):
        return compile_condition(condition)(_facts(ticket, event))
    if name.startswith("event."):
        return None
    if name == "tags":
        return _tags_hold(condition, ticket)
    if name in ticket.unforeseen:
        return None
    if name not in ticket.values:
        return True
    return compile_condition(condition)(_facts(ticket, event))


def _tags_hold(condition: Mapping[str, Any], ticket: _Ticket) -> bool | None:
    wanted = {fold(name) for name in tag_names(condition.get("value"))}
    known = {tag for tag in wanted if tag in ticket.tags}
    present = any(ticket.tags[tag] for tag in known)
    match condition["operator"]:
        case "contains":
            return present or known != wanted
        case "not_contains":
            return not present
        case "present":
            return True
        case _:  # blank
            return not any(ticket.tags.values())


def _facts(ticket: _Ticket, event: _Event) -> Facts:
    """The facts a compiled condition reads, made of what is known."""
    values = ticket.values
    custom = {name[7:]: value for name, value in values.items() if name.startswith("custom.")}
    facts = Facts(
        kind=event.kind,
        ticket_id=0,
        source=Source.RULE,
        public=event.public,
        changes=event.changes,
        carried={"group": values.get("group"), "assignee": values.get("assignee")},
    )
    stand_in = SimpleNamespace(
        status=SimpleNamespace(key=values.get("status")),
        priority=SimpleNamespace(key=values.get("priority")),
        category_id=values.get("category"),
        type=values.get("type"),
        custom_fields=custom,
    )
    facts.preload(cast(Ticket, stand_in))
    return facts


def _fires(conditions: Mapping[str, Any], ticket: _Ticket, events: list[_Event]) -> bool | None:
    """Whether a rule with ``conditions`` fires on one of ``events`` (None: cannot be known)."""
    unknown = False
    for event in events:
        required = [_holds(c, ticket, event) for c in conditions.get("all", [])]
        either = [_holds(c, ticket, event) for c in conditions.get("any", [])]
        if False in required or (either and all(r is False for r in either)):
            continue
        if None in required or (either and True not in either):
            unknown = True
            continue
        return True
    return None if unknown else False


def _endless(first: Mapping[str, Any], second: Mapping[str, Any]) -> bool:
    """Whether, once ``first`` has fired, the two rules would set each other off until the
    engine's depth limit: both effects foreseeable, each firing certain and changing something."""
    first_effect, second_effect = _effect(first["actions"]), _effect(second["actions"])
    if first_effect is None or second_effect is None:
        return False
    effects = [first_effect, second_effect]
    rules = [first, second]
    ticket = _Ticket()
    events = ticket.apply(effects[0])
    turn = 1
    for _step in range(2 * MAX_DEPTH):
        if not events or _fires(rules[turn]["conditions"], ticket, events) is not True:
            return False
        events = ticket.apply(effects[turn])
        turn = 1 - turn
    return True


def endless_loops(
    *,
    conditions: Mapping[str, Any],
    actions: Sequence[Mapping[str, Any]],
    exclude_id: int | None = None,
) -> list[str]:
    """The names of the active rules the given definition would certainly loop with."""
    mine = {"conditions": conditions, "actions": list(actions)}
    names: list[str] = []
    for other in Trigger.objects.filter(active=True).order_by("order", "pk"):
        if other.pk == exclude_id:
            continue
        theirs = {"conditions": other.conditions or {}, "actions": other.actions or []}
        if _endless(mine, theirs) or _endless(theirs, mine):
            names.append(other.name)
    return names
