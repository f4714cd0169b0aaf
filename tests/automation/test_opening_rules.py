"""Rules that only set a new ticket's own fields act as it is opened, before its first write
(``automation.triggers.opening``): one write, one creation event with the final values, the
history still naming each rule; a rule that does anything else, and every rule after it, runs
after the write as before."""

from __future__ import annotations

import pytest

from atiende.automation.models import Trigger
from atiende.automation.triggers.services import create_trigger
from atiende.core.event_types import TicketCreated, TicketUpdated
from atiende.core.events import capture_events
from atiende.tickets.models import TicketEvent
from tests.factories import SYSTEM, make_agent, make_group, make_ticket

pytestmark = pytest.mark.django_db

ON_CREATED = {"field": "event.kind", "operator": "is", "value": "created"}
URGENT_WORDS = {"field": "subject", "operator": "contains_words", "value": ["urgente", "caído"]}


def words_rule(name: str = "Urgent words", **extra: object) -> Trigger:
    return create_trigger(
        SYSTEM,
        name=name,
        conditions={"all": [ON_CREATED], "any": [URGENT_WORDS]},
        actions=[{"type": "raise_priority", "value": "urgent"}],
        **extra,  # type: ignore[arg-type]
    )


def history(ticket_id: int) -> list[tuple[str, str, str]]:
    return [
        (e.action, e.field, e.source_detail)
        for e in TicketEvent.objects.filter(ticket_id=ticket_id).order_by("pk")
    ]


def test_a_field_rule_changes_the_ticket_as_it_is_opened() -> None:
    rule = words_rule()
    with capture_events() as events:
        ticket = make_ticket(subject="El servidor está CAÍDO desde las 9")
    ticket.refresh_from_db()
    assert ticket.priority.key == "urgent"
    assert ticket.version == 1  # written once
    created = [e for e in events if isinstance(e, TicketCreated)]
    assert len(created) == 1
    assert created[0].priority_id == ticket.priority_id
    assert created[0].rules_applied == (rule.pk,)
    assert not [e for e in events if isinstance(e, TicketUpdated)]
    assert history(ticket.pk) == [
        ("created", "", "tests"),
        ("updated", "priority", f"rule:{rule.pk}"),
    ]
    rule.refresh_from_db()
    assert rule.fired_count == 1


def test_a_ticket_without_the_words_is_left_as_it_is() -> None:
    rule = words_rule()
    ticket = make_ticket(subject="Consulta sobre la factura")
    ticket.refresh_from_db()
    assert ticket.priority.key == "normal"
    assert [field for _a, field, _d in history(ticket.pk)] == [""]
    rule.refresh_from_db()
    assert rule.fired_count == 0


def test_a_later_rule_sees_what_an_earlier_one_set() -> None:
    words_rule()
    follow = create_trigger(
        SYSTEM,
        name="Urgent is an incident",
        conditions={
            "all": [ON_CREATED, {"field": "priority", "operator": "is", "value": "urgent"}]
        },
        actions=[{"type": "set_type", "value": "incident"}],
    )
    with capture_events() as events:
        ticket = make_ticket(subject="urgente: no hay red")
    ticket.refresh_from_db()
    assert (ticket.priority.key, ticket.type) == ("urgent", "incident")
    assert not [e for e in events if isinstance(e, TicketUpdated)]
    assert history(ticket.pk)[-1] == ("updated", "type", f"rule:{follow.pk}")


def test_a_rule_that_does_more_and_every_rule_after_it_run_after_the_write() -> None:
    agent = make_agent(make_group("Soporte"))
    first = create_trigger(
        SYSTEM,
        name="Tag and raise",
        conditions={"all": [ON_CREATED], "any": [URGENT_WORDS]},
        actions=[
            {"type": "add_tags", "value": ["caida"]},
            {"type": "raise_priority", "value": "high"},
        ],
    )
    later = words_rule("Then urgent")
    with capture_events() as events:
        ticket = make_ticket(subject="Todo caído", group_id=agent.groups.get().pk)
    ticket.refresh_from_db()
    assert ticket.priority.key == "urgent"
    assert sorted(ticket.tags.values_list("name", flat=True)) == ["caida"]
    created = next(e for e in events if isinstance(e, TicketCreated))
    assert created.rules_applied == ()
    updated_by = [e.source_detail for e in events if isinstance(e, TicketUpdated)]
    assert f"rule:{first.pk}" in updated_by and f"rule:{later.pk}" in updated_by


def test_a_rule_an_agent_deactivated_does_not_act() -> None:
    words_rule(active=False)
    ticket = make_ticket(subject="urgente")
    ticket.refresh_from_db()
    assert ticket.priority.key == "normal"


def test_a_rule_that_does_not_hold_as_the_ticket_is_opened_is_not_checked_again() -> None:
    """The written ticket is the one it was checked against: after the write the engine
    skips it rather than read the ticket, its first message and its organization again."""
    rule = words_rule()
    with capture_events() as events:
        ticket = make_ticket(subject="Una pregunta sobre la factura")
    created = next(e for e in events if isinstance(e, TicketCreated))
    assert created.rules_applied == ()
    assert rule.pk in created.rules_declined
    rule.refresh_from_db()
    assert rule.fired_count == 0
    ticket.refresh_from_db()
    assert ticket.priority.key != "urgent"


def test_a_declined_rule_still_hears_the_changes_made_after_the_write() -> None:
    """Declined for the creation, it is checked again on the update a later rule makes."""
    tagger = create_trigger(
        SYSTEM,
        name="Tag billing",
        conditions={
            "all": [ON_CREATED, {"field": "subject", "operator": "contains", "value": "factura"}]
        },
        actions=[{"type": "add_tags", "value": ["facturacion"]}],
        order=20,
    )
    on_tag = create_trigger(
        SYSTEM,
        name="Billing is high",
        conditions={"all": [{"field": "tags", "operator": "contains", "value": "facturacion"}]},
        actions=[{"type": "set_priority", "value": "high"}],
        order=10,
    )
    with capture_events() as events:
        ticket = make_ticket(subject="Error en la factura")
    created = next(e for e in events if isinstance(e, TicketCreated))
    assert on_tag.pk in created.rules_declined  # no tag yet as it was opened
    assert tagger.pk not in created.rules_declined  # it stopped the opening pass: runs after
    ticket.refresh_from_db()
    assert ticket.priority.key == "high"
    assert history(ticket.pk)[-1] == ("updated", "priority", f"rule:{on_tag.pk}")
