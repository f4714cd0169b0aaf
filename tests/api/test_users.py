"""/api/v1/users: listing, creating, editing people and their identities, and every refusal."""

from __future__ import annotations

from typing import Any

import pytest

from atiende.accounts.models import Identity, Role, User
from atiende.tickets.models import CustomField
from tests.api.conftest import fields, problem
from tests.factories import make_admin, make_agent, make_customer, make_group, make_org

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin() -> User:
    return make_admin(name="Ada Admin")


@pytest.fixture
def agent() -> User:
    return make_agent(name="Alex Agent")


def test_staff_list_with_filters_and_pages(as_user: Any, agent: User) -> None:
    org, group = make_org("Acme"), make_group("Support")
    ana = make_customer(name="Ana", email="ana@acme.test", organization_id=org.pk)
    make_customer(name="Bob", email="bob@other.test")
    member = make_agent(group, name="Gus")
    api = as_user(agent)
    names = [u["name"] for u in api.get("/users").json()["items"]]
    assert names == sorted(names)
    assert {"Ana", "Bob", "Gus", "Alex Agent"} <= set(names)
    assert [u["id"] for u in api.get("/users", {"organization_id": org.pk}).json()["items"]] == [
        ana.pk
    ]
    assert [u["id"] for u in api.get("/users", {"group_id": group.pk}).json()["items"]] == [
        member.pk
    ]
    assert {u["role"] for u in api.get("/users", {"role": "customer"}).json()["items"]} == {
        "customer"
    }
    assert [u["name"] for u in api.get("/users", {"q": "ACME.te"}).json()["items"]] == ["Ana"]
    first = api.get("/users", {"limit": 2}).json()
    second = api.get("/users", {"limit": 2, "cursor": first["next_cursor"]}).json()
    assert len(first["items"]) == 2
    assert first["next_cursor"]
    assert not {u["id"] for u in first["items"]} & {u["id"] for u in second["items"]}
    body = api.get("/users").json()["items"][0]
    assert body["organization"] is None or set(body["organization"]) == {"id", "name"}


def test_customer_sees_only_themselves(as_user: Any, agent: User) -> None:
    customer = make_customer(notes="VIP, pays late")
    api = as_user(customer)
    assert [u["id"] for u in api.get("/users").json()["items"]] == [customer.pk]
    me = api.get("/users/me").json()
    assert me["id"] == customer.pk
    assert me["notes"] is None
    assert me["custom_fields"] is None
    assert api.get(f"/users/{customer.pk}").status_code == 200
    problem(api.get(f"/users/{agent.pk}"), 404)
    assert as_user(agent).get(f"/users/{customer.pk}").json()["notes"] == "VIP, pays late"


def test_list_bad_input(as_user: Any, agent: User) -> None:
    api = as_user(agent)
    assert fields(problem(api.get("/users", {"limit": 0}), 422)) == {"limit"}
    assert fields(problem(api.get("/users", {"limit": 101}), 422)) == {"limit"}
    assert fields(problem(api.get("/users", {"role": "boss"}), 422)) == {"role"}
    assert fields(problem(api.get("/users", {"group_id": 2**70}), 422)) == {"group_id"}
    assert fields(problem(api.get("/users", {"cursor": "garbage!"}), 422)) == {"cursor"}


def test_admin_creates_staff(as_user: Any, admin: User) -> None:
    group = make_group()
    response = as_user(admin).post(
        "/users",
        {"email": "New@Staff.test", "name": " Nina ", "role": "agent", "group_ids": [group.pk],
         "locale": "es", "time_zone": "Europe/Madrid"},
    )  # fmt: skip
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["email"] == "new@staff.test"
    assert body["name"] == "Nina"
    assert body["role"] == "agent"
    assert body["group_ids"] == [group.pk]
    assert body["locale"] == "es"
    assert Identity.objects.filter(user_id=body["id"], channel="email").count() == 1


def test_agent_creates_customers_only(as_user: Any, agent: User) -> None:
    org = make_org(domains=("acme.test",))
    api = as_user(agent)
    body = api.post("/users", {"email": "c@acme.test", "name": "C"}).json()
    assert body["role"] == "customer"
    assert body["organization"]["id"] == org.pk
    problem(api.post("/users", {"email": "x@staff.test", "role": "agent"}), 403)
    problem(api.post("/users", {"email": "y@staff.test", "role": "admin"}), 403)
    problem(as_user(make_customer()).post("/users", {"email": "z@z.test"}), 403)
    assert not User.objects.filter(email__in=["x@staff.test", "y@staff.test", "z@z.test"]).exists()


def test_create_bad_input(as_user: Any, admin: User) -> None:
    api = as_user(admin)
    make_customer(email="taken@example.com")
    assert "email" in fields(problem(api.post("/users", {"name": "x"}), 422))
    assert fields(problem(api.post("/users", {"email": "not-an-email"}), 422)) == {"email"}
    body = problem(api.post("/users", {"email": "TAKEN@example.com"}), 409)
    assert fields(body) == {"email"}
    assert fields(
        problem(api.post("/users", {"email": "a@b.test", "time_zone": "Mars/Base"}), 422)
    ) == {"time_zone"}
    assert fields(
        problem(api.post("/users", {"email": "a@b.test", "organization_id": 999999}), 422)
    ) == {"organization_id"}
    assert fields(
        problem(
            api.post("/users", {"email": "a@b.test", "role": "agent", "group_ids": [999999]}), 422
        )
    ) == {"group_ids"}
    assert fields(
        problem(api.post("/users", {"email": "a@b.test", "group_ids": [make_group().pk]}), 422)
    ) == {"group_ids"}
    assert fields(problem(api.post("/users", {"email": "a@b.test", "phone": "call me"}), 422)) == {
        "phone"
    }
    assert fields(problem(api.post("/users", {"email": "a@b.test", "name": "x" * 201}), 422)) == {
        "name"
    }
    assert fields(
        problem(api.post("/users", {"email": "a@b.test", "custom_fields": {"nope": 1}}), 422)
    ) == {"custom_fields.nope"}
    assert not User.objects.filter(email="a@b.test").exists()


def test_create_is_idempotent(as_user: Any, admin: User) -> None:
    api = as_user(admin)
    first = api.post("/users", {"email": "once@example.com"}, **{"Idempotency-Key": "k1"})
    again = api.post("/users", {"email": "once@example.com"}, **{"Idempotency-Key": "k1"})
    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert first.json()["id"] == again.json()["id"]


def test_admin_updates_anything_and_suspends(as_user: Any, admin: User, agent: User) -> None:
    group = make_group()
    api = as_user(admin)
    response = api.patch(
        f"/users/{agent.pk}", {"role": "admin", "group_ids": [group.pk], "email": "alex@new.test"}
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["role"] == "admin"
    assert body["group_ids"] == [group.pk]
    assert body["email"] == "alex@new.test"
    assert body["email_verified_at"] is None
    agent_api = as_user(agent)
    assert api.patch(f"/users/{agent.pk}", {"is_active": False}).json()["is_active"] is False
    problem(agent_api.get("/users/me"), 401)
    demoted = api.patch(f"/users/{agent.pk}", {"role": "customer", "is_active": True}).json()
    assert demoted["role"] == "customer"
    assert demoted["group_ids"] == []


def test_admin_cannot_lock_themselves_out(as_user: Any, admin: User) -> None:
    api = as_user(admin)
    body = problem(api.patch(f"/users/{admin.pk}", {"role": "agent", "is_active": False}), 422)
    assert fields(body) == {"role", "is_active"}
    assert User.objects.get(pk=admin.pk).role == Role.ADMIN


def test_agent_edits_customer_profile_only(as_user: Any, agent: User) -> None:
    customer, org = make_customer(), make_org()
    CustomField.objects.create(target="user", key="tier", type="text", name_en="Tier")
    api = as_user(agent)
    changes = {
        "name": "Carla",
        "phone": "+34 600 111 222",
        "notes": "n",
        "custom_fields": {"tier": "gold"},
        "locale": "es",
        "time_zone": "America/Lima",
    }
    body = api.patch(f"/users/{customer.pk}", changes).json()
    assert body["name"] == "Carla"
    assert body["custom_fields"] == {"tier": "gold"}
    assert body["time_zone"] == "America/Lima"
    # Moving a customer between organizations widens what they see: admins only.
    for value in (org.pk, None):
        refused = problem(api.patch(f"/users/{customer.pk}", {"organization_id": value}), 403)
        assert fields(refused) == {"organization_id"}
    refused = problem(
        api.post("/users", {"email": "new@example.com", "organization_id": org.pk}), 403
    )
    assert fields(refused) == {"organization_id"}
    assert not User.objects.filter(email="new@example.com").exists()
    moved = as_user(make_admin()).patch(f"/users/{customer.pk}", {"organization_id": org.pk})
    assert moved.json()["organization"]["id"] == org.pk
    body = problem(api.patch(f"/users/{customer.pk}", {"role": "agent", "is_active": False}), 403)
    assert fields(body) == {"role", "is_active"}
    problem(api.patch(f"/users/{customer.pk}", {"email": "c@x.test"}), 403)
    other_agent = make_agent()
    problem(api.patch(f"/users/{other_agent.pk}", {"name": "Renamed"}), 403)
    assert User.objects.get(pk=other_agent.pk).name != "Renamed"


def test_everyone_edits_own_name_language_time_zone(as_user: Any) -> None:
    customer, other = make_customer(), make_customer()
    api = as_user(customer)
    body = api.patch(
        f"/users/{customer.pk}", {"name": "Me", "locale": "es", "time_zone": "UTC"}
    ).json()
    assert body["name"] == "Me"
    assert body["locale"] == "es"
    assert fields(problem(api.patch(f"/users/{customer.pk}", {"phone": "123456"}), 403)) == {
        "phone"
    }
    problem(api.patch(f"/users/{other.pk}", {"name": "x"}), 404)


def test_update_bad_input(as_user: Any, admin: User, agent: User) -> None:
    api = as_user(admin)
    make_customer(email="taken@example.com")
    problem(api.patch("/users/999999", {"name": "x"}), 404)
    problem(api.patch("/users/0", {"name": "x"}), 422)
    assert fields(problem(api.patch(f"/users/{agent.pk}", {"name": None}), 422)) == {"name"}
    assert fields(problem(api.patch(f"/users/{agent.pk}", {"role": "root"}), 422)) == {"role"}
    assert fields(problem(api.patch(f"/users/{agent.pk}", {"is_active": "maybe"}), 422)) == {
        "is_active"
    }
    assert fields(
        problem(api.patch(f"/users/{agent.pk}", {"email": "taken@example.com"}), 409)
    ) == {"email"}
    assert fields(problem(api.patch(f"/users/{agent.pk}", {"locale": "fr"}), 422)) == {"locale"}
    body = problem(
        api.patch(f"/users/{agent.pk}", {"name": "Half", "organization_id": 999999}), 422
    )
    assert fields(body) == {"organization_id"}
    assert User.objects.get(pk=agent.pk).name == "Alex Agent"


def test_identities(as_user: Any, agent: User) -> None:
    customer = make_customer(email="cust@example.com")
    api = as_user(agent)
    response = api.post(
        f"/users/{customer.pk}/identities", {"channel": "whatsapp", "value": "+34 600-111-222"}
    )
    assert response.status_code == 201, response.content
    assert response.json()["value"] == "+34600111222"
    api.post(f"/users/{customer.pk}/identities", {"channel": "email", "value": "Alt@Example.com"})
    listed = api.get(f"/users/{customer.pk}/identities").json()
    assert [(i["channel"], i["value"]) for i in listed["items"]] == [
        ("email", "cust@example.com"), ("whatsapp", "+34600111222"), ("email", "alt@example.com")
    ]  # fmt: skip
    identity_id = listed["items"][1]["id"]
    assert api.delete(f"/users/{customer.pk}/identities/{identity_id}").status_code == 204
    problem(api.delete(f"/users/{customer.pk}/identities/{identity_id}"), 404)
    login = listed["items"][0]["id"]
    problem(api.delete(f"/users/{customer.pk}/identities/{login}"), 409)
    own = as_user(customer)
    assert len(own.get(f"/users/{customer.pk}/identities").json()["items"]) == 2
    problem(
        own.post(f"/users/{customer.pk}/identities", {"channel": "sms", "value": "600111222"}), 403
    )
    problem(own.get(f"/users/{agent.pk}/identities"), 404)


def test_identity_bad_input(as_user: Any, agent: User, admin: User) -> None:
    customer, other = make_customer(), make_customer(email="other@example.com")
    url = f"/users/{customer.pk}/identities"
    api = as_user(agent)
    assert fields(problem(api.post(url, {"channel": "email", "value": "nope"}), 422)) == {"value"}
    assert fields(problem(api.post(url, {"channel": "phone", "value": "call me"}), 422)) == {
        "value"
    }
    assert fields(problem(api.post(url, {"channel": "pigeon", "value": "x"}), 422)) == {"channel"}
    assert fields(problem(api.post(url, {"channel": "x", "value": "two words"}), 422)) == {"value"}
    assert "value" in fields(problem(api.post(url, {"channel": "email"}), 422))
    body = problem(api.post(url, {"channel": "email", "value": "OTHER@example.com"}), 409)
    assert fields(body) == {"value"}
    problem(api.post("/users/999999/identities", {"channel": "x", "value": "h"}), 404)
    problem(api.post(f"/users/{admin.pk}/identities", {"channel": "x", "value": "h"}), 403)
    other_identity = Identity.objects.get(user=other)
    problem(api.delete(f"{url}/{other_identity.pk}"), 404)


def test_me_and_auth(client: Any, as_user: Any, agent: User) -> None:
    assert as_user(agent).get("/users/me").json()["id"] == agent.pk
    problem(client.get("/api/v1/users/me"), 401)
    problem(client.get("/api/v1/users"), 401)
    problem(client.post("/api/v1/users", {}, content_type="application/json"), 401)


def test_nul_bytes_are_cleaned(as_user: Any, admin: User) -> None:
    api = as_user(admin)
    raw = '{"email": "nul@example.com", "name": "a\\u0000b\\ud800", "notes": "x\\u0000"}'
    response = api.client.post(
        "/api/v1/users", raw, content_type="application/json", headers=api.headers()
    )
    assert response.status_code == 201, response.content
    assert response.json()["name"] == "ab?"
