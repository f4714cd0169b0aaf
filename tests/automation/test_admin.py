"""The admin writes announcements through their service, and shows macros read-only."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from atiende.automation.models import Announcement, Macro
from tests.factories import make_admin

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def admin_client(client: Client) -> Client:
    client.force_login(make_admin(email="root@example.com"))
    return client


def form(**fields: str) -> dict[str, str]:
    values = {
        "name": "Holidays",
        "kind": "holiday",
        "text_en": "Closed until 2 January.",
        "text_es": "Cerrado hasta el 2 de enero.",
        "starts_at_0": "2026-12-24",
        "starts_at_1": "00:00:00",
        "ends_at_0": "2027-01-02",
        "ends_at_1": "00:00:00",
        "group": "",
    }
    values.update(fields)
    return values


def test_an_announcement_is_added_through_the_service(admin_client: Client) -> None:
    response = admin_client.post(reverse("admin:automation_announcement_add"), form())
    assert response.status_code == 302
    assert Announcement.objects.get().text_es == "Cerrado hasta el 2 de enero."


def test_the_services_refusal_shows_next_to_the_field(admin_client: Client) -> None:
    response = admin_client.post(
        reverse("admin:automation_announcement_add"), form(ends_at_0="2026-12-01")
    )
    assert response.status_code == 200
    assert "The end must come after the start." in response.content.decode()
    assert not Announcement.objects.exists()


def test_macros_are_read_only_here(admin_client: Client) -> None:
    macro = Macro.objects.create(name="x", body="y")
    assert admin_client.get(reverse("admin:automation_macro_changelist")).status_code == 200
    assert admin_client.get(reverse("admin:automation_macro_add")).status_code == 403
    change = admin_client.post(
        reverse("admin:automation_macro_change", args=[macro.pk]), {"name": "z", "body": "z"}
    )
    assert change.status_code == 403
    macro.refresh_from_db()
    assert macro.name == "x"
