"""Shared macros (once canned responses) in the settings: admins only, per group."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from atiende.automation.macros.services import create_macro
from atiende.automation.models import Macro
from tests.factories import make_agent, make_group, web

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def test_admin_creates_edits_and_deletes_a_shared_response(as_admin: Client) -> None:
    group = make_group("Billing")

    response = as_admin.post(
        reverse("settings-canned"),
        {"name": "Refund", "body": "We refunded {{ ticket.number }}.", "group_id": str(group.pk),
         "is_active": "on"},
    )  # fmt: skip
    assert response.status_code == 302
    canned = Macro.objects.get()
    assert (canned.owner_id, canned.group_id, canned.is_active) == (None, group.pk, True)
    page = as_admin.get(reverse("settings-canned")).content.decode()
    assert ">Refund</a>" in page
    assert "<td>Billing</td>" in page

    edit = reverse("settings-canned-edit", args=[canned.pk])
    response = as_admin.post(edit, {"name": "Refund sent", "body": "Done.", "group_id": ""})
    assert response.status_code == 302
    canned.refresh_from_db()
    assert (canned.name, canned.body, canned.group_id, canned.is_active) == (
        "Refund sent",
        "Done.",
        None,
        False,
    )

    response = as_admin.post(reverse("settings-canned-delete", args=[canned.pk]), follow=True)
    assert "Macro deleted." in response.content.decode()
    assert not Macro.objects.exists()


def test_errors_next_to_fields(as_admin: Client) -> None:
    response = as_admin.post(
        reverse("settings-canned"), {"name": "x" * 201, "body": "", "group_id": "999999"}
    )
    body = response.content.decode()
    assert response.status_code == 422
    assert "Ensure this value has at most 200 characters (it has 201)." in body
    assert "This field is required." in body
    assert "Select a valid choice." in body
    response = as_admin.post(reverse("settings-canned"), {"name": "Hi", "body": "  \n "})
    assert response.status_code == 422
    assert not Macro.objects.exists()


def test_personal_responses_are_not_listed_nor_editable_here(as_admin: Client) -> None:
    agent = make_agent()
    mine = create_macro(web(agent), name="Agent's own", body="Hi")

    assert "Agent&#x27;s own" not in as_admin.get(reverse("settings-canned")).content.decode()
    assert as_admin.get(reverse("settings-canned-edit", args=[mine.pk])).status_code == 404
    response = as_admin.post(reverse("settings-canned-delete", args=[mine.pk]))
    assert response.status_code == 404
    assert Macro.objects.filter(pk=mine.pk).exists()
