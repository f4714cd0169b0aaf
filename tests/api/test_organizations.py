"""/api/v1/organizations: staff read, admins write, domains are unique and valid."""

from __future__ import annotations

from typing import Any

import pytest

from atiende.accounts.models import Organization, OrganizationDomain, User
from atiende.tickets.models import CustomField
from tests.api.conftest import fields, problem
from tests.factories import make_admin, make_agent, make_customer, make_org

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin() -> User:
    return make_admin()


def test_create_read_list(as_user: Any, admin: User) -> None:
    CustomField.objects.create(target="organization", key="tax-id", type="text", name_en="Tax id")
    api = as_user(admin)
    response = api.post(
        "/organizations",
        {"name": " Acme  Corp ", "domains": ["ACME.test", "@acme.io", "acme.test"],
         "shared_tickets": True, "notes": "Key account", "custom_fields": {"tax-id": "B123"}},
    )  # fmt: skip
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["name"] == "Acme Corp"
    assert body["domains"] == ["acme.io", "acme.test"]
    assert body["shared_tickets"] is True
    assert body["custom_fields"] == {"tax-id": "B123"}
    agent_api = as_user(make_agent())
    read = agent_api.get(f"/organizations/{body['id']}").json()
    assert {k: v for k, v in read.items() if not k.endswith("_at")} == {
        k: v for k, v in body.items() if not k.endswith("_at")
    }
    make_org("Beta", domains=("beta.test",))
    assert [o["name"] for o in agent_api.get("/organizations").json()["items"]] == [
        "Acme Corp",
        "Beta",
    ]
    assert [
        o["name"] for o in agent_api.get("/organizations", {"q": "beta.t"}).json()["items"]
    ] == ["Beta"]
    page = agent_api.get("/organizations", {"limit": 1}).json()
    rest = agent_api.get("/organizations", {"limit": 1, "cursor": page["next_cursor"]}).json()
    assert [o["name"] for o in rest["items"]] == ["Beta"]
    assert rest["next_cursor"] is None


def test_international_domain_becomes_punycode(as_user: Any, admin: User) -> None:
    body = as_user(admin).post("/organizations", {"name": "Ñu", "domains": ["ñandú.es"]}).json()
    assert body["domains"] == ["xn--and-6ma2c.es"]


def test_update_replaces_domains(as_user: Any, admin: User) -> None:
    org = make_org("Acme", domains=("old.test", "keep.test"))
    api = as_user(admin)
    body = api.patch(
        f"/organizations/{org.pk}", {"domains": ["keep.test", "new.test"], "notes": "n"}
    ).json()
    assert body["domains"] == ["keep.test", "new.test"]
    assert body["notes"] == "n"
    assert body["name"] == "Acme"
    assert api.patch(f"/organizations/{org.pk}", {"name": "Acme 2"}).json()["domains"] == [
        "keep.test",
        "new.test",
    ]
    assert api.patch(f"/organizations/{org.pk}", {"domains": []}).json()["domains"] == []


def test_duplicates_are_conflicts(as_user: Any, admin: User) -> None:
    make_org("Taken", domains=("taken.test",))
    org = make_org("Mine", domains=("mine.test",))
    api = as_user(admin)
    assert fields(problem(api.post("/organizations", {"name": "TAKEN"}), 409)) == {"name"}
    body = problem(
        api.post("/organizations", {"name": "New", "domains": ["ok.test", "taken.test"]}), 409
    )
    assert fields(body) == {"domains"}
    assert "taken.test" in body["detail"]
    assert not Organization.objects.filter(name="New").exists()
    assert not OrganizationDomain.objects.filter(domain="ok.test").exists()
    body = problem(
        api.patch(f"/organizations/{org.pk}", {"name": "Renamed", "domains": ["taken.test"]}), 409
    )
    assert "taken.test" in body["detail"]
    assert Organization.objects.get(pk=org.pk).name == "Mine"
    problem(api.patch(f"/organizations/{org.pk}", {"name": "taken"}), 409)


def test_bad_input(as_user: Any, admin: User) -> None:
    api = as_user(admin)
    org = make_org()
    assert fields(problem(api.post("/organizations", {}), 422)) == {"name"}
    assert fields(problem(api.post("/organizations", {"name": "   "}), 422)) == {"name"}
    assert fields(problem(api.post("/organizations", {"name": "x" * 201}), 422)) == {"name"}
    for bad in [
        "localhost",
        "-bad.test",
        "a..b",
        "exa mple.com",
        "x.123",
        "a_b.test",
        "x" * 64 + ".com",
    ]:
        body = problem(api.post("/organizations", {"name": "D", "domains": [bad]}), 422)
        assert fields(body) == {"domains"}, bad
    assert fields(problem(api.post("/organizations", {"name": "D", "domains": "a.test"}), 422)) == {
        "domains"
    }
    body = problem(api.post("/organizations", {"name": "D", "custom_fields": {"nope": 1}}), 422)
    assert fields(body) == {"custom_fields.nope"}
    assert fields(problem(api.patch(f"/organizations/{org.pk}", {"name": None}), 422)) == {"name"}
    assert fields(
        problem(api.patch(f"/organizations/{org.pk}", {"shared_tickets": "yes please"}), 422)
    ) == {"shared_tickets"}
    problem(api.patch("/organizations/999999", {"notes": "x"}), 404)
    problem(api.get("/organizations/999999"), 404)
    problem(api.get(f"/organizations/{2**64}"), 422)
    assert not Organization.objects.filter(name="D").exists()


def test_permissions(client: Any, as_user: Any) -> None:
    org = make_org()
    agent_api, customer_api = as_user(make_agent()), as_user(make_customer(organization_id=org.pk))
    problem(agent_api.post("/organizations", {"name": "Nope"}), 403)
    problem(agent_api.patch(f"/organizations/{org.pk}", {"name": "Nope"}), 403)
    # Sharing decides what every member sees: only an admin turns it on (issue 13, 2.5).
    problem(agent_api.patch(f"/organizations/{org.pk}", {"shared_tickets": True}), 403)
    assert not Organization.objects.get(pk=org.pk).shared_tickets
    problem(customer_api.get("/organizations"), 403)
    problem(customer_api.get(f"/organizations/{org.pk}"), 403)
    problem(customer_api.post("/organizations", {"name": "Nope"}), 403)
    problem(client.get("/api/v1/organizations"), 401)
    assert not Organization.objects.filter(name="Nope").exists()


def test_nul_bytes_in_custom_field_values_are_cleaned(as_user: Any, admin: User) -> None:
    CustomField.objects.create(target="organization", key="code", type="text", name_en="Code")
    api = as_user(admin)
    raw = (
        '{"name": "N\\u0000ul", "domains": ["nul\\u0000.test"],'
        ' "custom_fields": {"code": "a\\u0000b"}}'
    )
    response = api.client.post(
        "/api/v1/organizations", raw, content_type="application/json", headers=api.headers()
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["name"] == "Nul"
    assert body["domains"] == ["nul.test"]
    assert body["custom_fields"] == {"code": "ab"}
