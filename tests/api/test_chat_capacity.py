"""/users/me/availability carries the chat capacity (issue 16): read by the agent, set by an
administrator, ``null`` for no limit, a negative number refused by name."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.conftest import fields, problem
from tests.factories import make_admin, make_agent

pytestmark = pytest.mark.django_db


def test_the_chat_capacity_is_read_by_agents_and_set_by_admins(as_user: Any) -> None:
    agent, boss = as_user(make_agent()), as_user(make_admin())

    assert agent.get("/users/me/availability").json()["chat_capacity"] is None
    problem(agent.put("/users/me/availability", {"chat_capacity": 3}), 403)

    body = boss.put("/users/me/availability", {"chat_capacity": 3, "capacity": 10}).json()
    assert (body["chat_capacity"], body["capacity"]) == (3, 10)
    cleared = boss.put("/users/me/availability", {"chat_capacity": None}).json()
    assert (cleared["chat_capacity"], cleared["capacity"]) == (None, 10)
    refused = problem(boss.put("/users/me/availability", {"chat_capacity": -1}), 422)
    assert fields(refused) == {"chat_capacity"}
    assert boss.get("/users/me/availability").json()["chat_capacity"] is None
