"""/api/v1/groups: staff read, admins write, members are staff."""

from __future__ import annotations

from typing import Any

import pytest

from atiende.accounts.models import Group, User
from tests.api.conftest import fields, problem
from tests.factories import make_admin, make_agent, make_customer, make_group

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin() -> User:
    return make_admin()


def test_create_read_update_list(as_user: Any, admin: User) -> None:
    one, two = make_agent(), make_agent()
    api = as_user(admin)
    response = api.post(
        "/groups",
        {
            "name": "Billing",
            "description": "Money",
            "email": "Billing@Example.com",
            "member_ids": [two.pk, one.pk],
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["name"] == "Billing"
    assert body["email"] == "billing@example.com"
    assert body["member_ids"] == sorted([one.pk, two.pk])
    assert body["is_active"] is True
    group_id = body["id"]
    body = api.patch(
        f"/groups/{group_id}", {"member_ids": [admin.pk], "is_active": False, "email": ""}
    ).json()
    assert body["member_ids"] == [admin.pk]
    assert body["is_active"] is False
    assert body["email"] == ""
    agent_api = as_user(one)
    assert agent_api.get(f"/groups/{group_id}").json() == body
    make_group("Accounts")
    assert [g["name"] for g in agent_api.get("/groups").json()["items"]] == ["Accounts", "Billing"]
    assert [g["name"] for g in agent_api.get("/groups", {"q": "bill"}).json()["items"]] == [
        "Billing"
    ]
    first = agent_api.get("/groups", {"limit": 1}).json()
    assert first["next_cursor"]
    assert len(first["items"]) == 1


def test_list_has_no_n_plus_one(
    as_user: Any, admin: User, django_assert_max_num_queries: Any
) -> None:
    for _ in range(5):
        make_group().members.set([make_agent(), make_agent()])
    api = as_user(admin)
    with django_assert_max_num_queries(6):
        assert len(api.get("/groups").json()["items"]) == 5


def test_bad_input(as_user: Any, admin: User) -> None:
    group = make_group("Support")
    api = as_user(admin)
    assert fields(problem(api.post("/groups", {"name": "support"}), 409)) == {"name"}
    assert fields(problem(api.post("/groups", {}), 422)) == {"name"}
    assert fields(problem(api.post("/groups", {"name": " "}), 422)) == {"name"}
    assert fields(problem(api.post("/groups", {"name": "x" * 151}), 422)) == {"name"}
    assert fields(problem(api.post("/groups", {"name": "E", "email": "nope"}), 422)) == {"email"}
    body = problem(api.post("/groups", {"name": "M", "member_ids": [make_customer().pk]}), 422)
    assert fields(body) == {"member_ids"}
    assert fields(problem(api.post("/groups", {"name": "M", "member_ids": [999999]}), 422)) == {
        "member_ids"
    }
    assert fields(problem(api.post("/groups", {"name": "M", "member_ids": [0]}), 422)) == {
        "member_ids.0"
    }
    other = make_group("Sales")
    assert fields(problem(api.patch(f"/groups/{other.pk}", {"name": "SUPPORT"}), 409)) == {"name"}
    assert fields(problem(api.patch(f"/groups/{group.pk}", {"is_active": None}), 422)) == {
        "is_active"
    }
    problem(api.patch("/groups/999999", {"name": "x"}), 404)
    problem(api.get("/groups/999999"), 404)
    assert set(Group.objects.values_list("name", flat=True)) == {"Support", "Sales"}


def test_permissions(client: Any, as_user: Any) -> None:
    group = make_group()
    agent_api, customer_api = as_user(make_agent()), as_user(make_customer())
    problem(agent_api.post("/groups", {"name": "Nope"}), 403)
    problem(agent_api.patch(f"/groups/{group.pk}", {"name": "Nope"}), 403)
    problem(customer_api.get("/groups"), 403)
    problem(customer_api.get(f"/groups/{group.pk}"), 403)
    problem(client.get("/api/v1/groups"), 401)
    assert not Group.objects.filter(name="Nope").exists()
