"""Ratings are available to rules: the ``satisfaction`` field and the shipped (switched-off)
example "Valoración negativa → reabrir y avisar al supervisor"."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from atiende.automation.models import Trigger
from atiende.automation.triggers import services as triggers
from atiende.core.errors import Invalid
from atiende.notifications.models import Kind, Notification
from atiende.surveys import services
from atiende.surveys.mail import link_for
from atiende.tickets.models import Ticket
from tests.factories import SYSTEM, make_admin, make_group
from tests.surveys.helpers import new_ticket, requests_of, set_status

pytestmark = pytest.mark.django_db

SHIPPED = "Valoración negativa → reabrir y avisar al supervisor"


def switch_on_shipped_rule() -> None:
    rule = Trigger.objects.get(name=SHIPPED)
    assert rule.active is False  # shipped switched off
    triggers.update_trigger(SYSTEM, trigger_id=rule.pk, changes={"active": True})


def status_of(ticket: Ticket) -> str:
    return Ticket.objects.select_related("status").get(pk=ticket.pk).status.key


def test_a_bad_rating_reopens_the_ticket_and_tells_the_supervisor(
    on_commit: Callable[..., Any],
) -> None:
    switch_on_shipped_rule()
    group = make_group()
    supervisor = make_admin(groups=(group,))
    ticket = new_ticket(group_id=group.pk)
    set_status(on_commit, ticket, "solved")
    with on_commit():
        services.rate_by_link(link_for(requests_of(ticket)[0]), value="bad")
    assert status_of(ticket) == "open"
    [note] = Notification.objects.filter(kind=Kind.RULE)
    assert note.recipient_id == supervisor.pk and "Valoración negativa" in note.text


def test_a_good_rating_leaves_the_ticket_solved(on_commit: Callable[..., Any]) -> None:
    switch_on_shipped_rule()
    ticket = new_ticket()
    set_status(on_commit, ticket, "solved")
    with on_commit():
        services.rate_by_link(link_for(requests_of(ticket)[0]), value="good")
    assert status_of(ticket) == "solved"


def test_switched_off_the_example_does_nothing(on_commit: Callable[..., Any]) -> None:
    ticket = new_ticket()
    set_status(on_commit, ticket, "solved")
    with on_commit():
        services.rate_by_link(link_for(requests_of(ticket)[0]), value="bad")
    assert status_of(ticket) == "solved"


def test_rated_and_not_rated_on_any_event(on_commit: Callable[..., Any]) -> None:
    triggers.create_trigger(
        SYSTEM,
        name="Tag unrated updates",
        conditions={
            "all": [
                {"field": "event.kind", "operator": "is", "value": "updated"},
                {"field": "satisfaction", "operator": "is", "value": "not_rated"},
            ]
        },
        actions=[{"type": "add_tags", "value": "sin-valorar"}],
    )
    triggers.create_trigger(
        SYSTEM,
        name="Tag rated updates",
        conditions={
            "all": [
                {"field": "event.kind", "operator": "is", "value": "updated"},
                {"field": "satisfaction", "operator": "is", "value": "rated"},
            ]
        },
        actions=[{"type": "add_tags", "value": "valorado"}],
    )
    ticket = new_ticket()
    set_status(on_commit, ticket, "solved")
    services.rate_by_link(link_for(requests_of(ticket)[0]), value="good")
    set_status(on_commit, ticket, "closed")
    tags = set(Ticket.objects.get(pk=ticket.pk).tags.values_list("name", flat=True))
    assert tags == {"sin-valorar", "valorado"}


def test_an_unknown_satisfaction_value_is_refused() -> None:
    with pytest.raises(Invalid) as caught:
        triggers.create_trigger(
            SYSTEM,
            name="Bad",
            conditions={"all": [{"field": "satisfaction", "operator": "is", "value": "great"}]},
            actions=[{"type": "add_tags", "value": "x"}],
        )
    assert [e.field for e in caught.value.errors] == ["conditions.all[0].value"]
