"""/api/v1/triggers and /automations: staff read, admins write and dry-run, every bad part a
422 naming it with nothing saved, a dry run writes nothing."""

from __future__ import annotations

from typing import Any

import pytest

from atiende.accounts.models import User
from atiende.automation.models import TimedRule, Trigger
from atiende.tickets.models import TicketEvent
from atiende.tickets.selectors import get_ticket
from tests.api.conftest import fields, problem
from tests.factories import SYSTEM, make_admin, make_agent, make_customer, make_ticket

pytestmark = pytest.mark.django_db
BILLING = {"all": [{"field": "subject", "operator": "contains", "value": "factura"}]}
RAISE = [{"type": "set_priority", "value": "high"}, {"type": "add_tags", "value": ["vip"]}]


def trigger(name: str = "Urgent mail", **extra: Any) -> dict[str, Any]:
    return {"name": name, "conditions": BILLING, "actions": RAISE, **extra}


@pytest.fixture
def admin() -> User:
    return make_admin()


def shipped() -> list[int]:
    """The shipped priority rules (editable triggers) every install starts with."""
    return list(Trigger.objects.order_by("order", "id").values_list("pk", flat=True))


def test_admin_creates_reads_updates_lists_and_deletes(as_user: Any, admin: User) -> None:
    api = as_user(admin)
    ours = shipped()
    response = api.post("/triggers", trigger())
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["conditions"] == BILLING and body["actions"] == RAISE
    assert body["fired_count"] == 0 and body["last_fired_at"] is None and body["active"]
    trigger_id = body["id"]
    body = api.patch(f"/triggers/{trigger_id}", {"active": False, "name": "Renamed"}).json()
    assert body["active"] is False and body["name"] == "Renamed"
    agent = as_user(make_agent())
    assert agent.get(f"/triggers/{trigger_id}").json() == body
    assert [t["id"] for t in agent.get("/triggers").json()["items"]] == [*ours, trigger_id]
    assert api.delete(f"/triggers/{trigger_id}").status_code == 204
    problem(api.get(f"/triggers/{trigger_id}"), 404)


def test_a_trigger_made_through_the_api_fires_and_counts(as_user: Any, admin: User) -> None:
    trigger_id = as_user(admin).post("/triggers", trigger()).json()["id"]
    ticket = make_ticket(subject="factura duplicada")
    assert get_ticket(SYSTEM, ticket.pk).priority.key == "high"
    assert as_user(admin).get(f"/triggers/{trigger_id}").json()["fired_count"] == 1


def test_reorder(as_user: Any, admin: User) -> None:
    api = as_user(admin)
    ours = shipped()
    first = api.post("/triggers", trigger("First")).json()["id"]
    second = api.post("/triggers", trigger("Second")).json()["id"]
    response = api.post("/triggers/reorder", {"ids": [second, first, *ours]})
    assert response.status_code == 200, response.content
    assert [t["id"] for t in response.json()["items"]] == [second, first, *ours]
    body = problem(api.post("/triggers/reorder", {"ids": [first, second]}), 422)
    assert fields(body) == {"ids"}
    assert [t["id"] for t in api.get("/triggers").json()["items"]] == [second, first, *ours]


def when(field: str, operator: str, value: Any) -> dict[str, Any]:
    return {"all": [{"field": field, "operator": operator, "value": value}]}


BAD_RULES = [
    ({"conditions": when("colour", "is", "red")}, "conditions.all[0].field"),
    ({"conditions": when("tags", "starts_with", "x")}, "conditions.all[0].operator"),
    ({"conditions": when("priority", "is", 3)}, "conditions.all[0].value"),
    ({"conditions": {"some": []}}, "conditions.some"),
    ({"actions": [{"type": "explode"}]}, "actions[0].type"),
    ({"actions": [{"type": "set_priority", "value": "whenever"}]}, "actions[0].value"),
    ({"actions": []}, "actions"),
    ({"name": ""}, "name"),
]


@pytest.mark.parametrize(("change", "field"), BAD_RULES)
def test_bad_triggers_are_refused_naming_the_part(
    as_user: Any, admin: User, change: dict[str, Any], field: str
) -> None:
    before = shipped()
    body = problem(as_user(admin).post("/triggers", trigger(**change)), 422)
    assert field in fields(body), body
    assert shipped() == before


def test_update_with_a_bad_part_changes_nothing(as_user: Any, admin: User) -> None:
    api = as_user(admin)
    trigger_id = api.post("/triggers", trigger()).json()["id"]
    before = api.get(f"/triggers/{trigger_id}").json()
    change = {"name": "Renamed", "actions": [{"type": "explode"}]}
    assert fields(problem(api.patch(f"/triggers/{trigger_id}", change), 422)) == {"actions[0].type"}
    assert api.get(f"/triggers/{trigger_id}").json() == before


def snapshot(ticket_id: int) -> tuple[Any, ...]:
    ticket = get_ticket(SYSTEM, ticket_id)
    events = TicketEvent.objects.filter(ticket_id=ticket_id).count()
    return ticket.version, ticket.priority.key, sorted(t.name for t in ticket.tags.all()), events


def test_dry_run_of_a_saved_trigger_says_what_it_would_do_and_writes_nothing(
    as_user: Any, admin: User
) -> None:
    api = as_user(admin)
    trigger_id = api.post("/triggers", trigger(active=False)).json()["id"]
    ticket = make_ticket(subject="factura duplicada")
    before = snapshot(ticket.pk)
    response = api.post(f"/triggers/{trigger_id}/dry-run", {"ticket_id": ticket.pk})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["matches"] is True
    assert body["conditions"] == [
        {"part": "all[0]", "condition": BILLING["all"][0], "result": True}
    ]
    priority, tags = body["actions"]
    assert priority["action"] == RAISE[0] and priority["notes"] and not priority["error"]
    assert tags["changes"] == [{"field": "tags", "old": [], "new": ["vip"]}]
    assert snapshot(ticket.pk) == before
    assert api.get(f"/triggers/{trigger_id}").json()["fired_count"] == 0


def test_dry_run_of_an_unsaved_definition(as_user: Any, admin: User) -> None:
    api = as_user(admin)
    ticket = make_ticket(subject="hello")
    ours, before = shipped(), snapshot(ticket.pk)
    body = api.post(
        "/triggers/dry-run", {"ticket_id": ticket.pk, "conditions": BILLING, "actions": RAISE}
    ).json()
    assert body["matches"] is False
    assert len(body["actions"]) == 2  # previewed even when the conditions do not hold
    assert snapshot(ticket.pk) == before
    assert shipped() == ours
    bad = {"ticket_id": ticket.pk, "conditions": BILLING, "actions": [{"type": "explode"}]}
    assert fields(problem(api.post("/triggers/dry-run", bad), 422)) == {"actions[0].type"}
    missing = {"ticket_id": 999999, "conditions": BILLING, "actions": RAISE}
    problem(api.post("/triggers/dry-run", missing), 404)
    agent = as_user(make_agent())
    problem(agent.post("/triggers/dry-run", {**missing, "ticket_id": ticket.pk}), 403)
    assert snapshot(ticket.pk) == before


def test_trigger_permissions(as_user: Any, admin: User, client: Any) -> None:
    trigger_id = as_user(admin).post("/triggers", trigger()).json()["id"]
    agent, customer = as_user(make_agent()), as_user(make_customer())
    problem(agent.post("/triggers", trigger("Mine")), 403)
    problem(agent.patch(f"/triggers/{trigger_id}", {"name": "Mine"}), 403)
    problem(agent.delete(f"/triggers/{trigger_id}"), 403)
    ticket = make_ticket()
    problem(agent.post(f"/triggers/{trigger_id}/dry-run", {"ticket_id": ticket.pk}), 403)
    for path in ("/triggers", f"/triggers/{trigger_id}", "/automations"):
        problem(customer.get(path), 403)
        problem(client.get("/api/v1" + path), 401)
    problem(as_user(admin).patch("/triggers/999999", {"name": "X"}), 404)
    problem(as_user(admin).post("/triggers/999999/dry-run", {"ticket_id": ticket.pk}), 404)


SOLVED_FOR_4_DAYS = {
    "name": "Close solved",
    "condition": "status",
    "status_category": "solved",
    "minutes": 4 * 24 * 60,
    "actions": [{"type": "set_status", "value": "closed"}],
}


def test_automations_crud(as_user: Any, admin: User) -> None:
    api = as_user(admin)
    response = api.post("/automations", SOLVED_FOR_4_DAYS)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["condition"] == "status" and body["minutes"] == 5760
    rule_id = body["id"]
    body = api.patch(f"/automations/{rule_id}", {"minutes": 60, "active": False}).json()
    assert body["minutes"] == 60 and body["active"] is False
    agent = as_user(make_agent())
    assert agent.get(f"/automations/{rule_id}").json() == body
    assert [r["id"] for r in agent.get("/automations").json()["items"]] == [rule_id]
    problem(agent.patch(f"/automations/{rule_id}", {"minutes": 5}), 403)
    problem(agent.post("/automations", SOLVED_FOR_4_DAYS), 403)
    assert api.delete(f"/automations/{rule_id}").status_code == 204
    problem(api.get(f"/automations/{rule_id}"), 404)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"minutes": 0}, "minutes"),
        ({"minutes": -60}, "minutes"),
        ({"status_category": ""}, "status_category"),
        ({"condition": "forever"}, "condition"),
        ({"actions": [{"type": "explode"}]}, "actions[0].type"),
        ({"conditions": when("colour", "is", 1)}, "conditions.all[0].field"),
    ],
)
def test_bad_automations_are_refused_naming_the_part(
    as_user: Any, admin: User, change: dict[str, Any], field: str
) -> None:
    body = problem(as_user(admin).post("/automations", {**SOLVED_FOR_4_DAYS, **change}), 422)
    assert field in fields(body), body
    assert not TimedRule.objects.exists()


def test_a_cyclic_pair_is_warned_about(as_user: Any, admin: User) -> None:
    api = as_user(admin)
    pong = api.post(
        "/triggers",
        trigger("Pong", conditions=when("tags", "contains", "pong"),
                actions=[{"type": "add_tags", "value": ["ping"]}]),
    ).json()  # fmt: skip
    assert pong["loop_warnings"] == []
    ping = api.post(
        "/triggers",
        trigger("Ping", conditions=when("tags", "contains", "ping"),
                actions=[{"type": "add_tags", "value": ["pong"]}]),
    ).json()  # fmt: skip
    [warning] = ping["loop_warnings"]
    assert "Pong" in warning
    assert "Ping" in api.get(f"/triggers/{pong['id']}").json()["loop_warnings"][0]
    calm = api.patch(f"/triggers/{ping['id']}", {"actions": [{"type": "add_note", "body": "x"}]})
    assert calm.json()["loop_warnings"] == []


def test_nul_bytes_inside_conditions_are_stripped_not_a_server_error(
    as_user: Any, admin: User
) -> None:
    """PostgreSQL's jsonb refuses ``\\u0000``: strings deep inside a rule are cleaned first."""
    response = as_user(admin).post(
        "/triggers", trigger(conditions=when("subject", "contains", "fac\x00tura"))
    )
    assert response.status_code == 201, response.content
    assert response.json()["conditions"]["all"][0]["value"] == "factura"


def test_a_pair_that_would_loop_without_end_is_refused(as_user: Any, admin: User) -> None:
    api = as_user(admin)
    api.post(
        "/triggers",
        trigger("Abrir", conditions=when("status", "is", "pending"),
                actions=[{"type": "set_status", "value": "open"}]),
    )  # fmt: skip
    refused = api.post(
        "/triggers",
        trigger("Pendiente", conditions=when("status", "is", "open"),
                actions=[{"type": "set_status", "value": "pending"}]),
    )  # fmt: skip
    body = problem(refused, 422)
    assert fields(body) == {"actions"} and "Abrir" in body["errors"][0]["message"]
    assert not Trigger.objects.filter(name="Pendiente").exists()
