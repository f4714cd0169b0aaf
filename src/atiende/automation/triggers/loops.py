"""Warning, when a rule is saved, of rules it may loop with; the depth at which a chain stops.

Two rules loop when each changes what the other reacts to (rule A adds a tag rule B looks
for, and B changes the status A looks for…). Whether they will depends on the tickets and
events to come, so ``possible_loops`` is a warning for the person writing the rule; a pair that
certainly loops is refused (``endless``); at run time the engine stops any chain at
``MAX_DEPTH`` and says so in the history.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.utils.translation import gettext as _

from atiende.automation.models import Trigger

# How many rules deep a chain may go (each set off by the one before) before the engine stops it.
MAX_DEPTH = 5
EVERYTHING = "*"
# What each action type changes on the ticket ("message": a message is added).
WRITES: dict[str, frozenset[str]] = {
    "add_tags": frozenset({"tags"}),
    "remove_tags": frozenset({"tags"}),
    "add_note": frozenset({"message"}),
    "email": frozenset({"message"}),
    "notify": frozenset(),
    "set_status": frozenset({"status"}),
    "set_priority": frozenset({"priority"}),
    "raise_priority": frozenset({"priority"}),
    "set_group": frozenset({"group", "assignee"}),
    "set_assignee": frozenset({"assignee"}),
    "assign": frozenset({"assignee"}),
    "set_type": frozenset({"type"}),
    "set_category": frozenset({"category"}),
}
# Conditions on these read the event, not a ticket field a rule could change.
EVENT_ONLY = frozenset({"event.source", "event.time", "customer", "organization"})


def writes(actions: Sequence[Mapping[str, Any]]) -> set[str]:
    """The ticket fields (and "message") that ``actions`` may change."""
    found: set[str] = set()
    for params in actions:
        kind = params.get("type")
        if kind == "set_field":
            found.add(f"custom.{params.get('field')}")
        elif isinstance(kind, str) and kind in WRITES:
            found |= WRITES[kind]
        else:
            found.add(EVERYTHING)  # a macro, or a type this module does not know
    return found


def reacts_to(conditions: Mapping[str, Any]) -> set[str]:
    """What changes may make ``conditions`` hold: the fields they read ("*": any change)."""
    found: set[str] = set()
    items = [*conditions.get("all", []), *conditions.get("any", [])]
    for condition in items:
        field = str(condition.get("field", ""))
        if field == "event.kind":
            value = condition.get("value")
            values = value if isinstance(value, list) else [value]
            if "message_added" in values and condition.get("operator") == "is":
                found.add("message")
            continue
        if field in EVENT_ONLY or field.split(".")[0] in EVENT_ONLY or field.startswith("event."):
            continue
        found.add(field)
    return found or {EVERYTHING}


def _overlap(changed: set[str], watched: set[str]) -> bool:
    if EVERYTHING in changed or EVERYTHING in watched:
        return bool(changed) and bool(watched)
    return bool(changed & watched)


def possible_loops(
    *,
    conditions: Mapping[str, Any],
    actions: Sequence[Mapping[str, Any]],
    exclude_id: int | None = None,
) -> list[str]:
    """One warning per active rule the given definition may loop with."""
    mine_write, mine_watch = writes(actions), reacts_to(conditions)
    warnings: list[str] = []
    others = Trigger.objects.filter(active=True).order_by("order", "pk")
    for other in others:
        if other.pk == exclude_id:
            continue
        theirs_write = writes(other.actions or [])
        theirs_watch = reacts_to(other.conditions or {})
        if _overlap(mine_write, theirs_watch) and _overlap(theirs_write, mine_watch):
            warnings.append(
                _(
                    "This rule and “%(name)s” may set each other off: each changes what "
                    "the other looks at. A chain of rules stops after %(depth)d."
                )
                % {"name": other.name, "depth": MAX_DEPTH}
            )
    return warnings
