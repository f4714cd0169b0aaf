"""The Django admin writes ticket configuration only through ``tickets.services.config``:
tags are added and deleted through it; the rest is shown read-only."""

from __future__ import annotations

import pytest
from django.contrib.admin.models import DELETION, LogEntry
from django.test import Client
from django.urls import reverse

from atiende.accounts.models import User
from atiende.tickets.models import Priority, Status, Tag, TicketEvent
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


@pytest.mark.parametrize(
    ("name", "make"),
    [
        ("status", lambda: Status.objects.order_by("pk").first()),
        ("priority", lambda: Priority.objects.order_by("pk").first()),
        ("category", lambda: config.create_category(SYSTEM, name_en="Billing")),
        (
            "customfield",
            lambda: config.create_custom_field(
                SYSTEM, target="ticket", key="order", type="text", name_en="Order"
            ),
        ),
    ],
)
def test_the_rest_of_the_configuration_is_read_only(
    admin_client: Client, name: str, make: object
) -> None:
    obj = make()  # type: ignore[operator]  # a factory from the table above
    before = {f.name: getattr(obj, f.attname) for f in type(obj)._meta.concrete_fields}

    page = admin_client.get(url(name, "change", obj.pk))
    add = admin_client.get(url(name, "add"))
    admin_client.post(url(name, "change", obj.pk), {"name_en": "Changed", "key": "changed"})
    delete = admin_client.post(url(name, "delete", obj.pk), {"post": "yes"})

    assert page.status_code == 200
    assert 'type="submit"' not in page.content.decode().split('id="content-main"', 1)[1]
    assert add.status_code == delete.status_code == 403
    obj.refresh_from_db()
    assert {f.name: getattr(obj, f.attname) for f in type(obj)._meta.concrete_fields} == before
