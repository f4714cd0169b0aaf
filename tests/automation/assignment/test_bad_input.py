"""Bad settings are refused naming the part, and nothing is half-applied."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from atiende.accounts.models import AgentAvailability
from atiende.accounts.services import (
    add_out_of_office,
    set_agent_status,
    update_availability,
)
from atiende.automation.actions import validate_actions
from atiende.automation.assignment.config import configure_assignment
from atiende.core.actor import Actor, Source
from atiende.core.errors import Forbidden, Invalid, NotFound
from tests.automation.assignment.helpers import ADMIN, automatic_group, config
from tests.factories import make_agent, make_customer, make_group

pytestmark = pytest.mark.django_db

NOW = timezone.now


def fields(error: Invalid) -> list[str]:
    return [e.field for e in error.errors]


def me(agent: Any) -> Actor:
    return Actor(user=agent, source=Source.WEB)


@pytest.mark.parametrize(
    ("given", "field"),
    [
        ({"strategy": "random"}, "strategy"),
        ({"strategy": "round_robin", "fallback": "affinity"}, "fallback"),
        ({"strategy": "round_robin", "fallback": "manual"}, "fallback"),
        ({"strategy": "affinity", "match_language": "yes"}, "match_language"),
    ],
)
def test_group_settings_refuse_bad_values_naming_them(given: dict[str, Any], field: str) -> None:
    group = automatic_group("least_load")
    with pytest.raises(Invalid) as refused:
        configure_assignment(ADMIN, group_id=group.pk, **given)
    assert fields(refused.value) == [field]
    assert config(group).strategy == "least_load"


def test_group_settings_need_a_known_group_and_an_admin() -> None:
    with pytest.raises(Invalid) as refused:
        configure_assignment(ADMIN, group_id=999_999, strategy="least_load")
    assert fields(refused.value) == ["group_id"]
    group = make_group()
    with pytest.raises(Forbidden):
        configure_assignment(me(make_agent(group)), group_id=group.pk, strategy="least_load")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"languages": ["es", "xx"]}, "languages"),
        ({"languages": "es"}, "languages"),
        ({"capacity": -1}, "capacity"),
        ({"capacity": "3"}, "capacity"),
        ({"capacity": True}, "capacity"),
        ({"skill_tags": [""]}, "skill_tags"),
        ({"skill_categories": ["billing"]}, "skill_categories"),
        ({"mood": "happy"}, "mood"),
    ],
)
def test_availability_refuses_bad_values_naming_them(changes: dict[str, Any], field: str) -> None:
    agent = make_agent()
    update_availability(ADMIN, user_id=agent.pk, changes={"languages": ["en"], "capacity": 4})
    with pytest.raises(Invalid) as refused:
        update_availability(ADMIN, user_id=agent.pk, changes={"skill_tags": ["vip"], **changes})
    assert fields(refused.value) == [field]
    row = AgentAvailability.objects.get(pk=agent.pk)
    assert (row.languages, row.capacity, row.skill_tags) == (["en"], 4, [])  # nothing applied


def test_agents_set_their_own_languages_but_not_their_capacity() -> None:
    agent = make_agent()
    update_availability(me(agent), user_id=agent.pk, changes={"languages": ["ES", "pt"]})
    assert AgentAvailability.objects.get(pk=agent.pk).languages == ["es", "pt"]
    with pytest.raises(Forbidden):
        update_availability(me(agent), user_id=agent.pk, changes={"capacity": 100})
    with pytest.raises(Forbidden):
        update_availability(me(make_agent()), user_id=agent.pk, changes={"languages": ["en"]})
    with pytest.raises(NotFound):
        update_availability(ADMIN, user_id=make_customer().pk, changes={"languages": ["en"]})


def test_status_must_be_known_and_ones_own() -> None:
    agent = make_agent()
    with pytest.raises(Invalid) as refused:
        set_agent_status(me(agent), user_id=agent.pk, status="busy")
    assert fields(refused.value) == ["status"]
    with pytest.raises(Forbidden):
        set_agent_status(me(make_agent()), user_id=agent.pk, status="offline")


@pytest.mark.parametrize(
    ("starts", "ends", "field"),
    [
        (datetime.timedelta(days=2), datetime.timedelta(days=1), "ends_at"),  # end before start
        (datetime.timedelta(days=1), datetime.timedelta(days=1), "ends_at"),  # empty
        (datetime.timedelta(days=-3), datetime.timedelta(days=-1), "ends_at"),  # already over
        (datetime.timedelta(days=3), datetime.timedelta(days=6), "starts_at"),  # overlaps
    ],
)
def test_out_of_office_refuses_bad_periods_naming_the_part(
    starts: datetime.timedelta, ends: datetime.timedelta, field: str
) -> None:
    agent = make_agent()
    now = NOW()
    add_out_of_office(
        me(agent),
        user_id=agent.pk,
        starts_at=now + datetime.timedelta(days=5),
        ends_at=now + datetime.timedelta(days=8),
    )
    with pytest.raises(Invalid) as refused:
        add_out_of_office(me(agent), user_id=agent.pk, starts_at=now + starts, ends_at=now + ends)
    assert fields(refused.value) == [field]
    assert agent.out_of_office.count() == 1


def test_out_of_office_needs_time_zones() -> None:
    agent = make_agent()
    naive = datetime.datetime(2030, 1, 1, 9, 0)
    with pytest.raises(Invalid) as refused:
        add_out_of_office(
            me(agent), user_id=agent.pk, starts_at=naive, ends_at=NOW() + datetime.timedelta(1)
        )
    assert fields(refused.value) == ["starts_at"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"type": "assign", "strategy": "random"}, "actions[0].strategy"),
        ({"type": "assign", "strategy": "manual"}, "actions[0].strategy"),
        ({"type": "assign", "agent": 4}, "actions[0].agent"),
    ],
)
def test_the_assign_action_refuses_bad_parameters_naming_them(
    params: dict[str, Any], field: str
) -> None:
    with pytest.raises(Invalid) as refused:
        validate_actions([params])
    assert fields(refused.value) == [field]


def test_the_assign_action_accepts_every_strategy() -> None:
    validate_actions(
        [{"type": "assign"}]
        + [
            {"type": "assign", "strategy": s}
            for s in ("group", "round_robin", "least_load", "skills", "affinity")
        ]
    )
