"""/api/v1/macros and applying one to a ticket: the workspace's visibility (personal, group,
shared), authors' rights, unknown placeholders refused, a stale version a 409."""

from __future__ import annotations

from typing import Any

import pytest

from atiende.accounts.models import User
from atiende.automation.models import Macro
from atiende.tickets.selectors import get_ticket
from tests.api.conftest import fields, problem
from tests.factories import SYSTEM, make_admin, make_agent, make_customer, make_group, make_ticket

pytestmark = pytest.mark.django_db
THANKS = {
    "name": "Thanks",
    "body": "Hola {{ customer.first_name }}, ticket {{ ticket.number }}.",
    "actions": [{"type": "set_status", "value": "pending"}],
}


@pytest.fixture
def admin() -> User:
    return make_admin()


def test_visibility_is_the_workspaces(as_user: Any, admin: User) -> None:
    billing, support = make_group("Billing"), make_group("Support")
    ana, bob = make_agent(billing), make_agent(support)
    boss = as_user(admin)
    shared = boss.post("/macros", {**THANKS, "name": "Shared", "shared": True}).json()
    assert shared["visibility"] == "shared" and shared["owner_id"] is None
    group = boss.post(
        "/macros", {**THANKS, "name": "Billing only", "shared": True, "group_id": billing.pk}
    ).json()
    assert group["visibility"] == "group"
    mine = as_user(ana).post("/macros", {**THANKS, "name": "Ana's"})
    assert mine.status_code == 201, mine.content
    assert mine.json()["visibility"] == "personal" and mine.json()["owner_id"] == ana.pk
    names = [m["name"] for m in as_user(ana).get("/macros").json()["items"]]
    assert names == ["Ana's", "Billing only", "Shared"]
    assert [m["name"] for m in as_user(bob).get("/macros").json()["items"]] == ["Shared"]
    problem(as_user(bob).get(f"/macros/{mine.json()['id']}"), 404)
    problem(as_user(bob).get(f"/macros/{group['id']}"), 404)
    assert [m["name"] for m in as_user(ana).get("/macros", {"q": "billing"}).json()["items"]] == [
        "Billing only"
    ]


def test_authors_rights(as_user: Any, admin: User, client: Any) -> None:
    ana, bob = make_agent(), make_agent()
    shared = as_user(admin).post("/macros", {**THANKS, "shared": True}).json()["id"]
    problem(as_user(ana).post("/macros", {**THANKS, "shared": True}), 403)
    problem(as_user(ana).patch(f"/macros/{shared}", {"name": "Mine now"}), 403)
    problem(as_user(ana).delete(f"/macros/{shared}"), 403)
    mine = as_user(ana).post("/macros", THANKS).json()["id"]
    body = as_user(ana).patch(f"/macros/{mine}", {"is_active": False, "name": "Old"}).json()
    assert body["is_active"] is False and body["name"] == "Old"
    assert as_user(ana).get("/macros", {"active": "false"}).json()["items"][0]["id"] == mine
    problem(as_user(bob).patch(f"/macros/{mine}", {"name": "Bob's"}), 404)
    problem(as_user(bob).delete(f"/macros/{mine}"), 404)
    assert as_user(ana).delete(f"/macros/{mine}").status_code == 204
    assert not Macro.objects.filter(pk=mine).exists()
    customer = as_user(make_customer())
    problem(customer.get("/macros"), 403)
    problem(customer.post("/macros", THANKS), 403)
    problem(client.get("/api/v1/macros"), 401)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"body": "Hola {{ customer.shoe_size }}"}, "body"),
        ({"actions": [{"type": "explode"}]}, "actions[0].type"),
        ({"actions": [{"type": "set_status", "value": "nowhere"}]}, "actions[0].value"),
        ({"body": "", "actions": []}, "body"),
        ({"group_id": 999999, "shared": True}, "group_id"),
        ({"name": ""}, "name"),
    ],
)
def test_bad_macros_are_refused_naming_the_part(
    as_user: Any, admin: User, change: dict[str, Any], field: str
) -> None:
    body = problem(as_user(admin).post("/macros", {**THANKS, **change}), 422)
    assert field in fields(body), body
    assert not Macro.objects.exists()


def test_apply_fills_the_text_and_runs_the_actions(as_user: Any) -> None:
    support = make_group("Support")
    agent = make_agent(support)
    macro_id = as_user(agent).post("/macros", THANKS).json()["id"]
    ticket = make_ticket(make_customer(name="Marta Díaz"), group_id=support.pk)
    response = as_user(agent).post(f"/tickets/{ticket.pk}/macros/{macro_id}", {"version": 1})
    assert response.status_code == 200, response.content
    assert response.json() == {"text": f"Hola Marta, ticket {ticket.number}."}
    assert get_ticket(SYSTEM, ticket.pk).status.key == "pending"


def test_apply_with_a_stale_version_is_a_conflict_and_applies_nothing(as_user: Any) -> None:
    admin = make_admin()
    macro_id = as_user(admin).post("/macros", THANKS).json()["id"]
    ticket = make_ticket()
    body = problem(
        as_user(admin).post(f"/tickets/{ticket.pk}/macros/{macro_id}", {"version": 7}), 409
    )
    assert body["current"]["version"] == 1
    assert get_ticket(SYSTEM, ticket.pk).status.key != "pending"
    problem(as_user(admin).post(f"/tickets/999999/macros/{macro_id}", {}), 404)
    problem(as_user(admin).post(f"/tickets/{ticket.pk}/macros/999999", {}), 404)
    problem(as_user(ticket.requester).post(f"/tickets/{ticket.pk}/macros/{macro_id}", {}), 403)
