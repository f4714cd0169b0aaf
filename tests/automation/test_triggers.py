"""Triggers: saved whole or not at all, run in order on ticket events, protected from loops,
counted, and dry-run without writing anything."""

from __future__ import annotations

from typing import Any

import pytest

from atiende.automation.actions import action_types
from atiende.automation.models import Trigger
from atiende.automation.triggers import engine
from atiende.automation.triggers.dry_run import dry_run
from atiende.automation.triggers.services import (
    create_trigger,
    delete_trigger,
    record_fired,
    update_trigger,
)
from atiende.core.errors import Forbidden, Invalid, NotFound
from atiende.outbox.models import Effect
from atiende.tickets import services as tickets
from atiende.tickets.models import Message, Tag, Ticket, TicketEvent
from tests.factories import SYSTEM, make_admin, make_agent, make_customer, make_ticket, web

pytestmark = pytest.mark.django_db


def contains(field: str, value: Any) -> dict[str, Any]:
    return {"field": field, "operator": "contains", "value": value}


def tags_of(ticket: Ticket) -> list[str]:
    return sorted(ticket.tags.values_list("name", flat=True))


def notes_of(ticket: Ticket) -> list[str]:
    notes = Message.objects.filter(ticket=ticket, public=False).order_by("pk")
    return [m.body_text for m in notes]


def test_a_matching_trigger_acts_as_the_rule_and_is_counted() -> None:
    rule = create_trigger(
        SYSTEM,
        name="Outage words",
        conditions={
            "all": [{"field": "event.kind", "operator": "is", "value": "created"}],
            "any": [contains("subject", "caído"), contains("description", "outage")],
        },
        actions=[{"type": "add_tags", "value": ["outage"]}],
    )
    hit = make_ticket(subject="El sistema está caido")
    miss = make_ticket(subject="Una pregunta")
    assert tags_of(hit) == ["outage"] and tags_of(miss) == []
    event = TicketEvent.objects.get(ticket=hit, field="tags")
    assert (event.source, event.source_detail, event.actor_id) == ("rule", f"rule:{rule.pk}", None)
    rule.refresh_from_db()
    assert rule.fired_count == 1 and rule.last_fired_at is not None


def test_rules_run_in_order_and_later_ones_see_earlier_changes() -> None:
    second = create_trigger(
        SYSTEM,
        name="second",
        order=20,
        conditions={"all": [{"field": "tags", "operator": "contains", "value": "seen"}]},
        actions=[{"type": "add_note", "body": "second"}],
    )
    create_trigger(
        SYSTEM,
        name="first",
        order=10,
        conditions={"all": [{"field": "event.kind", "operator": "is", "value": "created"}]},
        actions=[{"type": "add_note", "body": "first"}, {"type": "add_tags", "value": "seen"}],
    )
    ticket = make_ticket()
    assert notes_of(ticket) == ["first", "second"]
    update_trigger(SYSTEM, trigger_id=second.pk, changes={"order": 5})
    other = make_ticket()
    # Now "second" runs first, before the tag exists; it then reacts to the tag change.
    assert notes_of(other) == ["first", "second"]
    assert Trigger.objects.get(pk=second.pk).fired_count == 2


def test_inactive_and_deleted_triggers_do_not_run() -> None:
    rule = create_trigger(
        SYSTEM, name="n", conditions={}, actions=[{"type": "add_note", "body": "x"}], active=False
    )
    assert notes_of(make_ticket()) == []
    update_trigger(SYSTEM, trigger_id=rule.pk, changes={"active": True})
    assert notes_of(make_ticket()) == ["x"]
    delete_trigger(SYSTEM, trigger_id=rule.pk)
    assert notes_of(make_ticket()) == []


def test_a_rule_does_not_react_to_its_own_change() -> None:
    rule = create_trigger(
        SYSTEM,
        name="tag every update",
        conditions={"all": [{"field": "event.kind", "operator": "is", "value": "updated"}]},
        actions=[{"type": "add_tags", "value": ["touched"]}, {"type": "add_note", "body": "n"}],
    )
    agent = make_agent()
    ticket = make_ticket()
    tickets.update_ticket(
        web(agent), ticket_id=ticket.pk, version=None, changes={"priority": "high"}
    )
    rule.refresh_from_db()
    assert rule.fired_count == 1
    assert tags_of(ticket) == ["touched"]


def test_a_cycle_of_rules_stops_at_the_depth_limit_and_says_so() -> None:
    # Three rules in a ring (a pair that certainly loops is refused when saved, see
    # test_trigger_loops.py; a longer ring is what the run-time limit is for).
    ring = ["ping", "pong", "pang"]
    rules = [
        create_trigger(
            SYSTEM,
            name=f"Rule {tag}",
            conditions={"all": [contains("tags", tag)]},
            actions=[
                {"type": "remove_tags", "value": [tag]},
                {"type": "add_tags", "value": [ring[(index + 1) % len(ring)]]},
            ],
        )
        for index, tag in enumerate(ring)
    ]
    ticket = make_ticket()
    tickets.tag_ticket(SYSTEM, ticket_id=ticket.pk, add=["ping"])
    for rule in rules:
        rule.refresh_from_db()
    assert sum(rule.fired_count for rule in rules) == engine.MAX_DEPTH
    [note] = Message.objects.filter(ticket=ticket, public=False)
    assert "was stopped" in note.body_text and "loop" in note.body_text
    stopped = rules[engine.MAX_DEPTH % len(rules)]
    assert stopped.name in note.body_text
    created = TicketEvent.objects.filter(ticket=ticket, action="message").first()
    assert created is None or created.source_detail == f"rule:{stopped.pk}"


def test_a_rule_that_cannot_act_is_undone_alone_and_the_change_commits() -> None:
    rule = create_trigger(
        SYSTEM,
        name="Thank on close",
        conditions={"all": [{"field": "status", "operator": "changed_to", "value": "closed"}]},
        actions=[
            {"type": "add_tags", "value": ["thanked"]},
            {"type": "email", "to": "customer", "body_en": "Thanks!"},
        ],
    )
    ticket = make_ticket()
    tickets.change_status(SYSTEM, ticket_id=ticket.pk, status="closed")
    ticket.refresh_from_db()
    assert ticket.status.key == "closed"
    assert tags_of(ticket) == []  # the rule's first action was undone with it
    [note] = notes_of(ticket)
    assert "Thank on close" in note and "could not run" in note
    rule.refresh_from_db()
    assert rule.fired_count == 0


def test_counters_add_up_without_lost_updates() -> None:
    rule = create_trigger(
        SYSTEM, name="n", conditions={}, actions=[{"type": "add_note", "body": "x"}]
    )
    stale = Trigger.objects.get(pk=rule.pk)
    record_fired(rule.pk)
    record_fired(stale.pk)  # an F() expression: the stale copy's count is not written back
    rule.refresh_from_db()
    assert rule.fired_count == 2


def test_only_admins_manage_triggers() -> None:
    with pytest.raises(Forbidden):
        create_trigger(
            web(make_agent()), name="n", conditions={}, actions=[{"type": "add_note", "body": "x"}]
        )


def test_a_bad_trigger_is_refused_whole_naming_each_part() -> None:
    shipped = Trigger.objects.count()
    with pytest.raises(Invalid) as raised:
        create_trigger(
            SYSTEM,
            name="",
            conditions={"all": [{"field": "mood", "operator": "is", "value": "sad"}]},
            actions=[
                {"type": "add_note", "body": "ok"},
                {"type": "explode"},
                {"type": "add_tags", "value": 3},
            ],
        )
    assert [e.field for e in raised.value.errors] == [
        "name",
        "conditions.all[0].field",
        "actions[1].type",
        "actions[2].value",
    ]
    assert Trigger.objects.count() == shipped
    with pytest.raises(Invalid) as raised:
        create_trigger(SYSTEM, name="n", conditions={}, actions=[])
    assert raised.value.errors[0].field == "actions"
    rule = create_trigger(
        SYSTEM, name="n", conditions={}, actions=[{"type": "add_note", "body": "x"}]
    )
    with pytest.raises(Invalid) as raised:
        update_trigger(
            SYSTEM,
            trigger_id=rule.pk,
            changes={
                "conditions": {
                    "all": [{"field": "priority", "operator": "contains", "value": "high"}]
                }
            },
        )
    assert raised.value.errors[0].field == "conditions.all[0].operator"
    rule.refresh_from_db()
    assert rule.conditions == {}
    with pytest.raises(NotFound):
        update_trigger(SYSTEM, trigger_id=rule.pk + 100, changes={"name": "x"})


def _counts() -> tuple[int, ...]:
    return (
        TicketEvent.objects.count(),
        Message.objects.count(),
        Effect.objects.count(),
        Tag.objects.count(),
        Trigger.objects.filter(fired_count__gt=0).count(),
    )


def test_dry_run_says_what_a_saved_rule_would_do_and_writes_nothing() -> None:
    admin = make_admin()
    ticket = make_ticket(subject="Caída total", priority="normal")
    rule = create_trigger(
        SYSTEM,
        name="Outage",
        active=False,
        conditions={
            "all": [contains("subject", "caida")],
            "any": [
                {"field": "priority", "operator": "gt", "value": "high"},
                {"field": "priority", "operator": "is", "value": "normal"},
            ],
        },
        actions=[
            {"type": "add_tags", "value": ["outage"]},
            {"type": "add_note", "body": "Watch this one"},
            {"type": "notify", "to": "supervisor", "text": "Outage!"},
        ],
    )
    before = _counts()
    result = dry_run(web(admin), trigger=rule, ticket_id=ticket.pk)
    assert _counts() == before
    assert tags_of(ticket) == []
    assert result.matches
    assert [(c.part, c.result) for c in result.conditions] == [
        ("all[0]", True),
        ("any[0]", False),
        ("any[1]", True),
    ]
    tags, note, notify = result.actions
    assert [(c.field, c.old, c.new) for c in tags.changes] == [("tags", [], ["outage"])]
    assert note.messages == [{"public": False, "direction": "out"}]
    assert "Outage!" in notify.notes[0]


def test_dry_run_of_an_unsaved_definition_and_of_bad_input() -> None:
    admin = make_admin()
    ticket = make_ticket(priority="low")
    tickets.change_status(SYSTEM, ticket_id=ticket.pk, status="closed")
    definition = {
        "conditions": {"all": [{"field": "priority", "operator": "is", "value": "high"}]},
        "actions": [{"type": "email", "to": "customer", "body_es": "Hola"}],
    }
    before = _counts()
    result = dry_run(web(admin), definition=definition, ticket_id=ticket.pk)
    assert _counts() == before
    assert not result.matches
    assert result.actions[0].error  # a closed ticket takes no reply
    with pytest.raises(Invalid) as raised:
        dry_run(
            web(admin),
            definition={"conditions": {}, "actions": [{"type": "nope"}]},
            ticket_id=ticket.pk,
        )
    assert raised.value.errors[0].field == "actions[0].type"
    with pytest.raises(NotFound):
        dry_run(web(admin), definition=definition, ticket_id=ticket.pk + 1000)
    with pytest.raises(Forbidden):
        dry_run(web(make_agent()), definition=definition, ticket_id=ticket.pk)


def test_a_possible_loop_is_warned_when_saving() -> None:
    from atiende.automation.triggers.loops import possible_loops

    ping = {
        "conditions": {"all": [{"field": "tags", "operator": "contains", "value": "ping"}]},
        "actions": [{"type": "add_tags", "value": ["pong"]}],
    }
    pong = {
        "conditions": {"all": [{"field": "tags", "operator": "contains", "value": "pong"}]},
        "actions": [{"type": "add_tags", "value": ["ping"]}],
    }
    calm = {
        "conditions": {"all": [{"field": "priority", "operator": "is", "value": "high"}]},
        "actions": [{"type": "notify", "to": "group", "text": "high"}],
    }
    saved = create_trigger(SYSTEM, name="Pong rule", **pong)
    create_trigger(SYSTEM, name="Calm rule", **calm)
    [warning] = possible_loops(**ping)
    assert "Pong rule" in warning
    assert possible_loops(**pong, exclude_id=saved.pk) == []
    assert possible_loops(**calm) == []


@pytest.mark.skipif("set_status" not in action_types(), reason="set_status comes with macros")
def test_an_undone_rule_leaves_the_inbox_counts_true() -> None:
    from atiende.tickets import tally

    create_trigger(
        SYSTEM,
        name="Half a rule",
        conditions={"all": [{"field": "event.kind", "operator": "is", "value": "created"}]},
        actions=[
            {"type": "set_status", "value": "pending"},
            {"type": "set_status", "value": "new"},  # pending → new: not allowed
        ],
    )
    ticket = make_ticket()
    ticket.refresh_from_db()
    assert ticket.status.key == "new"
    assert tally.kept() == tally.recount()


def test_a_rule_failing_on_a_merged_ticket_does_not_stop_the_merge() -> None:
    create_trigger(
        SYSTEM,
        name="Note on close",
        conditions={"all": [{"field": "status", "operator": "changed_to", "value": "closed"}]},
        actions=[{"type": "add_note", "body": "Closed."}],
    )
    customer = make_customer()
    source, target = make_ticket(customer), make_ticket(customer)
    tickets.merge_tickets(SYSTEM, source_id=source.pk, target_id=target.pk)
    source.refresh_from_db()
    assert source.merged_into_id == target.pk and source.status.key == "closed"
    assert not Message.objects.filter(ticket=source, public=False).exists()
