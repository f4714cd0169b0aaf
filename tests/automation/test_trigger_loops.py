"""A pair of rules that would set each other off without end is refused when saved, naming the
other rule; a pair that only may loop is saved with a warning; a longer ring is stopped at run
time (test_triggers.py)."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import translation

from atiende.automation.models import Trigger
from atiende.automation.triggers.endless import endless_loops
from atiende.automation.triggers.loops import possible_loops
from atiende.automation.triggers.services import create_trigger, update_trigger
from atiende.core.errors import Invalid
from tests.factories import SYSTEM

pytestmark = pytest.mark.django_db


def when(*conditions: dict[str, Any], any_of: tuple[dict[str, Any], ...] = ()) -> dict[str, Any]:
    return {"all": list(conditions), "any": list(any_of)}


def cond(field: str, operator: str, value: Any = None) -> dict[str, Any]:
    return {"field": field, "operator": operator, "value": value}


UPDATED = cond("event.kind", "is", "updated")


def pair(first: dict[str, Any], second: dict[str, Any]) -> list[str]:
    """Save ``first`` as an active rule; what saving ``second`` beside it is refused for."""
    create_trigger(SYSTEM, name="Primera regla", **first)
    refused: Invalid | None = None
    try:
        create_trigger(SYSTEM, name="Segunda regla", **second)
    except Invalid as error:
        refused = error
    if refused is None:
        return []
    assert [error.field for error in refused.errors] == ["actions"]
    assert not Trigger.objects.filter(name="Segunda regla").exists()  # nothing saved
    return [str(error.message) for error in refused.errors]


CERTAIN = {
    "status back and forth": (
        {"conditions": when(cond("status", "is", "open")),
         "actions": [{"type": "set_status", "value": "pending"}]},
        {"conditions": when(cond("status", "is", "pending")),
         "actions": [{"type": "set_status", "value": "open"}]},
    ),
    "tags handed back and forth": (
        {"conditions": when(cond("tags", "contains", "ping")),
         "actions": [{"type": "remove_tags", "value": ["ping"]},
                     {"type": "add_tags", "value": ["pong"]}]},
        {"conditions": when(cond("tags", "contains", "pong")),
         "actions": [{"type": "remove_tags", "value": ["pong"]},
                     {"type": "add_tags", "value": ["ping"]}]},
    ),
    "changed to, and a field neither rule writes": (
        {"conditions": when(UPDATED, cond("priority", "changed_to", "low"),
                            cond("customer.email", "contains", "@acme.test")),
         "actions": [{"type": "set_priority", "value": "urgent"}]},
        {"conditions": when(cond("priority", "changed_to", "urgent")),
         "actions": [{"type": "set_priority", "value": "low"}]},
    ),
    "notes answering notes": (
        {"conditions": when(cond("event.kind", "is", "message_added")),
         "actions": [{"type": "add_note", "body": "Visto."}]},
        {"conditions": when(cond("event.kind", "is", "message_added")),
         "actions": [{"type": "add_note", "body": "Anotado."}]},
    ),
    "any of several, one enough": (
        {"conditions": when(any_of=(cond("status", "is", "open"), cond("status", "is", "new"))),
         "actions": [{"type": "set_status", "value": "pending"}]},
        {"conditions": when(cond("status", "is_not", "open")),
         "actions": [{"type": "set_status", "value": "open"}]},
    ),
}  # fmt: skip


@pytest.mark.parametrize("case", CERTAIN, ids=list(CERTAIN))
def test_a_pair_that_certainly_loops_is_refused_naming_the_other_rule(case: str) -> None:
    first, second = CERTAIN[case]
    [message] = pair(first, second)
    assert "Primera regla" in message and "without end" in message


MAY_ONLY = {
    "the second change undoes nothing (tags only added)": (
        {"conditions": when(cond("tags", "contains", "ping")),
         "actions": [{"type": "add_tags", "value": ["pong"]}]},
        {"conditions": when(cond("tags", "contains", "pong")),
         "actions": [{"type": "add_tags", "value": ["ping"]}]},
    ),
    "the other's value does not fit": (
        {"conditions": when(cond("status", "is", "open")),
         "actions": [{"type": "set_status", "value": "pending"}]},
        {"conditions": when(cond("status", "is", "solved")),
         "actions": [{"type": "set_status", "value": "open"}]},
    ),
    "a value only known when it runs (raise priority)": (
        {"conditions": when(cond("priority", "is", "low")),
         "actions": [{"type": "raise_priority", "value": "high"}]},
        {"conditions": when(cond("priority", "is", "high")),
         "actions": [{"type": "set_priority", "value": "low"}]},
    ),
    "a part of the event that varies (direction)": (
        {"conditions": when(cond("event.direction", "is", "in")),
         "actions": [{"type": "add_note", "body": "Visto."}]},
        {"conditions": when(cond("event.kind", "is", "message_added")),
         "actions": [{"type": "add_note", "body": "Anotado."}]},
    ),
    "one rule only for new tickets": (
        {"conditions": when(cond("event.kind", "is", "created")),
         "actions": [{"type": "set_status", "value": "pending"}]},
        {"conditions": when(cond("status", "is", "pending")),
         "actions": [{"type": "set_status", "value": "open"}]},
    ),
    "the first rule's own change stops it (tag as a marker)": (
        {"conditions": when(cond("status", "is", "open"), cond("tags", "not_contains", "hecho")),
         "actions": [{"type": "set_status", "value": "pending"},
                     {"type": "add_tags", "value": ["hecho"]}]},
        {"conditions": when(cond("status", "is", "pending")),
         "actions": [{"type": "set_status", "value": "open"}]},
    ),
}  # fmt: skip


@pytest.mark.parametrize("case", MAY_ONLY, ids=list(MAY_ONLY))
def test_a_pair_that_does_not_certainly_loop_is_saved(case: str) -> None:
    first, second = MAY_ONLY[case]
    assert pair(first, second) == []
    assert endless_loops(**first) == []


def test_a_possible_loop_is_still_warned_of() -> None:
    first, second = MAY_ONLY["the second change undoes nothing (tags only added)"]
    pair(first, second)
    assert any("Segunda regla" in warning for warning in possible_loops(**first))


def test_an_inactive_rule_does_not_count_until_it_is_switched_on() -> None:
    first, second = CERTAIN["status back and forth"]
    create_trigger(SYSTEM, name="Primera regla", **first)
    dormant = create_trigger(SYSTEM, name="Segunda regla", active=False, **second)
    with pytest.raises(Invalid) as refused:
        update_trigger(SYSTEM, trigger_id=dormant.pk, changes={"active": True})
    assert "Primera regla" in str(refused.value.errors[0].message)
    dormant.refresh_from_db()
    assert dormant.active is False


def test_changing_a_rule_into_a_loop_is_refused_and_leaves_it_as_it_was() -> None:
    first, second = CERTAIN["status back and forth"]
    create_trigger(SYSTEM, name="Primera regla", **first)
    calm = create_trigger(
        SYSTEM, name="Segunda regla", conditions=second["conditions"],
        actions=[{"type": "notify", "to": "group", "text": "pendiente"}],
    )  # fmt: skip
    with pytest.raises(Invalid):
        update_trigger(SYSTEM, trigger_id=calm.pk, changes={"actions": second["actions"]})
    calm.refresh_from_db()
    assert calm.actions[0]["type"] == "notify"
    # Saving a rule again is not a loop with itself.
    update_trigger(SYSTEM, trigger_id=calm.pk, changes={"name": "Aviso"})


def test_the_refusal_is_in_spanish_for_a_spanish_speaking_admin() -> None:
    first, second = CERTAIN["status back and forth"]
    with translation.override("es"):
        [message] = pair(first, second)
    assert "Primera regla" in message and "sin fin" in message
