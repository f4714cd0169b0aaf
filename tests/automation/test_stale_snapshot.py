"""A trigger or time-based rule deleted by another process while this one's snapshot still
holds it: the ticket's change commits, and the rules that remain act and are counted."""

from __future__ import annotations

import pytest

from atiende.automation.models import TimedRule, TimedRuleDue, Trigger
from atiende.automation.timed import cache as timed_cache
from atiende.automation.timed.services import create_timed_rule
from atiende.automation.triggers import cache
from atiende.automation.triggers.services import create_trigger
from tests.factories import SYSTEM, make_ticket

# Real commits: a dangling id fails only there, when the foreign keys are checked.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
CREATED = {"all": [{"field": "event.kind", "operator": "is", "value": "created"}]}


def tagging(name: str) -> Trigger:
    return create_trigger(
        SYSTEM, name=name, conditions=CREATED, actions=[{"type": "add_tags", "value": [name]}]
    )


def unassigned(name: str) -> TimedRule:
    actions = [{"type": "add_tags", "value": [name]}]
    return create_timed_rule(SYSTEM, name=name, condition="unassigned", minutes=30, actions=actions)


def test_a_trigger_deleted_elsewhere_fails_nothing_and_the_others_count() -> None:
    gone, kept = tagging("gone"), tagging("kept")
    assert [t.id for t in cache.active_triggers()] == [gone.pk, kept.pk]  # primed
    Trigger.objects.filter(pk=gone.pk).delete()  # as another process: the snapshot stays

    ticket = make_ticket()

    assert "kept" in set(ticket.tags.values_list("name", flat=True))
    kept.refresh_from_db()
    assert kept.fired_count == 1
    assert not Trigger.objects.filter(pk=gone.pk).exists()


def test_a_timed_rule_deleted_elsewhere_fails_nothing_and_the_others_time() -> None:
    gone, kept = unassigned("gone"), unassigned("kept")
    assert {r.pk for r in timed_cache.active_rules()} == {gone.pk, kept.pk}  # primed
    TimedRule.objects.filter(pk=gone.pk).delete()  # as another process: the snapshot stays

    ticket = make_ticket()

    dues = TimedRuleDue.objects.filter(ticket=ticket)
    assert list(dues.values_list("rule_id", flat=True)) == [kept.pk]
    assert {r.pk for r in timed_cache.active_rules()} == {kept.pk}  # caught up at once
