"""The notification templates editor: per kind × language × mailbox-or-default, placeholders
checked, preview with a sample ticket, reset."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from atiende.messaging.models import Mailbox, NotificationTemplate
from tests.factories import make_admin

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def as_admin() -> Client:
    client = Client()
    client.force_login(make_admin())
    return client


def test_overview_lists_every_kind_and_language(as_admin: Client) -> None:
    body = as_admin.get(reverse("mail-templates")).content.decode()
    for kind in ("received", "replied", "solved"):
        for language in ("es", "en"):
            assert reverse("mail-template", args=[kind, language]) in body
    assert body.count("Built-in") == 6


def test_edit_shows_builtin_text_placeholders_and_a_preview(as_admin: Client) -> None:
    body = as_admin.get(reverse("mail-template", args=["received", "es"])).content.decode()
    assert "Hemos recibido su solicitud" in body  # the built-in Spanish text, to start from
    assert "{{ ticket.number }}" in body and "{{ customer.first_name }}" in body
    assert "[#1042] Hemos recibido su solicitud" in body  # the preview's sample ticket
    assert 'for="id_subject"' in body and 'for="id_body"' in body


def test_save_for_a_mailbox_then_reset(as_admin: Client) -> None:
    mailbox = Mailbox.objects.create(address="ventas@example.com", inbound_method="upload")
    url = reverse("mail-template", args=["solved", "en"]) + f"?mailbox={mailbox.pk}"
    response = as_admin.post(
        url, {"subject": "Done: {{ ticket.subject }}", "body": "Bye {{ customer.name }}"}
    )
    assert response.status_code == 302 and response["Location"] == url
    row = NotificationTemplate.objects.get()
    assert (row.kind, row.language, row.mailbox_id) == ("solved", "en", mailbox.pk)
    page = as_admin.get(url).content.decode()
    assert "Own text of this mailbox" in page and "Done: I cannot sign in" in page
    overview = as_admin.get(reverse("mail-templates") + f"?mailbox={mailbox.pk}")
    assert "Customized" in overview.content.decode()
    assert "Customized" not in as_admin.get(reverse("mail-templates")).content.decode()

    reset = reverse("mail-template-reset", args=["solved", "en"]) + f"?mailbox={mailbox.pk}"
    follow = as_admin.post(reset, follow=True).content.decode()
    assert "Template reset" in follow
    assert not NotificationTemplate.objects.exists()


def test_unknown_placeholder_is_refused_next_to_the_field(as_admin: Client) -> None:
    url = reverse("mail-template", args=["received", "en"])
    response = as_admin.post(url, {"subject": "Hi {{ ticket.numbr }}", "body": "Hello"})
    assert response.status_code == 422
    body = response.content.decode()
    assert "Unknown placeholder {{ ticket.numbr }}" in body
    assert body.index('id="id_subject"') < body.index("Unknown placeholder")
    assert not NotificationTemplate.objects.exists()
    response = as_admin.post(url, {"subject": "", "body": ""})
    assert response.status_code == 422 and "This field is required." in response.content.decode()


def test_preview_fragment(as_admin: Client) -> None:
    url = reverse("mail-template-preview", args=["replied", "es"])
    ok = as_admin.post(
        url,
        {"subject": "#{{ ticket.number }}", "body": "{{ agent.name }}: <b>{{ message.text }}"},
        headers={"HX-Request": "true"},
    )
    assert ok.status_code == 200
    body = ok.content.decode()
    assert "<html" not in body and "#1042" in body and "Carlos Ruiz" in body
    assert "&lt;b&gt;" in body  # typed markup is text, never HTML
    bad = as_admin.post(url, {"subject": "{{ x.y }}", "body": "b"})
    assert bad.status_code == 422 and "Unknown placeholder {{ x.y }}" in bad.content.decode()


def test_unknown_kind_language_or_mailbox(as_admin: Client) -> None:
    assert as_admin.get(reverse("mail-template", args=["reply", "en"])).status_code == 404
    assert as_admin.get(reverse("mail-template", args=["received", "fr"])).status_code == 404
    url = reverse("mail-template", args=["received", "en"])
    assert as_admin.get(url + "?mailbox=999999").status_code == 404
    assert as_admin.get(url + "?mailbox=abc").status_code == 404
