"""Triggers in the settings: list, create/edit with the row editors, errors next to the row
they name (nothing saved), order, delete, and the dry run that writes nothing."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from atiende.automation.models import Trigger
from atiende.automation.triggers.services import create_trigger
from atiende.tickets.models import TicketEvent
from tests.factories import SYSTEM, make_admin, make_agent, make_group, make_ticket

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

NEW = "settings-trigger-new"


def rule(name: str = "Urgent words", **rows: str) -> dict[str, str]:
    """A posted trigger: one "all" condition and one action unless ``rows`` says otherwise."""
    data = {
        "name": name,
        "active": "on",
        "all-count": "2",
        "all-0-field": "subject",
        "all-0-operator": "contains",
        "all-0-value": "urgente",
        "any-count": "1",
        "act-count": "2",
        "act-0-type": "set_priority",
        "act-0-value": "high",
    }
    data.update(rows)
    return data


def make_rule(name: str = "Tag VIP") -> Trigger:
    return create_trigger(
        SYSTEM,
        name=name,
        conditions={"all": [{"field": "subject", "operator": "contains", "value": "vip"}]},
        actions=[{"type": "add_tags", "value": ["vip"]}],
    )


def test_admin_creates_a_trigger_through_the_page(as_admin: Client) -> None:
    extra = {"act-1-type": "add_tags", "act-1-value": "urgent, down", "act-count": "3"}
    response = as_admin.post(reverse(NEW), rule(**extra))
    assert response.status_code == 302, response.content.decode()
    saved = Trigger.objects.get(name="Urgent words")
    assert saved.active
    assert saved.conditions == {
        "all": [{"field": "subject", "operator": "contains", "value": "urgente"}],
        "any": [],
    }
    assert saved.actions == [
        {"type": "set_priority", "value": "high"},
        {"type": "add_tags", "value": ["urgent", "down"]},
    ]
    listing = as_admin.get(reverse("settings-triggers")).content.decode()
    assert "Urgent words" in listing


def test_editing_shows_the_rows_and_saves_changes(as_admin: Client) -> None:
    saved = make_rule()
    url = reverse("settings-trigger", args=[saved.pk])
    page = as_admin.get(url).content.decode()
    assert 'name="all-0-value" value="vip"' in page
    assert 'name="act-0-value" rows="1">vip</textarea>' in page
    response = as_admin.post(url, rule("Tag VIP", **{"all-0-remove": "1", "active": ""}))
    assert response.status_code == 302
    saved.refresh_from_db()
    assert saved.conditions == {"all": [], "any": []}
    assert saved.active is False


def test_adding_a_row_saves_nothing(as_admin: Client) -> None:
    before = Trigger.objects.count()
    response = as_admin.post(reverse(NEW), {**rule(), "add_row": "all"})
    assert response.status_code == 200
    assert 'name="all-count" value="3"' in response.content.decode()
    assert Trigger.objects.count() == before


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ({"all-0-field": "colour"}, "Unknown field: colour"),
        ({"all-0-operator": "gt"}, "The operator “gt” does not fit the field “subject”."),
        (
            {"all-0-field": "event.public", "all-0-operator": "is", "all-0-value": "maybe"},
            "The value must be true or false.",
        ),
        ({"act-0-type": "set_group", "act-0-value": "tier two"}, None),
        ({"act-0-type": "explode"}, "Unknown action: explode"),
    ],
)
def test_a_bad_part_is_shown_on_its_row_and_nothing_is_saved(
    as_admin: Client, rows: dict[str, str], message: str | None
) -> None:
    before = Trigger.objects.count()
    response = as_admin.post(reverse(NEW), rule(**rows))
    body = response.content.decode()
    assert response.status_code == 422
    assert Trigger.objects.count() == before
    row = "act-0" if any(k.startswith("act") for k in rows) else "all-0"
    # The error sits inside the row that holds the bad input.
    start = body.index(f'name="{row}-')
    item = body[body.rindex("<li", 0, start) : body.index("</li>", start)]
    assert 'class="field-error"' in item
    if message:
        assert message in item


def test_the_name_error_is_next_to_the_name(as_admin: Client) -> None:
    response = as_admin.post(reverse(NEW), rule(name=""))
    assert response.status_code == 422
    assert "This field is required." in response.content.decode()
    assert not Trigger.objects.filter(name="").exists()


def names() -> list[str]:
    return [t.name for t in Trigger.objects.order_by("order", "id")]


def test_move_down_and_up(as_admin: Client) -> None:
    first, second = make_rule("First"), make_rule("Second")
    as_admin.post(reverse("settings-trigger-move", args=[first.pk]), {"up": "0"})
    assert names()[-2:] == ["Second", "First"]
    as_admin.post(reverse("settings-trigger-move", args=[first.pk]), {"up": "1"})
    assert names()[-2:] == ["First", "Second"]
    page = as_admin.get(reverse("settings-triggers")).content.decode()
    assert page.index("First") < page.index("Second")
    assert second.pk


def test_delete(as_admin: Client) -> None:
    saved = make_rule()
    response = as_admin.post(reverse("settings-trigger-delete", args=[saved.pk]), follow=True)
    assert "Trigger deleted." in response.content.decode()
    assert not Trigger.objects.filter(pk=saved.pk).exists()


def test_dry_run_shows_the_result_and_writes_nothing(as_admin: Client) -> None:
    ticket = make_ticket(subject="Cliente vip sin servicio")
    saved = make_rule()
    events = TicketEvent.objects.count()
    url = reverse("settings-trigger-dry-run", args=[saved.pk])
    response = as_admin.get(url, {"number": ticket.number})
    body = response.content.decode()
    assert response.status_code == 200
    assert "The rule matches this ticket." in body
    assert "✓ holds" in body
    assert "Add tags: vip" in body
    assert TicketEvent.objects.count() == events
    assert not ticket.tags.exists()
    assert Trigger.objects.get(pk=saved.pk).fired_count == 0


def test_dry_run_of_an_unknown_ticket_names_the_number(as_admin: Client) -> None:
    saved = make_rule()
    response = as_admin.get(
        reverse("settings-trigger-dry-run", args=[saved.pk]), {"number": "999999"}
    )
    assert response.status_code == 422
    assert "No ticket #999999." in response.content.decode()


def test_pages_render_in_spanish() -> None:
    client = Client()
    client.force_login(make_admin(locale="es"))
    saved = make_rule()
    for url in (
        reverse("settings-triggers"),
        reverse(NEW),
        reverse("settings-trigger", args=[saved.pk]),
    ):
        body = client.get(url, HTTP_ACCEPT_LANGUAGE="es").content.decode()
        assert 'lang="es"' in body and "Configuración" in body


def test_agents_are_refused() -> None:
    client = Client()
    client.force_login(make_agent())
    saved = make_rule()
    assert client.get(reverse("settings-triggers")).status_code == 403
    assert client.post(reverse(NEW), rule("Agent's")).status_code == 403
    assert client.post(reverse("settings-trigger-delete", args=[saved.pk])).status_code == 403
    assert Trigger.objects.filter(pk=saved.pk).exists()
    assert not Trigger.objects.filter(name="Agent's").exists()


def test_an_unsaved_rule_can_be_tried_on_a_ticket_first(as_admin: Client) -> None:
    ticket = make_ticket(subject="Sin servicio")
    before, events = Trigger.objects.count(), TicketEvent.objects.count()
    data = {**rule(**{"all-0-value": "servicio"}), "dry_run": "1", "dry_number": str(ticket.number)}
    response = as_admin.post(reverse(NEW), data)
    body = response.content.decode()
    assert response.status_code == 200
    assert "The rule matches this ticket." in body
    assert 'name="all-0-value" value="servicio"' in body  # the form is kept as typed
    assert (Trigger.objects.count(), TicketEvent.objects.count()) == (before, events)


def test_trying_an_unsaved_rule_with_a_bad_row_marks_the_row(as_admin: Client) -> None:
    ticket = make_ticket()
    data = {**rule(**{"all-0-field": "colour"}), "dry_run": "1", "dry_number": str(ticket.number)}
    body = as_admin.post(reverse(NEW), data).content.decode()
    start = body.index('name="all-0-field"')
    assert "Unknown field: colour" in body[start : body.index("</li>", start)]
    assert "The rule matches" not in body


def test_editing_keeps_action_parameters_the_page_has_no_input_for(as_admin: Client) -> None:
    saved = create_trigger(
        SYSTEM,
        name="Acuse",
        conditions={},
        actions=[{"type": "email", "to": "customer", "subject_en": "Got it",
                  "body_en": "We have it.", "subject_es": "Recibido", "body_es": "Lo tenemos."}],
    )  # fmt: skip
    url = reverse("settings-trigger", args=[saved.pk])
    page = as_admin.get(url).content.decode()
    assert "Recibido" in page  # in the hidden input of the row
    extra = '{"subject_es": "Recibido", "body_es": "Lo tenemos."}'
    data = rule(
        "Acuse",
        **{"all-0-field": "", "all-0-operator": "", "all-0-value": "", "act-0-type": "email",
           "act-0-target": "customer", "act-0-value": "Got it!\nWe have it.",
           "act-0-extra": extra},
    )  # fmt: skip
    assert as_admin.post(url, data).status_code == 302
    saved.refresh_from_db()
    assert saved.actions == [
        {"type": "email", "to": "customer", "subject_en": "Got it!", "body_en": "We have it.",
         "subject_es": "Recibido", "body_es": "Lo tenemos."}
    ]  # fmt: skip


def test_a_group_may_be_typed_by_name(as_admin: Client) -> None:
    group = make_group("Facturación")
    rows = {"all-0-field": "group", "all-0-operator": "is", "all-0-value": "facturación",
            "act-0-type": "set_group", "act-0-value": "Facturación"}  # fmt: skip
    assert as_admin.post(reverse(NEW), rule("By name", **rows)).status_code == 302
    saved = Trigger.objects.get(name="By name")
    assert saved.conditions["all"] == [{"field": "group", "operator": "is", "value": group.pk}]
    assert saved.actions == [{"type": "set_group", "value": group.pk}]
