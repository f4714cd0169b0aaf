"""Time-based automations in the settings: create/edit with a duration, conditions and
actions; refusals next to what they name; delete."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from atiende.automation.models import TimedRule
from atiende.automation.timed.services import create_timed_rule
from tests.factories import SYSTEM, make_admin, make_agent

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

NEW = "settings-timed-new"


def automation(name: str = "Close solved", **extra: str) -> dict[str, str]:
    data = {
        "name": name,
        "active": "on",
        "condition": "status",
        "status_category": "solved",
        "minutes": "4",
        "unit": "days",
        "all-count": "1",
        "any-count": "1",
        "act-count": "2",
        "act-0-type": "set_status",
        "act-0-value": "closed",
    }
    data.update(extra)
    return data


def field_html(body: str, name: str) -> str:
    start = body.index(f'name="{name}"')
    return body[body.rindex("<p", 0, start) : body.index("</p>", start)]


def test_admin_creates_and_edits_an_automation(as_admin: Client) -> None:
    response = as_admin.post(reverse(NEW), automation())
    assert response.status_code == 302, response.content.decode()
    saved = TimedRule.objects.get(name="Close solved")
    assert (saved.condition, saved.status_category, saved.minutes) == ("status", "solved", 5760)
    assert saved.actions == [{"type": "set_status", "value": "closed"}]
    url = reverse("settings-timed-rule", args=[saved.pk])
    page = as_admin.get(url).content.decode()
    assert 'name="minutes" value="4"' in page
    extra = {"condition": "unassigned", "status_category": "", "minutes": "30", "unit": "minutes"}
    response = as_admin.post(url, automation("Unassigned", **extra))
    assert response.status_code == 302
    saved.refresh_from_db()
    assert (saved.name, saved.condition, saved.minutes) == ("Unassigned", "unassigned", 30)
    assert "Unassigned" in as_admin.get(reverse("settings-timed")).content.decode()


@pytest.mark.parametrize("minutes", ["0", "-3"])
def test_a_duration_below_a_minute_is_refused_next_to_it(as_admin: Client, minutes: str) -> None:
    response = as_admin.post(reverse(NEW), automation(minutes=minutes, unit="minutes"))
    assert response.status_code == 422
    assert "Give a duration of 1 to" in field_html(response.content.decode(), "minutes")
    assert not TimedRule.objects.filter(name="Close solved").exists()


def test_a_bad_condition_is_refused_on_its_row(as_admin: Client) -> None:
    rows = {"all-count": "2", "all-0-field": "colour", "all-0-operator": "is", "all-0-value": "x"}
    response = as_admin.post(reverse(NEW), automation(**rows))
    body = response.content.decode()
    assert response.status_code == 422
    start = body.index('name="all-0-field"')
    assert "Unknown field: colour" in body[start : body.index("</li>", start)]
    assert not TimedRule.objects.filter(name="Close solved").exists()


def test_delete(as_admin: Client) -> None:
    saved = create_timed_rule(
        SYSTEM, name="Nudge", condition="unassigned", minutes=30,
        actions=[{"type": "add_tags", "value": ["late"]}],
    )  # fmt: skip
    as_admin.post(reverse("settings-timed-delete", args=[saved.pk]))
    assert not TimedRule.objects.filter(pk=saved.pk).exists()


def test_pages_render_in_spanish_and_refuse_agents() -> None:
    client = Client()
    client.force_login(make_admin(locale="es"))
    saved = create_timed_rule(
        SYSTEM, name="Nudge", condition="unassigned", minutes=30,
        actions=[{"type": "add_tags", "value": ["late"]}],
    )  # fmt: skip
    urls = (
        reverse("settings-timed"),
        reverse(NEW),
        reverse("settings-timed-rule", args=[saved.pk]),
    )
    for url in urls:
        body = client.get(url).content.decode()
        assert 'lang="es"' in body and "Configuración" in body
    agent = Client()
    agent.force_login(make_agent())
    assert agent.get(reverse("settings-timed")).status_code == 403
    assert agent.post(reverse(NEW), automation("Agent's")).status_code == 403
    assert not TimedRule.objects.filter(name="Agent's").exists()
