"""SLA escalation levels' actions run through the action registry, as the SLA policy."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from atiende.automation.escalation import run_escalation
from atiende.tickets import services as tickets
from atiende.tickets.models import Message, TicketEvent
from tests.factories import SYSTEM, make_ticket

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Escalated:
    """The shape the sla part publishes (``SlaEscalated``)."""

    ticket_id: int
    policy_id: int
    target: str
    level: int
    actions: tuple[dict[str, Any], ...]


def test_a_level_runs_its_actions_as_the_policy() -> None:
    ticket = make_ticket()
    run_escalation(
        Escalated(ticket.pk, 7, "first_reply", 1, ({"type": "add_tags", "value": ["tier-2"]},))
    )
    assert list(ticket.tags.values_list("name", flat=True)) == ["tier-2"]
    event = TicketEvent.objects.get(ticket=ticket, field="tags")
    assert (event.source, event.source_detail) == ("rule", "sla:7")


def test_a_level_that_cannot_act_is_undone_alone() -> None:
    ticket = make_ticket()
    tickets.change_status(SYSTEM, ticket_id=ticket.pk, status="closed")
    run_escalation(
        Escalated(
            ticket.pk,
            7,
            "resolution",
            2,
            (
                {"type": "add_tags", "value": ["late"]},
                {"type": "email", "to": "customer", "body_en": "Sorry"},
            ),
        )
    )
    assert not ticket.tags.exists()
    assert not Message.objects.filter(ticket=ticket, direction="out", public=True).exists()
