"""The timeline's values read in the reader's language: categories too, not only statuses."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from atiende.tickets import services
from atiende.tickets.models import Category
from tests.factories import make_admin, make_ticket, web

pytestmark = pytest.mark.django_db


def test_a_spanish_reader_sees_spanish_values_whoever_made_the_change() -> None:
    billing = Category.objects.create(name_en="Billing", name_es="Facturación")
    hardware = Category.objects.create(name_en="Hardware issues", name_es="Averías")
    english = make_admin(name="Root", locale="en")
    ticket = make_ticket()
    for category in (billing, hardware):
        services.update_ticket(
            web(english), ticket_id=ticket.pk, version=None, changes={"category_id": category.pk}
        )
    reader = Client()
    reader.force_login(make_admin(locale="es"))
    body = reader.get(reverse("ticket", args=[ticket.pk])).content.decode()
    assert "de Facturación a Averías" in body
    assert "Billing" not in body and "Hardware issues" not in body
