"""Statuses, priorities, tags, categories and custom fields through the settings pages."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from atiende.accounts.models import User
from atiende.accounts.services import update_user
from atiende.tickets.models import Category, CustomField, Priority, Status, Tag, TicketEvent
from atiende.tickets.services.config import create_category, create_custom_field
from tests.factories import SYSTEM, make_ticket, web

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def field_error(body: str, message: str) -> bool:
    return f'<span class="field-error" role="alert">{message}</span>' in body


def test_lists_show_names_in_the_admins_language(as_admin: Client, admin: User) -> None:
    create_category(SYSTEM, name_en="Hardware", name_es="Equipos")
    body = as_admin.get(reverse("settings-statuses")).content.decode()
    assert ">New</a>" in body

    update_user(web(admin), user_id=admin.pk, changes={"locale": "es"})

    body = as_admin.get(reverse("settings-statuses")).content.decode()
    assert '<html lang="es">' in body
    assert ">Nuevo</a>" in body
    assert ">Equipos</a>" in as_admin.get(reverse("settings-categories")).content.decode()


def test_admin_creates_a_status_with_transitions(as_admin: Client) -> None:
    response = as_admin.post(
        reverse("settings-statuses"),
        {
            "key": "waiting-vendor",
            "name_en": "Waiting for vendor",
            "name_es": "Esperando al proveedor",
            "category": "on_hold",
            "order": "45",
            "is_active": "on",
            "allowed_next": ["open", "solved"],
        },
    )
    assert response.status_code == 302, response.content.decode()
    status = Status.objects.get(key="waiting-vendor")
    assert (status.name_es, status.category, status.order) == (
        "Esperando al proveedor",
        "on_hold",
        45,
    )
    assert sorted(s.key for s in status.allowed_next.all()) == ["open", "solved"]
    page = as_admin.get(reverse("settings-statuses")).content.decode()
    assert "Waiting for vendor" in page
    assert "Status created." in page


def test_status_errors_next_to_fields(as_admin: Client) -> None:
    before = Status.objects.count()
    data = {"key": "open", "name_en": "Again", "category": "open", "order": "1"}
    response = as_admin.post(reverse("settings-statuses"), data)
    assert response.status_code == 422
    assert field_error(response.content.decode(), "This key is already in use.")

    response = as_admin.post(reverse("settings-statuses"), {**data, "key": "Bad Key!"})
    assert response.status_code == 422
    assert "lower-case letters, digits" in response.content.decode()

    response = as_admin.post(reverse("settings-statuses"), {**data, "order": "-1"})
    assert response.status_code == 422
    assert Status.objects.count() == before


def test_default_status_cannot_be_unset_or_deactivated(as_admin: Client) -> None:
    new = Status.objects.get(key="new")
    url = reverse("settings-status", args=[new.pk])
    data = {"key": "new", "name_en": "New", "name_es": "Nuevo", "category": "new", "order": "0"}

    response = as_admin.post(url, {**data, "is_active": "on"})  # default box left unticked
    assert response.status_code == 422
    assert field_error(response.content.decode(), "Make another one the default instead.")

    response = as_admin.post(url, {**data, "is_default": "on"})  # active box unticked
    assert field_error(response.content.decode(), "The default status must be active.")
    new.refresh_from_db()
    assert new.is_default and new.is_active


def test_admin_edits_status_transitions(as_admin: Client) -> None:
    pending = Status.objects.get(key="pending")
    url = reverse("settings-status", args=[pending.pk])
    page = as_admin.get(url).content.decode()
    assert 'name="allowed_next" value="pending"' not in page  # not its own next status
    assert 'name="allowed_next" value="open"' in page
    response = as_admin.post(
        url,
        {
            "key": "pending",
            "name_en": "Waiting on customer",
            "name_es": pending.name_es,
            "category": "pending",
            "order": str(pending.order),
            "is_active": "on",
            "allowed_next": ["open"],
        },
    )
    assert response.status_code == 302
    pending.refresh_from_db()
    assert pending.name_en == "Waiting on customer"
    assert [s.key for s in pending.allowed_next.all()] == ["open"]


def test_priorities_create_edit_and_bad_colour(as_admin: Client) -> None:
    data = {"key": "p0", "name_en": "Critical", "name_es": "Crítica", "order": "99"}
    response = as_admin.post(reverse("settings-priorities"), {**data, "color": "red"})
    assert response.status_code == 422
    assert field_error(response.content.decode(), "Use a colour such as #1a2b3c.")
    assert not Priority.objects.filter(key="p0").exists()

    response = as_admin.post(reverse("settings-priorities"), {**data, "color": "#FF0000"})
    assert response.status_code == 302
    p0 = Priority.objects.get(key="p0")
    assert p0.color == "#ff0000"
    page = as_admin.get(reverse("settings-priorities")).content.decode()
    assert 'fill="#ff0000"' in page

    response = as_admin.post(
        reverse("settings-priority", args=[p0.pk]),
        {**data, "key": "p0", "name_en": "Sev 0", "color": "#00ff00"},
    )
    assert response.status_code == 302
    p0.refresh_from_db()
    assert (p0.name_en, p0.color) == ("Sev 0", "#00ff00")


def test_tags_with_usage_counts_create_and_delete(as_admin: Client, admin: User) -> None:
    ticket = make_ticket(tags=["vip", "billing"])
    make_ticket(tags=["vip"])

    page = as_admin.get(reverse("settings-tags")).content.decode()
    assert re.search(r'<span class="tag">vip</span></td>\s*<td>2</td>', page)
    assert re.search(r'<span class="tag">billing</span></td>\s*<td>1</td>', page)

    response = as_admin.post(reverse("settings-tags"), {"name": "  New  Tag "})
    assert response.status_code == 302
    assert Tag.objects.filter(name="new tag").exists()

    response = as_admin.post(reverse("settings-tags"), {"name": "VIP"})
    assert response.status_code == 422
    assert field_error(response.content.decode(), "This tag already exists.")
    response = as_admin.post(reverse("settings-tags"), {"name": "a,b"})
    assert response.status_code == 422

    vip = Tag.objects.get(name="vip")
    response = as_admin.post(reverse("settings-tag-delete", args=[vip.pk]), follow=True)
    assert "Tag deleted." in response.content.decode()
    assert not Tag.objects.filter(name="vip").exists()
    assert list(ticket.tags.values_list("name", flat=True)) == ["billing"]
    event = TicketEvent.objects.filter(ticket=ticket, field="tags").latest("id")
    assert (event.old_value, event.new_value, event.actor_id) == (
        ["billing", "vip"],
        ["billing"],
        admin.pk,
    )

    response = as_admin.post(reverse("settings-tag-delete", args=[vip.pk]), follow=True)
    assert "Tag not found." in response.content.decode()
    assert as_admin.get(reverse("settings-tag-delete", args=[vip.pk])).status_code == 405


def test_categories_tree_create_move_and_refuse_cycles(as_admin: Client) -> None:
    response = as_admin.post(
        reverse("settings-categories"),
        {"name_en": "Hardware", "name_es": "Equipos", "is_active": "on"},
    )
    assert response.status_code == 302
    hardware = Category.objects.get(name_en="Hardware")
    as_admin.post(
        reverse("settings-categories"),
        {"name_en": "Laptops", "parent_id": str(hardware.pk), "is_active": "on"},
    )
    laptops = Category.objects.get(name_en="Laptops")
    assert laptops.parent_id == hardware.pk

    page = as_admin.get(reverse("settings-categories")).content.decode()
    assert page.index(">Hardware</a>") < page.index(">Laptops</a>")
    assert "(Hardware › Laptops)" in page
    assert '<li data-row class="tree-level-1">' in page

    # Moving a category under its own child is refused next to the field.
    response = as_admin.post(
        reverse("settings-category", args=[hardware.pk]),
        {"name_en": "Hardware", "parent_id": str(laptops.pk), "is_active": "on"},
    )
    assert response.status_code == 422
    assert field_error(
        response.content.decode(),
        "A category cannot be placed inside itself or its subcategories.",
    )
    hardware.refresh_from_db()
    assert hardware.parent_id is None

    # Moving to the top level and deactivating works.
    response = as_admin.post(
        reverse("settings-category", args=[laptops.pk]), {"name_en": "Laptops", "parent_id": ""}
    )
    assert response.status_code == 302
    laptops.refresh_from_db()
    assert (laptops.parent_id, laptops.is_active) == (None, False)


def test_category_unknown_parent_is_refused(as_admin: Client) -> None:
    response = as_admin.post(
        reverse("settings-categories"), {"name_en": "Orphan", "parent_id": "999999"}
    )
    assert response.status_code == 422
    assert not Category.objects.exists()


def test_custom_fields_create_edit_and_errors(as_admin: Client) -> None:
    data = {
        "target": "ticket",
        "key": "plan",
        "type": "select",
        "name_en": "Plan",
        "name_es": "Plan",
        "order": "1",
        "is_active": "on",
    }
    response = as_admin.post(reverse("settings-fields"), {**data, "options": "\n  \n"})
    assert response.status_code == 422
    assert field_error(response.content.decode(), "A select field needs at least one option.")

    response = as_admin.post(reverse("settings-fields"), {**data, "options": "Free\nPro\n"})
    assert response.status_code == 302
    plan = CustomField.objects.get(key="plan")
    assert (plan.target, plan.type, plan.options) == ("ticket", "select", ["Free", "Pro"])

    response = as_admin.post(reverse("settings-fields"), {**data, "options": "A"})
    assert response.status_code == 422
    assert field_error(response.content.decode(), "This key is already in use.")

    response = as_admin.post(
        reverse("settings-fields"),
        {**data, "type": "text", "key": "note", "options": "not for text"},
    )
    assert field_error(response.content.decode(), "Only select fields have options.")

    # The same key on another target is fine.
    response = as_admin.post(
        reverse("settings-fields"), {**data, "target": "user", "options": "Free"}
    )
    assert response.status_code == 302

    edit = reverse("settings-field", args=[plan.pk])
    page = as_admin.get(edit).content.decode()
    assert "<code>plan</code>" in page
    response = as_admin.post(
        edit,
        {
            "name_en": "Plan",
            "options": "Free\nPro\nEnterprise",
            "required": "on",
            "order": "2",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    plan.refresh_from_db()
    assert (plan.options, plan.required, plan.order) == (["Free", "Pro", "Enterprise"], True, 2)

    response = as_admin.post(edit, {"name_en": "Plan", "options": "A\nA", "order": "2"})
    assert field_error(response.content.decode(), "Options must be different from each other.")

    listing = as_admin.get(reverse("settings-fields")).content.decode()
    assert '<span class="tag">Enterprise</span>' in listing


def test_custom_field_type_is_fixed_after_creation(as_admin: Client) -> None:
    field = create_custom_field(SYSTEM, target="ticket", key="n", type="number", name_en="N")
    response = as_admin.post(
        reverse("settings-field", args=[field.pk]),
        {"name_en": "N", "order": "0", "type": "text", "key": "other"},
    )
    assert response.status_code == 302  # the form has no such fields: they are ignored
    field.refresh_from_db()
    assert (field.type, field.key) == ("number", "n")
    assert create_category(SYSTEM, name_en="x").pk
