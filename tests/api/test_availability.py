"""/groups/{id}/assignment, /users/me/availability, /users/{id}/out-of-office and the
automation vocabulary: who may read and change each, bad input a 422 naming the field."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine

from atiende.accounts.models import OutOfOffice, User
from atiende.automation.models import GroupAssignment
from tests.api.conftest import fields, problem
from tests.factories import make_admin, make_agent, make_customer, make_group

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 12, 7, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def admin() -> User:
    return make_admin()


def test_group_assignment(as_user: Any, admin: User, client: Any) -> None:
    group = make_group("Tier 1")
    agent = as_user(make_agent())
    assert agent.get(f"/groups/{group.pk}/assignment").json() == {
        "group_id": group.pk,
        "strategy": "manual",
        "fallback": "least_load",
        "match_language": True,
    }
    change = {"strategy": "affinity", "fallback": "round_robin", "match_language": False}
    body = as_user(admin).put(f"/groups/{group.pk}/assignment", change).json()
    assert body == {"group_id": group.pk, **change}
    assert GroupAssignment.objects.get(pk=group.pk).strategy == "affinity"
    assert agent.get(f"/groups/{group.pk}/assignment").json() == body
    problem(agent.put(f"/groups/{group.pk}/assignment", {"strategy": "manual"}), 403)
    body = problem(as_user(admin).put(f"/groups/{group.pk}/assignment", {"strategy": "luck"}), 422)
    assert fields(body) == {"strategy"}
    problem(as_user(admin).put("/groups/999999/assignment", {"strategy": "manual"}), 404)
    problem(as_user(make_customer()).get(f"/groups/{group.pk}/assignment"), 403)
    problem(client.get(f"/api/v1/groups/{group.pk}/assignment"), 401)


def test_own_availability(as_user: Any, admin: User, client: Any) -> None:
    agent = make_agent()
    api = as_user(agent)
    body = api.get("/users/me/availability").json()
    assert body["user_id"] == agent.pk and body["capacity"] is None
    assert body["effective_status"] == "offline"  # never seen
    body = api.put("/users/me/availability", {"status": "away", "languages": ["es", "EN"]}).json()
    assert body["status"] == "away" and body["languages"] == ["es", "en"]
    body = problem(api.put("/users/me/availability", {"capacity": 5}), 403)
    assert api.get("/users/me/availability").json()["capacity"] is None
    body = problem(api.put("/users/me/availability", {"languages": ["klingon"]}), 422)
    assert fields(body) == {"languages"}
    body = problem(api.put("/users/me/availability", {"status": "asleep"}), 422)
    assert fields(body) == {"status"}
    boss = as_user(admin)
    body = boss.put(
        "/users/me/availability", {"capacity": 3, "skill_tags": ["Billing"], "status": "online"}
    ).json()
    assert body["capacity"] == 3 and body["skill_tags"] == ["billing"]
    assert body["effective_status"] == "online"
    assert boss.put("/users/me/availability", {"capacity": None}).json()["capacity"] is None
    body = problem(boss.put("/users/me/availability", {"capacity": -1}), 422)
    assert fields(body) == {"capacity"}
    problem(as_user(make_customer()).get("/users/me/availability"), 403)
    problem(as_user(make_customer()).put("/users/me/availability", {"status": "online"}), 403)
    problem(client.get("/api/v1/users/me/availability"), 401)


def test_out_of_office(as_user: Any, admin: User, client: Any) -> None:
    agent, other = make_agent(), make_agent()
    api = as_user(agent)
    period = {"starts_at": "2026-12-20T00:00:00Z", "ends_at": "2026-12-31T00:00:00Z"}
    with time_machine.travel(NOW, tick=False):
        response = api.post(f"/users/{agent.pk}/out-of-office", {**period, "note": "Vacaciones"})
        assert response.status_code == 201, response.content
        period_id = response.json()["id"]
        assert response.json()["note"] == "Vacaciones"
        body = problem(
            api.post(
                f"/users/{agent.pk}/out-of-office", {**period, "starts_at": "2026-12-25T00:00:00Z"}
            ),
            422,
        )
        assert fields(body) == {"starts_at"}
        body = problem(
            api.post(
                f"/users/{agent.pk}/out-of-office", {**period, "ends_at": "2026-12-19T00:00:00Z"}
            ),
            422,
        )
        assert fields(body) == {"ends_at"}
        problem(api.post(f"/users/{agent.pk}/out-of-office", {**period, "starts_at": "soon"}), 422)
        assert [p["id"] for p in api.get(f"/users/{agent.pk}/out-of-office").json()["items"]] == [
            period_id
        ]
        boss = as_user(admin)
        assert boss.get(f"/users/{agent.pk}/out-of-office/{period_id}").json()["id"] == period_id
        problem(as_user(other).get(f"/users/{agent.pk}/out-of-office"), 403)
        problem(as_user(other).post(f"/users/{agent.pk}/out-of-office", period), 403)
        problem(as_user(other).delete(f"/users/{agent.pk}/out-of-office/{period_id}"), 403)
        problem(as_user(make_customer()).get(f"/users/{agent.pk}/out-of-office"), 403)
        problem(client.get(f"/api/v1/users/{agent.pk}/out-of-office"), 401)
        problem(boss.get(f"/users/{other.pk}/out-of-office/{period_id}"), 404)
        created = boss.post(
            f"/users/{other.pk}/out-of-office",
            {"starts_at": "2026-12-01T00:00:00Z", "ends_at": "2026-12-10T00:00:00Z"},
        )
        assert created.status_code == 201, created.content
        assert api.delete(f"/users/{agent.pk}/out-of-office/{period_id}").status_code == 204
        assert not OutOfOffice.objects.filter(pk=period_id).exists()  # not started: dropped
        running = created.json()["id"]
        assert boss.delete(f"/users/{other.pk}/out-of-office/{running}").status_code == 204
        assert OutOfOffice.objects.get(pk=running).ends_at == NOW  # back early


def test_automation_vocabulary(as_user: Any, admin: User, client: Any) -> None:
    agent = as_user(make_agent())
    actions = {a["name"]: a["label"] for a in agent.get("/automation/actions").json()}
    assert {"set_priority", "set_group", "add_tags", "email", "assign", "apply_macro"} <= set(
        actions
    )
    assert actions["set_priority"] == "Set priority"
    body = agent.get("/automation/conditions").json()
    by_name = {f["name"]: f for f in body["trigger_fields"]}
    assert "changed_to" in by_name["priority"]["operators"]
    assert by_name["event.time"]["operators"] == ["within_business_hours"]
    assert "email" in by_name["channel"]["choices"]
    assert "changed" in body["operators_without_value"]
    assert {"name": "tags", "operators": ["any", "none"]} in body["sla_fields"]
    problem(as_user(make_customer()).get("/automation/actions"), 403)
    problem(as_user(make_customer()).get("/automation/conditions"), 403)
    problem(client.get("/api/v1/automation/conditions"), 401)
