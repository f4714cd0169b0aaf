"""Settings are for administrators: agents and customers get a 403, visitors go to sign-in."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from atiende.accounts.models import User
from atiende.automation.macros.services import create_macro
from atiende.tickets.models import Category, CustomField, Priority, Status
from atiende.tickets.services.config import create_category, create_custom_field
from tests.factories import SYSTEM, make_admin, make_agent, make_customer, make_group

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

LISTS = [
    "settings-home",
    "settings-groups",
    "settings-agents",
    "settings-agent-new",
    "settings-statuses",
    "settings-priorities",
    "settings-tags",
    "settings-categories",
    "settings-fields",
    "settings-canned",
]


def detail_urls() -> list[str]:
    """One edit page of every kind, for objects that exist."""
    group = make_group()
    agent = make_agent()
    category = create_category(SYSTEM, name_en="Billing")
    field = create_custom_field(SYSTEM, target="ticket", key="sku", type="text", name_en="SKU")
    canned = create_macro(SYSTEM, name="Hi", body="Hello", shared=True)
    return [
        reverse("settings-group", args=[group.pk]),
        reverse("settings-agent", args=[agent.pk]),
        reverse("settings-status", args=[Status.objects.order_by("pk")[0].pk]),
        reverse("settings-priority", args=[Priority.objects.order_by("pk")[0].pk]),
        reverse("settings-category", args=[category.pk]),
        reverse("settings-field", args=[field.pk]),
        reverse("settings-canned-edit", args=[canned.pk]),
    ]


def all_urls() -> list[str]:
    return [reverse(name) for name in LISTS] + detail_urls()


def test_admin_opens_every_settings_page() -> None:
    client = Client()
    client.force_login(make_admin())
    for url in all_urls():
        response = client.get(url)
        assert response.status_code == 200, url
        assert 'aria-label="Settings sections"' in response.content.decode()


@pytest.mark.parametrize("make_user", [make_agent, make_customer], ids=["agent", "customer"])
def test_agents_and_customers_are_refused(make_user: Callable[[], User]) -> None:
    client = Client()
    client.force_login(make_user())
    for url in all_urls():
        response = client.get(url)
        assert response.status_code == 403, url
        assert "Your account cannot open this page." in response.content.decode()
    posted = client.post(reverse("settings-tags"), {"name": "sneaky"})
    assert posted.status_code == 403


def test_suspended_admin_is_refused() -> None:
    client = Client()
    client.force_login(make_admin(is_active=False))
    response = client.get(reverse("settings-home"))
    assert response.status_code in (302, 403)  # signed out by the backend, or refused
    assert response.status_code == 403 or response["Location"].startswith(reverse("account_login"))


def test_visitors_go_to_sign_in() -> None:
    client = Client()
    for url in all_urls():
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("account_login") + "?next=")


def test_unknown_ids_are_404_pages(as_admin: Client) -> None:
    for name in [
        "settings-group",
        "settings-agent",
        "settings-status",
        "settings-priority",
        "settings-category",
        "settings-field",
        "settings-canned-edit",
    ]:
        response = as_admin.get(reverse(name, args=[999_999]))
        assert response.status_code == 404, name
        assert "not found" in response.content.decode().lower()


def test_a_customer_is_not_an_agent_to_edit(as_admin: Client) -> None:
    customer = make_customer()
    response = as_admin.get(reverse("settings-agent", args=[customer.pk]))
    assert response.status_code == 404


def test_a_tampered_cursor_is_a_clear_error(as_admin: Client) -> None:
    response = as_admin.get(reverse("settings-tags"), {"cursor": "not-a-cursor"})
    assert response.status_code == 422
    assert "The cursor is not valid for this list." in response.content.decode()


def test_home_lists_every_section(as_admin: Client) -> None:
    body = as_admin.get(reverse("settings-home")).content.decode()
    for name in LISTS[1:]:
        if name != "settings-agent-new":
            assert f'href="{reverse(name)}"' in body
    assert not Category.objects.exists()
    assert not CustomField.objects.exists()
