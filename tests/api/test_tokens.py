"""/api/v1/tokens: issued to staff, shown once, revoked rather than deleted."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from atiende.accounts.models import ApiToken, User
from tests.api.conftest import fields, problem
from tests.factories import make_admin, make_agent, make_customer

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent() -> User:
    return make_agent()


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_create_list_revoke(as_user: Any, agent: User) -> None:
    api = as_user(agent)
    response = api.post("/tokens", {"name": "CI"})
    assert response.status_code == 201, response.content
    created = response.json()
    plain = created["token"]
    assert created["user"]["id"] == agent.pk
    assert plain.startswith(created["prefix"])
    assert Client().get("/api/v1/users/me", headers=bearer(plain)).json()["id"] == agent.pk
    listed = api.get("/tokens").json()["items"]
    assert [t["name"] for t in listed] == ["CI", "tests"]
    assert all("token" not in t for t in listed)
    assert "token" not in api.get(f"/tokens/{created['id']}").json()
    assert plain not in str(ApiToken.objects.values_list())
    assert plain not in api.get("/tokens").content.decode()
    assert api.delete(f"/tokens/{created['id']}").status_code == 204
    assert api.delete(f"/tokens/{created['id']}").status_code == 204
    problem(Client().get("/api/v1/users/me", headers=bearer(plain)), 401)
    revoked = api.get(f"/tokens/{created['id']}").json()
    assert revoked["revoked_at"] is not None
    assert [t["revoked_at"] is None for t in api.get("/tokens").json()["items"]] == [False, True]


def test_pages(as_user: Any, agent: User) -> None:
    api = as_user(agent)
    for n in range(3):
        api.post("/tokens", {"name": f"t{n}"})
    first = api.get("/tokens", {"limit": 2}).json()
    rest = api.get("/tokens", {"limit": 2, "cursor": first["next_cursor"]}).json()
    names = [t["name"] for t in first["items"] + rest["items"]]
    assert names == ["t2", "t1", "t0", "tests"]
    assert rest["next_cursor"] is None


def test_admin_manages_other_users_tokens(as_user: Any, agent: User) -> None:
    admin_api = as_user(make_admin())
    customer = make_customer()
    body = admin_api.post("/tokens", {"name": "portal", "user_id": customer.pk}).json()
    assert body["user"]["id"] == customer.pk
    listed = admin_api.get("/tokens", {"user_id": customer.pk}).json()["items"]
    assert [t["name"] for t in listed] == ["portal"]
    agent_token = ApiToken.objects.create(user=agent, name="x", prefix="p", digest="d" * 64)
    assert admin_api.delete(f"/tokens/{agent_token.pk}").status_code == 204
    assert fields(problem(admin_api.post("/tokens", {"name": "x", "user_id": 999999}), 422)) == {
        "user_id"
    }
    suspended = make_agent(is_active=False)
    assert fields(
        problem(admin_api.post("/tokens", {"name": "x", "user_id": suspended.pk}), 422)
    ) == {"user_id"}


def test_permissions(client: Any, as_user: Any, agent: User) -> None:
    api = as_user(agent)
    other = make_agent()
    other_token = ApiToken.objects.create(user=other, name="theirs", prefix="p", digest="e" * 64)
    problem(api.post("/tokens", {"name": "x", "user_id": other.pk}), 403)
    problem(api.get("/tokens", {"user_id": other.pk}), 403)
    problem(api.get(f"/tokens/{other_token.pk}"), 404)
    problem(api.delete(f"/tokens/{other_token.pk}"), 404)
    assert ApiToken.objects.get(pk=other_token.pk).revoked_at is None
    customer_api = as_user(make_customer())
    problem(customer_api.post("/tokens", {"name": "mine"}), 403)
    assert [t["name"] for t in customer_api.get("/tokens").json()["items"]] == ["tests"]
    problem(client.get("/api/v1/tokens"), 401)
    problem(client.post("/api/v1/tokens", {"name": "x"}, content_type="application/json"), 401)


def test_bad_input(as_user: Any, agent: User) -> None:
    api = as_user(agent)
    assert fields(problem(api.post("/tokens", {}), 422)) == {"name"}
    assert fields(problem(api.post("/tokens", {"name": "x" * 101}), 422)) == {"name"}
    assert fields(problem(api.post("/tokens", {"name": "x", "user_id": -1}), 422)) == {"user_id"}
    problem(api.get("/tokens/999999"), 404)
    problem(api.delete("/tokens/999999"), 404)
    problem(api.delete(f"/tokens/{2**63}"), 422)
    assert api.post("/tokens", {"name": "   "}).json()["name"] == "API token"
