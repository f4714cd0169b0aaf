"""Mailbox settings pages: admins only; every bad field shown next to it; write-only
passwords; the connection test answered as an htmx fragment."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from atiende.accounts.models import User
from atiende.messaging import mailboxes
from atiende.messaging.models import Mailbox
from tests.factories import SYSTEM, make_admin, make_agent, make_customer, make_group
from tests.messaging.test_connection_test import authenticator, smtp_server

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

FORM = {
    "address": "soporte@example.com",
    "display_name": "Acme Support",
    "group_id": "",
    "brand_name": "Acme",
    "signature": "-- \nAcme",
    "max_message_mb": "25",
    "active": "on",
    "inbound_method": "imap",
    "imap_host": "imap.example.com",
    "imap_port": "993",
    "imap_security": "tls",
    "imap_username": "soporte",
    "imap_password": "hunter2",
    "imap_folder": "INBOX",
    "imap_after_fetch": "seen",
    "imap_move_to": "",
    "smtp_host": "",
    "smtp_port": "587",
    "smtp_security": "starttls",
    "smtp_username": "",
    "smtp_password": "",
}


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def admin() -> User:
    return make_admin(name="Ada Admin")


@pytest.fixture
def as_admin(admin: User) -> Client:
    return client_for(admin)


def make_mailbox(**fields: Any) -> Mailbox:
    values: dict[str, Any] = {"address": "soporte@example.com", "inbound_method": "upload"}
    values.update(fields)
    return mailboxes.create_mailbox(SYSTEM, **values)


def test_agents_customers_and_visitors_are_kept_out() -> None:
    box = make_mailbox()
    urls = [
        reverse("mail-mailboxes"),
        reverse("mail-mailbox-new"),
        reverse("mail-mailbox", args=[box.pk]),
        reverse("mail-templates"),
        reverse("mail-template", args=["received", "es"]),
        reverse("mail-quarantine"),
    ]
    agent, customer = client_for(make_agent()), client_for(make_customer())
    for url in urls:
        assert agent.get(url).status_code == 403, url
        assert customer.get(url).status_code == 403, url
        assert Client().get(url).status_code == 302, url
    for url in (
        reverse("mail-mailbox-new"),
        reverse("mail-mailbox", args=[box.pk]),
        reverse("mail-mailbox-deactivate", args=[box.pk]),
        reverse("mail-mailbox-test", args=[box.pk]),
    ):
        assert agent.post(url, FORM).status_code == 403, url
    box.refresh_from_db()
    assert box.active and Mailbox.objects.count() == 1


def test_settings_navigation_names_the_email_pages(as_admin: Client) -> None:
    page = as_admin.get(reverse("settings-home")).content.decode()
    for name in ("mail-mailboxes", "mail-quarantine", "mail-templates"):
        assert f'href="{reverse(name)}"' in page
    for label in ("Mailboxes", "Quarantine", "Email templates"):
        assert label in page


def test_create_then_edit_keeping_the_password(as_admin: Client) -> None:
    group = make_group("Soporte")
    response = as_admin.post(reverse("mail-mailbox-new"), {**FORM, "group_id": str(group.pk)})
    assert response.status_code == 302, response.content.decode()[:2000]
    box = Mailbox.objects.get()
    assert response["Location"] == reverse("mail-mailbox", args=[box.pk])
    assert box.imap_password == "hunter2" and box.group_id == group.pk
    assert box.max_message_bytes == 25 * 1024 * 1024

    page = as_admin.get(reverse("mail-mailbox", args=[box.pk])).content.decode()
    assert "hunter2" not in page and box.imap_secret not in page
    assert "Leave empty to keep the stored password." in page
    assert 'for="id_imap_password"' in page  # labelled

    edit = {**FORM, "display_name": "Soporte Acme", "imap_password": ""}
    response = as_admin.post(reverse("mail-mailbox", args=[box.pk]), edit)
    assert response.status_code == 302
    box.refresh_from_db()
    assert box.display_name == "Soporte Acme" and box.imap_password == "hunter2"

    as_admin.post(reverse("mail-mailbox", args=[box.pk]), {**edit, "imap_password": "new pw"})
    box.refresh_from_db()
    assert box.imap_password == "new pw"

    listing = as_admin.get(reverse("mail-mailboxes")).content.decode()
    assert "soporte@example.com" in listing and "Soporte" in listing


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"address": "not an address"}, "address", "Enter a valid email address."),
        ({"imap_port": "0"}, "imap_port", "Enter a port number from 1 to 65535."),
        ({"imap_port": "70000"}, "imap_port", "Enter a port number from 1 to 65535."),
        ({"smtp_port": "0"}, "smtp_port", "Enter a port number from 1 to 65535."),
        ({"imap_host": ""}, "imap_host", "Enter the IMAP server&#x27;s host name"),
        ({"imap_password": ""}, "imap_password", "Enter the password"),
        ({"imap_after_fetch": "move"}, "imap_move_to", "Enter the folder fetched mail"),
        ({"max_message_mb": "500"}, "max_message_mb", "less than or equal to 50"),
    ],
)
def test_bad_input_is_shown_next_to_the_field(
    as_admin: Client, changes: dict[str, str], field: str, message: str
) -> None:
    response = as_admin.post(reverse("mail-mailbox-new"), {**FORM, **changes})
    assert response.status_code == 422
    body = response.content.decode()
    assert message in body
    # the error sits inside the field's own block, after its input
    block = body[body.index(f'id="id_{field}"') :]
    assert block.index(message) < block.index("</p>")
    assert not Mailbox.objects.exists()


def test_duplicate_address(as_admin: Client) -> None:
    make_mailbox()
    response = as_admin.post(
        reverse("mail-mailbox-new"), {**FORM, "address": "SOPORTE@example.com"}
    )
    assert response.status_code == 422
    assert "Another mailbox already uses this address." in response.content.decode()
    assert Mailbox.objects.count() == 1


def test_deactivate(as_admin: Client) -> None:
    box = make_mailbox()
    response = as_admin.post(reverse("mail-mailbox-deactivate", args=[box.pk]), follow=True)
    assert "is inactive" in response.content.decode()
    box.refresh_from_db()
    assert not box.active


def test_deactivate_needs_post_and_csrf(admin: User) -> None:
    box = make_mailbox()
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin)
    assert client.get(reverse("mail-mailbox-deactivate", args=[box.pk])).status_code == 405
    assert client.post(reverse("mail-mailbox-deactivate", args=[box.pk])).status_code == 403
    box.refresh_from_db()
    assert box.active


@pytest.fixture
def smtp_port() -> Iterator[int]:
    yield from smtp_server(authenticator=authenticator, auth_require_tls=False)


def test_connection_test_fragment(as_admin: Client, smtp_port: int) -> None:
    box = make_mailbox(
        smtp_host="127.0.0.1",
        smtp_port=smtp_port,
        smtp_security="none",
        smtp_username="mailer",
        smtp_password="wrong",
    )
    url = reverse("mail-mailbox-test", args=[box.pk])
    response = as_admin.post(url, headers={"HX-Request": "true"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "<html" not in body  # a fragment
    assert 'data-step="smtp.login"' in body
    assert "rejected the user name or password" in body

    box.smtp_password = "s3cret"
    box.save()
    body = as_admin.post(url, headers={"HX-Request": "true"}).content.decode()
    assert "Everything works." in body
    page = as_admin.post(url).content.decode()  # without JavaScript: the whole page
    assert "<html" in page and "Everything works." in page
