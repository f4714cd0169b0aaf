"""/api/v1/calendars and /groups/{id}/calendar: staff read, admins write, bad hours are 422s."""

from __future__ import annotations

from typing import Any

import pytest

from atiende.accounts.models import User
from atiende.sla import config_selectors
from atiende.sla.models import Calendar
from tests.api.conftest import fields, problem
from tests.factories import SYSTEM, make_admin, make_agent, make_customer, make_group

pytestmark = pytest.mark.django_db
SPLIT = {day: [["09:00", "13:00"], ["14:00", "18:00"]] for day in ("monday", "friday")}
OFFICE = {
    "name": "Santiago office",
    "time_zone": "America/Santiago",
    "hours": SPLIT,
    "holiday_country": "cl",
    "holidays": [{"date": "2026-12-24", "yearly": True, "name": "Nochebuena"}],
}


@pytest.fixture
def admin() -> User:
    return make_admin()


def test_admin_creates_reads_updates_lists_and_deletes(as_user: Any, admin: User) -> None:
    api = as_user(admin)
    response = api.post("/calendars", OFFICE)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["holiday_country"] == "CL"
    assert body["hours"]["monday"] == [["09:00", "13:00"], ["14:00", "18:00"]]
    assert body["holidays"] == [{"date": "2026-12-24", "yearly": True, "name": "Nochebuena"}]
    calendar_id = body["id"]
    body = api.patch(f"/calendars/{calendar_id}", {"name": "Oficina", "holidays": []}).json()
    assert body["name"] == "Oficina" and body["holidays"] == []
    agent = as_user(make_agent())
    assert agent.get(f"/calendars/{calendar_id}").json() == body
    assert [c["name"] for c in agent.get("/calendars").json()["items"]] == ["Oficina"]
    assert api.delete(f"/calendars/{calendar_id}").status_code == 204
    assert not Calendar.objects.filter(pk=calendar_id).exists()
    problem(api.get(f"/calendars/{calendar_id}"), 404)


def test_next_opening_from_friday_evening_is_monday_morning(as_user: Any, admin: User) -> None:
    api = as_user(admin)
    calendar_id = api.post("/calendars", OFFICE).json()["id"]
    # Friday 2026-12-04 19:00 in Santiago (UTC-3) is 22:00 UTC.
    body = api.get(f"/calendars/{calendar_id}/next-opening", {"at": "2026-12-04T22:00:00Z"}).json()
    assert body["next_opening"] == "2026-12-07T12:00:00Z"
    assert body["open_now"] is False
    body = api.get(f"/calendars/{calendar_id}/next-opening", {"at": "2026-12-07T13:00:00Z"}).json()
    assert body["open_now"] is True and body["next_opening"] == "2026-12-07T13:00:00Z"
    problem(api.get(f"/calendars/{calendar_id}/next-opening", {"at": "friday"}), 422)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"hours": {"monday": [["09:00", "13:00"], ["12:00", "18:00"]]}}, "hours.monday"),
        ({"hours": {"monday": [["18:00", "09:00"]]}}, "hours.monday"),
        ({"hours": {"funday": [["09:00", "13:00"]]}}, "hours.funday"),
        ({"time_zone": "Mars/Olympus"}, "time_zone"),
        ({"holiday_country": "ZZ"}, "holiday_country"),
        ({"holidays": [{"date": "24/12/2026"}]}, "holidays[0].date"),
        ({"name": ""}, "name"),
    ],
)
def test_bad_calendars_are_refused_naming_the_part(
    as_user: Any, admin: User, change: dict[str, Any], field: str
) -> None:
    body = problem(as_user(admin).post("/calendars", {**OFFICE, **change}), 422)
    assert any(f.startswith(field) for f in fields(body)), body
    assert not Calendar.objects.exists()


def test_update_with_bad_hours_changes_nothing(as_user: Any, admin: User) -> None:
    api = as_user(admin)
    calendar_id = api.post("/calendars", OFFICE).json()["id"]
    change = {"name": "Other", "hours": {"monday": [["09:00", "13:00"], ["10:00", "11:00"]]}}
    problem(api.patch(f"/calendars/{calendar_id}", change), 422)
    assert api.get(f"/calendars/{calendar_id}").json()["name"] == "Santiago office"


def test_group_calendar(as_user: Any, admin: User) -> None:
    api = as_user(admin)
    group = make_group("Tier 1")
    calendar_id = api.post("/calendars", OFFICE).json()["id"]
    assert api.get(f"/groups/{group.pk}/calendar").json() == {
        "group_id": group.pk,
        "calendar_id": None,
    }
    body = api.put(f"/groups/{group.pk}/calendar", {"calendar_id": calendar_id}).json()
    assert body == {"group_id": group.pk, "calendar_id": calendar_id}
    assert config_selectors.group_calendar_id(SYSTEM, group.pk) == calendar_id
    assert api.get(f"/calendars/{calendar_id}").json()["group_ids"] == [group.pk]
    body = problem(api.put(f"/groups/{group.pk}/calendar", {"calendar_id": 999999}), 422)
    assert fields(body) == {"calendar_id"}
    problem(api.put("/groups/999999/calendar", {"calendar_id": calendar_id}), 404)
    agent = as_user(make_agent())
    problem(agent.put(f"/groups/{group.pk}/calendar", {"calendar_id": None}), 403)
    assert (
        api.put(f"/groups/{group.pk}/calendar", {"calendar_id": None}).json()["calendar_id"] is None
    )


def test_permissions(as_user: Any, admin: User, client: Any) -> None:
    calendar_id = as_user(admin).post("/calendars", OFFICE).json()["id"]
    agent, customer = as_user(make_agent()), as_user(make_customer())
    problem(agent.post("/calendars", {**OFFICE, "name": "Mine"}), 403)
    problem(agent.patch(f"/calendars/{calendar_id}", {"name": "Mine"}), 403)
    problem(agent.delete(f"/calendars/{calendar_id}"), 403)
    for path in (
        "/calendars",
        f"/calendars/{calendar_id}",
        f"/calendars/{calendar_id}/next-opening",
    ):
        problem(customer.get(path), 403)
        problem(client.get("/api/v1" + path), 401)
    problem(customer.post("/calendars", OFFICE), 403)
    problem(as_user(admin).get("/calendars/999999"), 404)
