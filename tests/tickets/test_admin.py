"""The Django admin writes ticket configuration only through ``tickets.services.config``:
each test shows a rule only the service applies (normalising, one default, no cycles)."""

from __future__ import annotations

import pytest
from django.contrib.admin.models import DELETION, LogEntry
from django.test import Client
from django.urls import reverse

from atiende.accounts.models import User
from atiende.tickets.models import Category, CustomField, Priority, Status, Tag, TicketEvent
from atiende.tickets.services import config
from tests.factories import SYSTEM, api, make_admin, make_ticket

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def root() -> User:
    return make_admin(email="root@example.com")


@pytest.fixture
def admin_client(client: Client, root: User) -> Client:
    client.force_login(root)
    return client


def url(name: str, view: str, *args: object) -> str:
    return reverse(f"admin:tickets_{name}_{view}", args=args)


def test_adding_a_tag_goes_through_the_service(admin_client: Client) -> None:
    response = admin_client.post(url("tag", "add"), {"name": "  VIP  Clients "})

    assert response.status_code == 302
    # The service's normalisation (trimmed, lower case), not the raw form value.
    assert list(Tag.objects.values_list("name", flat=True)) == ["vip clients"]


@pytest.mark.parametrize(
    ("name", "error"),
    [("vip", "This tag already exists."), ("a,b", "without commas")],
)
def test_the_services_refusal_shows_next_to_the_field(
    admin_client: Client, name: str, error: str
) -> None:
    config.create_tag(SYSTEM, name="vip")

    response = admin_client.post(url("tag", "add"), {"name": name})

    assert response.status_code == 200
    assert error in response.content.decode()
    assert list(Tag.objects.values_list("name", flat=True)) == ["vip"]


def test_deleting_a_tag_leaves_the_trail(admin_client: Client, root: User) -> None:
    ticket = make_ticket(tags=["vip", "urgent"])
    tag = Tag.objects.get(name="vip")

    response = admin_client.post(url("tag", "delete", tag.pk), {"post": "yes"})

    assert response.status_code == 302
    assert not Tag.objects.filter(name="vip").exists()
    # The ticket that carried it says so in its history...
    change = TicketEvent.objects.get(ticket=ticket, field="tags")
    assert (change.old_value, change.new_value, change.actor_id) == (
        ["urgent", "vip"],
        ["urgent"],
        root.pk,
    )
    # ...and the deletion itself is in the admin log, once.
    entries = LogEntry.objects.filter(object_id=str(tag.pk), action_flag=DELETION)
    assert [(e.user_id, e.object_repr) for e in entries] == [(root.pk, "vip")]


def test_deleting_tags_in_bulk_goes_through_the_service(admin_client: Client) -> None:
    ticket = make_ticket(tags=["a", "b", "c"])
    doomed = list(Tag.objects.filter(name__in=["a", "b"]).values_list("pk", flat=True))

    response = admin_client.post(
        url("tag", "changelist"),
        {"action": "delete_selected", "_selected_action": doomed, "post": "yes"},
    )

    assert response.status_code == 302
    assert list(Tag.objects.values_list("name", flat=True)) == ["c"]
    assert TicketEvent.objects.filter(ticket=ticket, field="tags").count() == 2
    assert LogEntry.objects.filter(action_flag=DELETION).count() == 2


def test_a_tag_deleted_by_the_api_door_is_logged_too(root: User) -> None:
    tag = config.create_tag(SYSTEM, name="unused")

    config.delete_tag(api(root), tag_id=tag.pk)

    assert LogEntry.objects.get(action_flag=DELETION).object_repr == "unused"


def test_tags_are_not_renamed_in_the_admin(admin_client: Client) -> None:
    tag = config.create_tag(SYSTEM, name="vip")

    admin_client.post(url("tag", "change", tag.pk), {"name": "gold"})

    assert Tag.objects.get(pk=tag.pk).name == "vip"


def test_a_new_default_status_through_the_admin_replaces_the_old_one(
    admin_client: Client,
) -> None:
    old = Status.objects.get(is_default=True)
    following = Status.objects.exclude(pk=old.pk).first()
    assert following is not None

    response = admin_client.post(
        url("status", "add"),
        {
            "key": "triage",
            "name_en": "Triage",
            "name_es": "Triaje",
            "category": "new",
            "order": "0",
            "is_default": "on",
            "is_active": "on",
            "allowed_next": [following.pk],
        },
    )

    assert response.status_code == 302
    created = Status.objects.get(key="triage")
    # The service keeps exactly one default and sets the next statuses itself.
    assert created.is_default and not Status.objects.get(pk=old.pk).is_default
    assert list(created.allowed_next.values_list("pk", flat=True)) == [following.pk]


def test_a_status_the_service_refuses_is_not_written(admin_client: Client) -> None:
    default = Status.objects.get(is_default=True)
    form = {
        "key": default.key,
        "name_en": default.name_en,
        "name_es": default.name_es,
        "category": default.category,
        "order": str(default.order),
        "is_active": "on",
        # "is_default" left out: the default cannot simply be unset.
    }

    response = admin_client.post(url("status", "change", default.pk), form)

    assert response.status_code == 200
    assert "Make another one the default instead." in response.content.decode()
    assert Status.objects.get(pk=default.pk).is_default


def test_a_priority_key_is_checked_by_the_service(admin_client: Client) -> None:
    response = admin_client.post(
        url("priority", "add"),
        {"key": "Top", "name_en": "Top", "name_es": "Alta", "order": "9", "color": "#ff0000"},
    )

    assert response.status_code == 200
    assert "lower-case letters" in response.content.decode()
    assert not Priority.objects.filter(name_en="Top").exists()


def test_a_priority_colour_is_normalised_by_the_service(admin_client: Client) -> None:
    priority = Priority.objects.order_by("pk").first()
    assert priority is not None
    form = {
        "key": priority.key,
        "name_en": priority.name_en,
        "name_es": priority.name_es,
        "order": str(priority.order),
        "color": "#ABCDEF",
        "is_default": "on" if priority.is_default else "",
    }

    response = admin_client.post(url("priority", "change", priority.pk), form)

    assert response.status_code == 302
    assert Priority.objects.get(pk=priority.pk).color == "#abcdef"


def test_a_category_cannot_be_moved_inside_itself(admin_client: Client) -> None:
    parent = config.create_category(SYSTEM, name_en="Billing")
    child = config.create_category(SYSTEM, name_en="Refunds", parent_id=parent.pk)

    response = admin_client.post(
        url("category", "change", parent.pk),
        {"name_en": "Billing", "name_es": "Cobros", "parent": child.pk, "is_active": "on"},
    )

    assert response.status_code == 200
    assert "cannot be placed inside itself" in response.content.decode()
    assert Category.objects.get(pk=parent.pk).parent_id is None


def test_a_custom_field_is_added_and_renamed_through_the_service(admin_client: Client) -> None:
    added = admin_client.post(
        url("customfield", "add"),
        {
            "target": "ticket",
            "key": "plan",
            "type": "select",
            "name_en": "Plan",
            "name_es": "Plan",
            "options": '["Free", "Pro", "Pro"]',
            "order": "0",
            "is_active": "on",
        },
    )
    assert added.status_code == 200
    assert "Options must be different from each other." in added.content.decode()

    admin_client.post(
        url("customfield", "add"),
        {
            "target": "ticket", "key": "plan", "type": "select", "name_en": "Plan",
            "name_es": "Plan", "options": '["Free", "  Pro  "]', "order": "0", "is_active": "on",
        },
    )  # fmt: skip
    field = CustomField.objects.get(key="plan")
    assert field.options == ["Free", "Pro"]  # cleaned by the service

    renamed = admin_client.post(
        url("customfield", "change", field.pk),
        {"name_en": "Tier", "name_es": "Nivel", "options": '["Free", "Pro"]', "order": "0",
         "is_active": "on"},
    )  # fmt: skip
    assert renamed.status_code == 302
    field.refresh_from_db()
    assert (field.name_en, field.type, field.key) == ("Tier", "select", "plan")


@pytest.mark.parametrize("name", ["status", "priority", "category", "customfield"])
def test_configuration_is_not_deleted_in_the_admin(admin_client: Client, name: str) -> None:
    """The services have no delete for these (tickets refer to them): nor has the admin."""
    config.create_category(SYSTEM, name_en="Billing")
    config.create_custom_field(SYSTEM, target="ticket", key="order", type="text", name_en="O")
    model = {"status": Status, "priority": Priority, "category": Category}.get(name, CustomField)
    obj = model.objects.order_by("pk").first()
    assert obj is not None

    response = admin_client.post(url(name, "delete", obj.pk), {"post": "yes"})

    assert response.status_code == 403
    assert model.objects.filter(pk=obj.pk).exists()
