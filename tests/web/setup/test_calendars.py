"""Business calendars and a group's rules (calendar, assignment) in the settings."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from atiende.automation.assignment.config import group_config
from atiende.sla.models import Calendar, GroupCalendar
from atiende.sla.services.calendars import create_calendar
from tests.factories import SYSTEM, make_admin, make_agent, make_group

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

NEW = "settings-calendar-new"
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday")


def calendar(name: str = "Santiago", **extra: str) -> dict[str, str]:
    data = {
        "name": name,
        "time_zone": "America/Santiago",
        "holiday_country": "CL",
        "holiday_subdivision": "",
        "is_default": "on",
        **{f"hours_{day}": "09:00-13:00, 14:00-18:00" for day in WEEKDAYS},
        "hol-count": "2",
        "hol-0-date": "2026-12-24",
        "hol-0-yearly": "1",
        "hol-0-name": "Nochebuena",
    }
    data.update(extra)
    return data


def field_html(body: str, name: str) -> str:
    start = body.index(f'name="{name}"')
    return body[body.rindex("<p", 0, start) : body.index("</p>", start)]


def test_admin_creates_a_calendar_with_split_shifts_and_holidays(as_admin: Client) -> None:
    response = as_admin.post(reverse(NEW), calendar())
    assert response.status_code == 302, response.content.decode()
    saved = Calendar.objects.get()
    assert (saved.time_zone, saved.holiday_country, saved.is_default) == (
        "America/Santiago", "CL", True
    )  # fmt: skip
    assert saved.hours["monday"] == [["09:00", "13:00"], ["14:00", "18:00"]]
    assert "saturday" not in saved.hours or saved.hours["saturday"] == []
    (holiday,) = saved.holidays.all()
    assert (holiday.date.isoformat(), holiday.yearly, holiday.name) == (
        "2026-12-24", True, "Nochebuena"
    )  # fmt: skip
    page = as_admin.get(reverse("settings-calendar", args=[saved.pk])).content.decode()
    assert 'value="09:00-13:00, 14:00-18:00"' in page
    assert 'value="Nochebuena"' in page
    listing = as_admin.get(reverse("settings-calendars")).content.decode()
    assert "Santiago" in listing and "America/Santiago" in listing


def test_overlapping_hours_are_refused_next_to_the_day(as_admin: Client) -> None:
    response = as_admin.post(reverse(NEW), calendar(hours_tuesday="09:00-13:00, 12:00-18:00"))
    body = response.content.decode()
    assert response.status_code == 422
    assert "The interval overlaps another one." in field_html(body, "hours_tuesday")
    assert "field-error" not in field_html(body, "hours_monday")
    assert not Calendar.objects.exists()


def test_empty_hours_are_refused_above_the_hours(as_admin: Client) -> None:
    empty = {f"hours_{day}": "" for day in WEEKDAYS}
    response = as_admin.post(reverse(NEW), calendar(**empty))
    body = response.content.decode()
    assert response.status_code == 422
    hours = body[body.index('<fieldset class="hours') : body.index("</legend>") + 400]
    assert "The calendar has no open hours in the week." in hours
    assert not Calendar.objects.exists()


def test_an_unknown_time_zone_is_refused_next_to_it(as_admin: Client) -> None:
    response = as_admin.post(reverse(NEW), calendar(time_zone="Mars/Olympus"))
    assert response.status_code == 422
    assert "Select a valid choice." in field_html(response.content.decode(), "time_zone")
    assert not Calendar.objects.exists()


def test_a_bad_holiday_date_is_refused_on_its_row(as_admin: Client) -> None:
    response = as_admin.post(reverse(NEW), calendar(**{"hol-0-date": "2026-13-40"}))
    body = response.content.decode()
    assert response.status_code == 422
    start = body.index('name="hol-0-date"')
    row = body[body.rindex("<li", 0, start) : body.index("</li>", start)]
    assert "Enter a date as YYYY-MM-DD." in row
    assert not Calendar.objects.exists()


def test_an_unknown_subdivision_is_refused_next_to_it(as_admin: Client) -> None:
    response = as_admin.post(reverse(NEW), calendar(holiday_subdivision="ZZZ"))
    assert response.status_code == 422
    assert "field-error" in field_html(response.content.decode(), "holiday_subdivision")
    assert not Calendar.objects.exists()


def test_edit_and_delete(as_admin: Client) -> None:
    saved = create_calendar(
        SYSTEM, name="Madrid", time_zone="Europe/Madrid", hours={"monday": [["09:00", "17:00"]]}
    )
    url = reverse("settings-calendar", args=[saved.pk])
    response = as_admin.post(
        url, calendar("Madrid", time_zone="Europe/Madrid", **{"hol-0-remove": "1"})
    )
    assert response.status_code == 302
    saved.refresh_from_db()
    assert saved.hours["friday"] == [["09:00", "13:00"], ["14:00", "18:00"]]
    assert not saved.holidays.exists()
    as_admin.post(reverse("settings-calendar-delete", args=[saved.pk]))
    assert not Calendar.objects.exists()


def test_a_group_gets_a_calendar_and_an_assignment_strategy(as_admin: Client) -> None:
    group = make_group("Soporte")
    saved = create_calendar(
        SYSTEM, name="Lima", time_zone="America/Lima", hours={"monday": [["09:00", "17:00"]]}
    )
    page = as_admin.get(reverse("settings-group", args=[group.pk])).content.decode()
    assert "Round robin" in page and "Lima" in page
    response = as_admin.post(
        reverse("settings-group-calendar", args=[group.pk]), {"calendar_id": str(saved.pk)}
    )
    assert response.status_code == 302
    assert GroupCalendar.objects.get(group=group).calendar_id == saved.pk
    response = as_admin.post(
        reverse("settings-group-assignment", args=[group.pk]),
        {"strategy": "least_load", "fallback": "round_robin", "match_language": "on"},
    )
    assert response.status_code == 302
    config = group_config(group.pk)
    assert config is not None
    assert (config.strategy, config.fallback, config.match_language) == (
        "least_load", "round_robin", True
    )  # fmt: skip
    page = as_admin.get(reverse("settings-group", args=[group.pk])).content.decode()
    assert '<option value="least_load" selected>' in page


def test_a_bad_strategy_is_refused_and_nothing_saved(as_admin: Client) -> None:
    group = make_group("Soporte")
    response = as_admin.post(
        reverse("settings-group-assignment", args=[group.pk]),
        {"strategy": "lottery", "fallback": "round_robin"},
        follow=True,
    )
    assert "Select a valid choice." in response.content.decode()
    assert group_config(group.pk) is None


def test_pages_render_in_spanish_and_refuse_agents() -> None:
    client = Client()
    client.force_login(make_admin(locale="es"))
    saved = create_calendar(
        SYSTEM, name="Lima", time_zone="America/Lima", hours={"monday": [["09:00", "17:00"]]}
    )
    for url in (
        reverse("settings-calendars"),
        reverse(NEW),
        reverse("settings-calendar", args=[saved.pk]),
    ):
        body = client.get(url).content.decode()
        assert 'lang="es"' in body and "Configuración" in body
    agent = Client()
    agent.force_login(make_agent())
    group = make_group("Soporte")
    assert agent.get(reverse("settings-calendars")).status_code == 403
    assert agent.post(reverse(NEW), calendar("Agent's")).status_code == 403
    assert (
        agent.post(
            reverse("settings-group-assignment", args=[group.pk]), {"strategy": "round_robin"}
        ).status_code
        == 403
    )
    assert Calendar.objects.count() == 1 and group_config(group.pk) is None
