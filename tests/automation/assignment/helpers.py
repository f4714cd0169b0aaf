"""Agents and groups set up for assignment through the services, as an admin would."""

from __future__ import annotations

from collections.abc import Sequence

from atiende.accounts.models import Group, User
from atiende.accounts.services import set_agent_status, update_availability
from atiende.automation.assignment.config import configure_assignment
from atiende.automation.models import GroupAssignment
from atiende.core.actor import Actor, Source
from atiende.tickets.models import Ticket
from atiende.tickets.selectors import get_ticket
from tests.factories import SYSTEM, make_agent, make_group

ADMIN = Actor.system("tests")


def automatic_group(strategy: str, **settings: object) -> Group:
    group = make_group()
    configure_assignment(ADMIN, group_id=group.pk, strategy=strategy, **settings)  # type: ignore[arg-type]
    return group


def available_agent(
    *groups: Group,
    languages: Sequence[str] = (),
    capacity: int | None = None,
    skill_tags: Sequence[str] = (),
    skill_categories: Sequence[int] = (),
) -> User:
    """An agent of ``groups`` who is online now, covering what is given."""
    agent = make_agent(*groups)
    update_availability(
        ADMIN,
        user_id=agent.pk,
        changes={
            "languages": list(languages),
            "capacity": capacity,
            "skill_tags": list(skill_tags),
            "skill_categories": list(skill_categories),
        },
    )
    set_agent_status(Actor(user=agent, source=Source.WEB), user_id=agent.pk, status="online")
    return agent


def opening_at_eleven() -> None:
    """The instance's calendar: weekdays from 11:00 to 18:00 in Santiago (UTC-3 in
    December), through the sla app's service as an admin would set it."""
    from atiende.sla.services.calendars import create_calendar

    weekdays = ("monday", "tuesday", "wednesday", "thursday", "friday")
    create_calendar(
        SYSTEM,
        name="Santiago, from 11:00",
        time_zone="America/Santiago",
        hours={day: [["11:00", "18:00"]] for day in weekdays},
        is_default=True,
    )


def assignee_of(ticket: Ticket | int) -> int | None:
    ticket_id = ticket if isinstance(ticket, int) else ticket.pk
    return get_ticket(SYSTEM, ticket_id).assignee_id


def config(group: Group) -> GroupAssignment:
    return GroupAssignment.objects.get(pk=group.pk)
