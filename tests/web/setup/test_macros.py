"""The settings' macros page (once "canned responses"): text, placeholders, actions, use."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from atiende.automation.macros.services import apply_macro, create_macro
from atiende.automation.models import Macro
from tests.factories import SYSTEM, make_admin, make_agent, make_group, make_ticket, web

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

LIST = "settings-canned"


def macro(name: str = "Close politely", **extra: str) -> dict[str, str]:
    data = {
        "name": name,
        "body": "Hola {{ customer.first_name }}, cerramos el ticket {{ ticket.number }}.",
        "group_id": "",
        "is_active": "on",
        "act-count": "3",
        "act-0-type": "set_status",
        "act-0-value": "solved",
        "act-1-type": "add_tags",
        "act-1-value": "cerrado, cortesía",
    }
    data.update(extra)
    return data


def test_admin_creates_a_macro_with_text_and_actions(as_admin: Client) -> None:
    group = make_group("Billing")
    response = as_admin.post(reverse(LIST), macro(group_id=str(group.pk)))
    assert response.status_code == 302, response.content.decode()
    saved = Macro.objects.get()
    assert (saved.owner_id, saved.group_id) == (None, group.pk)
    assert saved.actions == [
        {"type": "set_status", "value": "solved"},
        {"type": "add_tags", "value": ["cerrado", "cortesía"]},
    ]
    page = as_admin.get(reverse("settings-canned-edit", args=[saved.pk])).content.decode()
    assert 'name="act-1-value" rows="1">cerrado, cortesía</textarea>' in page
    assert "{{ customer.first_name }}" in page  # the placeholders help


def test_an_unknown_placeholder_is_refused_next_to_the_text(as_admin: Client) -> None:
    response = as_admin.post(reverse(LIST), macro(body="Hola {{ cliente.apodo }}"))
    body = response.content.decode()
    assert response.status_code == 422
    start = body.index('name="body"')
    field = body[body.rindex("<p", 0, start) : body.index("</p>", start)]
    assert "Unknown placeholder: {{ cliente.apodo }}" in field
    assert not Macro.objects.exists()


def test_a_bad_action_is_refused_on_its_row(as_admin: Client) -> None:
    response = as_admin.post(reverse(LIST), macro(**{"act-0-value": "nonsense"}))
    body = response.content.decode()
    assert response.status_code == 422
    start = body.index('name="act-0-')
    row = body[body.rindex("<li", 0, start) : body.index("</li>", start)]
    assert 'class="field-error"' in row
    assert not Macro.objects.exists()


def test_the_list_shows_how_often_each_macro_was_used(as_admin: Client) -> None:
    group = make_group("Soporte")
    agent = make_agent(group)
    saved = create_macro(SYSTEM, name="Greeting", body="Hola", shared=True)
    ticket = make_ticket(group_id=group.pk)
    for _time in range(2):
        apply_macro(web(agent), ticket_id=ticket.pk, macro_id=saved.pk, version=None)
    page = as_admin.get(reverse(LIST)).content.decode()
    row = page[page.index(">Greeting</a>") :]
    assert "<td>2</td>" in row[: row.index("</tr>")]


def test_the_old_canned_address_redirects(as_admin: Client) -> None:
    saved = create_macro(SYSTEM, name="Greeting", body="Hola", shared=True)
    response = as_admin.get("/settings/canned/")
    assert (response.status_code, response["Location"]) == (301, reverse(LIST))
    response = as_admin.get(f"/settings/canned/{saved.pk}/")
    assert response["Location"] == reverse("settings-canned-edit", args=[saved.pk])


def test_pages_render_in_spanish_and_refuse_agents() -> None:
    client = Client()
    client.force_login(make_admin(locale="es"))
    saved = create_macro(SYSTEM, name="Saludo", body="Hola", shared=True)
    for url in (reverse(LIST), reverse("settings-canned-edit", args=[saved.pk])):
        body = client.get(url).content.decode()
        assert 'lang="es"' in body and "Configuración" in body
    agent = Client()
    agent.force_login(make_agent())
    assert agent.get(reverse(LIST)).status_code == 403
    assert agent.post(reverse(LIST), macro("Agent's")).status_code == 403
    assert not Macro.objects.filter(name="Agent's").exists()
