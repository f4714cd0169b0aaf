"""/api/v1/tickets: happy paths and every error path the contract names."""

from __future__ import annotations

from typing import Any

import pytest

from atiende.accounts.models import User
from atiende.core.actor import Actor, Source
from atiende.core.errors import Forbidden
from atiende.tickets.models import Ticket, TicketEvent
from atiende.tickets.services import open_ticket
from tests.api.conftest import fields, problem
from tests.factories import make_admin, make_agent, make_customer, make_group, make_ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def support() -> Any:
    return make_group("Support")


@pytest.fixture
def agent(support: Any) -> User:
    return make_agent(support)


def test_create_ticket_for_a_new_customer(as_user: Any, agent: User, support: Any) -> None:
    api = as_user(agent)
    response = api.post(
        "/tickets",
        {
            "subject": "No puedo entrar",
            "body": "La contraseña no funciona",
            "requester": {"email": "Maria@Example.com", "name": "María"},
            "priority": "high",
            "group_id": support.pk,
            "tags": ["login"],
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["number"] >= 1001 and body["subject"] == "No puedo entrar"
    assert body["status"] == {
        "id": body["status"]["id"],
        "key": "new",
        "name": "New",
        "category": "new",
    }
    assert body["priority"]["key"] == "high" and body["tags"] == ["login"]
    assert (
        body["requester"]["email"] == "maria@example.com" and body["requester"]["name"] == "María"
    )
    assert body["group"] == {"id": support.pk, "name": "Support"} and body["assignee"] is None
    assert body["version"] == 1 and body["channel"] == "api"
    assert User.objects.get(email="maria@example.com").role == "customer"


def test_customer_creates_own_ticket_without_requester(as_user: Any) -> None:
    customer = make_customer()
    body = as_user(customer).post("/tickets", {"subject": "Hi", "body": "Help"}).json()
    assert body["requester"]["id"] == customer.pk


CUSTOMER_CHOICES = {
    "priority": "urgent",
    "tags": ["vip"],
    "custom_fields": {"plan": "gold"},
    "channel": "email",
    "type": "incident",
    "category_id": 1,
}


@pytest.mark.parametrize("field", sorted(CUSTOMER_CHOICES))
def test_a_customer_cannot_choose_how_their_ticket_is_routed(as_user: Any, field: str) -> None:
    """Each field a customer may not set (no form allows it through the API) is a 403 that
    names it, checked before anything else about its value, and nothing is opened."""
    customer = make_customer()
    api = as_user(customer)

    body = problem(
        api.post("/tickets", {"subject": "Hi", "body": "Help", field: CUSTOMER_CHOICES[field]}),
        403,
    )

    assert fields(body) == {field}
    assert not Ticket.objects.filter(requester=customer).exists()


def test_a_customer_is_told_every_refused_field_at_once(as_user: Any) -> None:
    api = as_user(make_customer())
    body = problem(api.post("/tickets", {"subject": "s", "body": "b", **CUSTOMER_CHOICES}), 403)
    assert fields(body) == set(CUSTOMER_CHOICES)


def test_the_ticket_a_customer_opens_by_api_says_so(as_user: Any) -> None:
    customer = make_customer()
    body = as_user(customer).post("/tickets", {"subject": "Hi", "body": "Help", "tags": []})
    ticket = Ticket.objects.get(pk=body.json()["id"])
    assert (ticket.channel, ticket.type, ticket.priority.key) == ("api", "question", "normal")


def test_a_form_can_let_a_customer_set_a_field() -> None:
    """The check is per field, so a future form passes the fields it shows."""
    customer = make_customer()
    who = Actor(customer, Source.WEB)
    with pytest.raises(Forbidden) as refused:
        open_ticket(who, subject="s", body="b", requester=customer, priority="high", type="bug")
    assert {e.field for e in refused.value.errors} == {"priority", "type"}

    ticket = open_ticket(
        who,
        subject="s",
        body="b",
        requester=customer,
        priority="high",
        customer_may_set={"priority"},
    )
    assert (ticket.priority.key, ticket.channel) == ("high", "web")


def test_create_ticket_bad_input(as_user: Any, agent: User) -> None:
    api = as_user(agent)
    body = problem(api.post("/tickets", {"body": "x"}), 422)
    assert "subject" in fields(body)
    body = problem(api.post("/tickets", {"subject": "s", "body": "b", "priority": "meh"}), 422)
    assert fields(body) == {"priority"}
    body = problem(api.post("/tickets", {"subject": "s", "body": "b", "group_id": 999999}), 422)
    assert fields(body) == {"group_id"}
    body = problem(api.post("/tickets", {"subject": "s", "body": "b", "requester_id": 999999}), 422)
    assert fields(body) == {"requester_id"}
    body = problem(api.post("/tickets", {"subject": 5, "body": ["b"]}), 422)
    assert {"subject", "body"} <= fields(body)
    body = problem(
        api.post("/tickets", {"subject": "s", "body": "b", "requester": {"email": "nope"}}), 422
    )
    assert fields(body) == {"requester.email"}
    body = problem(
        api.post("/tickets", {"subject": "s", "body": "b", "custom_fields": {"x": 1}}), 422
    )
    assert fields(body) == {"custom_fields.x"}
    response = api.client.post(
        "/api/v1/tickets", "{not json", content_type="application/json", headers=api.headers()
    )
    problem(response, 400)
    assert Ticket.objects.count() == 0


def test_nul_bytes_and_surrogates_are_cleaned(as_user: Any, agent: User) -> None:
    raw = '{"subject": "a\\u0000b\\ud800c", "body": "x\\u0000"}'
    response = as_user(agent).client.post(
        "/api/v1/tickets", raw, content_type="application/json", headers=as_user(agent).headers()
    )
    assert response.status_code == 201, response.content
    assert response.json()["subject"] == "ab?c"


def test_auth_errors(client: Any, as_user: Any, agent: User) -> None:
    problem(client.get("/api/v1/tickets"), 401)
    problem(client.get("/api/v1/tickets", headers={"Authorization": "Bearer nope"}), 401)
    api = as_user(agent)
    from atiende.accounts.models import ApiToken
    from atiende.accounts.services import revoke_api_token
    from tests.factories import SYSTEM

    revoke_api_token(SYSTEM, token_id=ApiToken.objects.get(user=agent).pk)
    body = problem(api.get("/tickets"), 401)
    assert "revoked" in body["detail"]


def test_session_auth_requires_csrf_for_writes(agent: User) -> None:
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(agent)
    assert client.get("/api/v1/tickets").status_code == 200
    response = client.post(
        "/api/v1/tickets", {"subject": "s", "body": "b"}, content_type="application/json"
    )
    problem(response, 403)
    client.get("/api/v1/tickets")
    token = client.cookies.get("csrftoken")
    if token is None:
        from django.middleware.csrf import _get_new_csrf_string

        token_value = _get_new_csrf_string()
        client.cookies["csrftoken"] = token_value
    else:
        token_value = token.value
    response = client.post(
        "/api/v1/tickets",
        {"subject": "s", "body": "b"},
        content_type="application/json",
        headers={"X-CSRFToken": token_value},
    )
    assert response.status_code == 201, response.content


def test_read_and_scoping(as_user: Any, support: Any, agent: User) -> None:
    ticket = make_ticket(group_id=support.pk)
    body = as_user(agent).get(f"/tickets/{ticket.pk}").json()
    assert body["id"] == ticket.pk and body["number"] == ticket.number
    outsider = make_agent(make_group())
    problem(as_user(outsider).get(f"/tickets/{ticket.pk}"), 404)
    problem(as_user(make_customer()).get(f"/tickets/{ticket.pk}"), 404)
    problem(as_user(agent).get("/tickets/999999999"), 404)
    problem(as_user(agent).get("/tickets/0"), 422)
    problem(as_user(agent).get(f"/tickets/{2**70}"), 422)


def test_update_with_version_and_conflict(as_user: Any, support: Any, agent: User) -> None:
    ticket = make_ticket(group_id=support.pk)
    api = as_user(agent)
    response = api.patch(
        f"/tickets/{ticket.pk}", {"version": 1, "priority": "urgent", "assignee_id": agent.pk}
    )
    assert response.status_code == 200, response.content
    assert response.json()["version"] == 2 and response.json()["assignee"]["id"] == agent.pk
    body = problem(api.patch(f"/tickets/{ticket.pk}", {"version": 1, "priority": "low"}), 409)
    assert body["current"]["priority"]["key"] == "urgent" and body["current"]["version"] == 2
    assert Ticket.objects.get(pk=ticket.pk).priority.key == "urgent"
    problem(api.patch(f"/tickets/{ticket.pk}", {"priority": "low"}), 422)  # version missing


def test_update_errors(as_user: Any, support: Any, agent: User) -> None:
    ticket = make_ticket(group_id=support.pk)
    api = as_user(agent)
    api.patch(f"/tickets/{ticket.pk}", {"version": 1, "status": "closed"})
    body = problem(api.patch(f"/tickets/{ticket.pk}", {"version": 2, "status": "open"}), 422)
    assert fields(body) == {"status"}
    other = make_ticket(group_id=support.pk)
    body = problem(
        api.patch(
            f"/tickets/{other.pk}", {"version": 1, "assignee_id": make_agent(make_group()).pk}
        ),
        422,
    )
    assert fields(body) == {"assignee_id"}
    customer = make_customer()
    mine = make_ticket(customer)
    problem(
        as_user(customer).patch(f"/tickets/{mine.pk}", {"version": 1, "priority": "urgent"}), 403
    )
    problem(
        as_user(make_agent(make_group())).patch(
            f"/tickets/{other.pk}", {"version": 1, "priority": "low"}
        ),
        404,
    )


def test_list_filters_sort_and_cursor(as_user: Any, support: Any, agent: User) -> None:
    sales = make_group("Sales")
    admin = make_admin()
    tickets = [
        make_ticket(group_id=support.pk, priority="high" if i % 2 else "low") for i in range(5)
    ]
    make_ticket(group_id=sales.pk)
    api = as_user(admin)
    page1 = api.get("/tickets", {"group_id": support.pk, "limit": 2}).json()
    assert [t["id"] for t in page1["items"]] == [tickets[4].pk, tickets[3].pk]
    page2 = api.get(
        "/tickets", {"group_id": support.pk, "limit": 2, "cursor": page1["next_cursor"]}
    ).json()
    page3 = api.get(
        "/tickets", {"group_id": support.pk, "limit": 2, "cursor": page2["next_cursor"]}
    ).json()
    assert [t["id"] for t in page2["items"]] == [tickets[2].pk, tickets[1].pk]
    assert [t["id"] for t in page3["items"]] == [tickets[0].pk] and page3["next_cursor"] is None
    high = api.get("/tickets", {"priority": "high", "sort": "number"}).json()["items"]
    assert [t["id"] for t in high] == [tickets[1].pk, tickets[3].pk]
    assert len(api.get("/tickets", {"status_category": "new"}).json()["items"]) == 6
    assert api.get("/tickets", {"status": "open"}).json()["items"] == []
    assert len(as_user(agent).get("/tickets").json()["items"]) == 5
    body = problem(api.get("/tickets", {"cursor": "garbage"}), 422)
    assert fields(body) == {"cursor"}
    problem(api.get("/tickets", {"limit": 1000}), 422)
    problem(api.get("/tickets", {"sort": "bogus"}), 422)
    problem(api.get("/tickets", {"created_after": "yesterday"}), 422)


def test_list_text_query_and_number(as_user: Any, on_commit: Any) -> None:
    admin = make_admin()
    with on_commit():
        hit = make_ticket(subject="Invoice missing", body="The invoice for March never arrived")
        make_ticket(subject="Password reset", body="Cannot log in")
    api = as_user(admin)
    assert [t["id"] for t in api.get("/tickets", {"q": "invoice"}).json()["items"]] == [hit.pk]
    assert [t["id"] for t in api.get("/tickets", {"q": f"#{hit.number}"}).json()["items"]] == [
        hit.pk
    ]


def test_merge_and_events_endpoints(as_user: Any, support: Any, agent: User) -> None:
    a, b = make_ticket(group_id=support.pk), make_ticket(group_id=support.pk)
    api = as_user(agent)
    response = api.post(f"/tickets/{a.pk}/merge", {"target_id": b.pk})
    assert response.status_code == 200 and response.json()["id"] == b.pk
    assert api.get(f"/tickets/{a.pk}").json()["merged_into_id"] == b.pk
    problem(api.post(f"/tickets/{a.pk}/merge", {"target_id": b.pk}), 409)
    problem(api.post(f"/tickets/{a.pk}/merge", {"target_id": 99999999}), 404)
    events = api.get(f"/tickets/{a.pk}/events").json()
    assert [e["action"] for e in events] == ["created", "merged", "updated"]
    assert events[1]["actor"]["id"] == agent.pk and events[1]["source"] == "api"
    problem(as_user(b.requester).get(f"/tickets/{b.pk}/events"), 403)
    assert TicketEvent.objects.filter(ticket=b, action="merged").count() == 1


def test_errors_speak_the_callers_language(as_user: Any) -> None:
    agent = make_agent(make_group(), locale="es")
    body = problem(as_user(agent).get("/tickets/987654"), 404)
    assert body["title"] == "Ticket no encontrado"
