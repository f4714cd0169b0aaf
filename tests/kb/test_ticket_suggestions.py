"""Articles offered on the agent's ticket page: the best answers, inserted as a link or text."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from atiende.core.errors import Forbidden
from atiende.kb.services import articles, structure
from atiende.kb.suggest import for_ticket
from tests.factories import SYSTEM, make_agent, make_customer, make_group, make_ticket, web

pytestmark = pytest.mark.django_db


def published(title: str, body: str, *, visibility: str = "public") -> int:
    category = structure.create_category(SYSTEM, names={"es": f"Cat {title}"})
    section = structure.create_section(SYSTEM, category_id=category.pk, names={"es": "Sec"})
    draft = articles.create_article(
        SYSTEM, section_id=section.pk, language="es", title=title, body=body,
        visibility=visibility,
    )  # fmt: skip
    articles.publish(SYSTEM, translation_id=draft.pk)
    return draft.pk


def test_the_panel_offers_the_article_that_answers_the_ticket_with_its_link_and_text(
    client: Client,
) -> None:
    answer = published("Cambiar la contraseña", "Abra **Acceso** y pulse *Olvidé mi clave*.")
    published("Horario de soporte", "De lunes a viernes.")
    secret = published("Clave maestra", "Solo agentes: contrasena", visibility="internal")
    group = make_group()
    agent = make_agent(group)
    ticket = make_ticket(make_customer(), subject="No recuerdo mi contrasena", group_id=group.pk)

    offered = for_ticket(web(agent), ticket.pk)
    assert offered[0].suggestion.translation_id == answer
    assert offered[0].body.startswith("Abra **Acceso**") and not offered[0].internal
    assert [o.internal for o in offered if o.suggestion.translation_id == secret] in ([], [True])

    client.force_login(agent)
    html = client.get(reverse("ticket-assist", args=[ticket.pk])).content.decode()
    assert 'data-insert-text="[Cambiar la contraseña](http://testserver/help/es/articles/' in html
    assert 'data-insert-text="Abra **Acceso** y pulse *Olvidé mi clave*."' in html


def test_customers_and_agents_outside_the_group_get_no_suggestions(client: Client) -> None:
    published("Cambiar la contraseña", "Pasos.")
    customer = make_customer()
    ticket = make_ticket(customer, subject="contraseña", group_id=make_group().pk)
    with pytest.raises(Forbidden):
        for_ticket(web(customer), ticket.pk)
    client.force_login(make_agent(make_group()))
    assert client.get(reverse("ticket-assist", args=[ticket.pk])).status_code == 404
