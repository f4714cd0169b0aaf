"""/api/v1/sla-policies and /tickets/{id}/sla: staff read, admins write, every bad part a 422
naming it with nothing saved, a ticket's clocks through the gate."""

from __future__ import annotations

from typing import Any

import pytest

from atiende.accounts.models import User
from atiende.accounts.services.groups import update_group
from atiende.sla.models import SlaPolicy
from tests.api.conftest import fields, problem
from tests.factories import (
    SYSTEM,
    make_admin,
    make_agent,
    make_customer,
    make_group,
    make_ticket,
)
from tests.sla.helpers import remove_shipped_policy

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _without_the_shipped_policy() -> None:
    """From an empty list of policies (the shipped one: tests/sla/test_shipped_policy.py)."""
    remove_shipped_policy()


def policy(name: str = "Standard", **extra: Any) -> dict[str, Any]:
    return {
        "name": name,
        "targets": [
            {"priority": "normal", "kind": "first_reply", "minutes": 60},
            {"priority": "normal", "kind": "resolution", "minutes": 480, "business_hours": False},
        ],
        "conditions": [{"field": "channel", "op": "in", "value": ["email", "web"]}],
        "warning_minutes": 15,
        **extra,
    }


@pytest.fixture
def admin() -> User:
    return make_admin()


def test_admin_creates_reads_updates_lists_and_deletes(as_user: Any, admin: User) -> None:
    api = as_user(admin)
    tier2 = make_group("Tier 2")
    level = {"kind": "first_reply", "level": 1, "minutes": 0}
    level["actions"] = [{"type": "set_group", "value": tier2.pk}]
    response = api.post("/sla-policies", policy(escalations=[level]))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["targets"] == [
        {"priority": "normal", "kind": "first_reply", "minutes": 60, "business_hours": True},
        {"priority": "normal", "kind": "resolution", "minutes": 480, "business_hours": False},
    ]
    assert body["escalations"] == [{**level}]
    assert body["calendar_id"] is None and body["is_active"] is True
    policy_id = body["id"]
    body = api.patch(
        f"/sla-policies/{policy_id}",
        {"targets": [{"priority": "high", "kind": "first_reply", "minutes": 30}], "order": 5},
    ).json()
    assert [t["priority"] for t in body["targets"]] == ["high"] and body["order"] == 5
    agent = as_user(make_agent())
    assert agent.get(f"/sla-policies/{policy_id}").json() == body
    assert [p["id"] for p in agent.get("/sla-policies").json()["items"]] == [policy_id]
    assert api.delete(f"/sla-policies/{policy_id}").status_code == 204
    problem(api.get(f"/sla-policies/{policy_id}"), 404)


def test_reorder(as_user: Any, admin: User) -> None:
    api = as_user(admin)
    first = api.post("/sla-policies", policy("First")).json()["id"]
    second = api.post("/sla-policies", policy("Second")).json()["id"]
    body = api.post("/sla-policies/reorder", {"ids": [second, first]}).json()
    assert [p["name"] for p in body["items"]] == ["Second", "First"]
    assert [p["name"] for p in api.get("/sla-policies").json()["items"]] == ["Second", "First"]
    body = problem(api.post("/sla-policies/reorder", {"ids": [second]}), 422)
    assert fields(body) == {"ids"}
    body = problem(api.post("/sla-policies/reorder", {"ids": [second, second, first]}), 422)
    assert fields(body) == {"ids[1]"}
    body = problem(api.post("/sla-policies/reorder", {"ids": [second, first, 999999]}), 422)
    assert fields(body) == {"ids[2]"}
    assert [p["name"] for p in api.get("/sla-policies").json()["items"]] == ["Second", "First"]
    problem(as_user(make_agent()).post("/sla-policies/reorder", {"ids": [first, second]}), 403)


def deleted_group_level() -> dict[str, Any]:
    gone = make_group("Gone")
    update_group(SYSTEM, group_id=gone.pk, changes={"is_active": False})
    return {
        "escalations": [
            {
                "kind": "resolution",
                "level": 1,
                "minutes": 0,
                "actions": [{"type": "set_group", "value": gone.pk}],
            }
        ]
    }


def target(**values: Any) -> dict[str, Any]:
    return {"targets": [{"priority": "normal", "kind": "first_reply", "minutes": 5, **values}]}


def clause(field: str, op: str, value: Any) -> dict[str, Any]:
    return {"conditions": [{"field": field, "op": op, "value": value}]}


def level(level: int = 1, **action: Any) -> dict[str, Any]:
    actions = [action or {"type": "add_tags", "value": ["late"]}]
    return {"escalations": [{"kind": "resolution", "level": level, "actions": actions}]}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (target(minutes=0), "targets[0].minutes"),
        (target(minutes=-5), "targets[0].minutes"),
        (target(priority="nope"), "targets[0].priority"),
        (target(kind="soon"), "targets.0.kind"),
        (clause("colour", "in", []), "conditions[0].field"),
        (clause("priority", "any", ["high"]), "conditions[0].op"),
        (clause("group", "in", "one"), "conditions[0].value"),
        ({"calendar_id": 999999}, "calendar_id"),
        (level(9), "escalations[0].level"),
        (level(type="explode"), "escalations[0].actions[0].type"),
        ("deleted_group", "escalations[0].actions[0].value"),
        ({"name": ""}, "name"),
    ],
)
def test_bad_policies_are_refused_naming_the_part(
    as_user: Any, admin: User, change: Any, field: str
) -> None:
    if change == "deleted_group":
        change = deleted_group_level()
    body = problem(as_user(admin).post("/sla-policies", policy(**change)), 422)
    assert field in fields(body), body
    assert not SlaPolicy.objects.exists()


def test_update_with_a_bad_part_changes_nothing(as_user: Any, admin: User) -> None:
    api = as_user(admin)
    policy_id = api.post("/sla-policies", policy()).json()["id"]
    before = api.get(f"/sla-policies/{policy_id}").json()
    change = {
        "name": "Renamed",
        "targets": [{"priority": "normal", "kind": "resolution", "minutes": 0}],
    }
    body = problem(api.patch(f"/sla-policies/{policy_id}", change), 422)
    assert fields(body) == {"targets[0].minutes"}
    assert api.get(f"/sla-policies/{policy_id}").json() == before
    problem(api.patch(f"/sla-policies/{policy_id}", {"name": None}), 422)


def test_permissions(as_user: Any, admin: User, client: Any) -> None:
    policy_id = as_user(admin).post("/sla-policies", policy()).json()["id"]
    agent, customer = as_user(make_agent()), as_user(make_customer())
    problem(agent.post("/sla-policies", policy("Mine")), 403)
    problem(agent.patch(f"/sla-policies/{policy_id}", {"name": "Mine"}), 403)
    problem(agent.delete(f"/sla-policies/{policy_id}"), 403)
    for path in ("/sla-policies", f"/sla-policies/{policy_id}"):
        problem(customer.get(path), 403)
        problem(client.get("/api/v1" + path), 401)
    problem(as_user(admin).patch("/sla-policies/999999", {"name": "X"}), 404)


def test_ticket_sla_lists_the_clocks_through_the_gate(
    as_user: Any, admin: User, client: Any
) -> None:
    api = as_user(admin)
    policy_id = api.post("/sla-policies", policy(conditions=[])).json()["id"]
    customer = make_customer()
    ticket = make_ticket(customer)
    body = api.get(f"/tickets/{ticket.pk}/sla").json()
    assert body["ticket_id"] == ticket.pk
    timers = {t["kind"]: t for t in body["timers"]}
    assert set(timers) == {"first_reply", "resolution"}
    assert timers["first_reply"]["policy_id"] == policy_id
    assert timers["first_reply"]["policy_name"] == "Standard"
    assert timers["first_reply"]["state"] == "running"
    assert timers["first_reply"]["due_at"] is not None
    assert timers["first_reply"]["breached"] is False
    problem(as_user(customer).get(f"/tickets/{ticket.pk}/sla"), 403)
    problem(as_user(make_customer()).get(f"/tickets/{ticket.pk}/sla"), 404)
    problem(api.get("/tickets/999999/sla"), 404)
    problem(client.get(f"/api/v1/tickets/{ticket.pk}/sla"), 401)
