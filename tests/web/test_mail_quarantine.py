"""The quarantine screen: newest first, a safe preview, the raw .eml, and the three actions."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from atiende.accounts.models import User
from atiende.messaging.models import InboundMessage, InboundState, Mailbox
from atiende.tickets.models import Ticket
from tests.factories import make_admin, make_agent, make_group

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

HOSTILE = (
    b"From: =?utf-8?q?Jos=C3=A9?= <jose@example.net>\r\n"
    b"To: soporte@example.com\r\n"
    b"Subject: =?utf-8?q?Factura_pendiente?=\r\n"
    b"Message-ID: <q1@example.net>\r\n"
    b"MIME-Version: 1.0\r\n"
    b'Content-Type: multipart/alternative; boundary="b"\r\n\r\n'
    b"--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
    b"Hola, adjunto la factura.\r\n\r\n> mensaje anterior citado\r\n"
    b"--b\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
    b'<p onclick="steal()">Hola <b>equipo</b></p><script>alert(1)</script>'
    b'<img src="https://tracker.example/pixel.gif"><a href="javascript:evil()">x</a>\r\n'
    b"--b--\r\n"
)


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def as_admin() -> Client:
    return client_for(make_admin())


def quarantined(raw: bytes = HOSTILE, **fields: Any) -> InboundMessage:
    mailbox = fields.pop("mailbox", None) or Mailbox.objects.filter(pk__isnull=False).first()
    if mailbox is None:
        mailbox = Mailbox.objects.create(
            address="soporte@example.com", inbound_method="upload", group=make_group("Soporte")
        )
    values: dict[str, Any] = {
        "raw": raw,
        "size": len(raw),
        "sha256": hashlib.sha256(raw).hexdigest(),
        "source": "upload",
        "mailbox": mailbox,
        "sender": "jose@example.net",
        "subject": "Factura pendiente",
        "state": InboundState.QUARANTINED,
        "reason": "The sender is rate limited.",
    }
    values.update(fields)
    return InboundMessage.objects.create(**values)


def test_list_newest_first_with_paging(as_admin: Client) -> None:
    # Subjects no random token (CSRF, digests) on the page could contain by chance.
    rows = [
        quarantined(HOSTILE + str(i).encode(), subject=f"Quarantined-{i}-subject") for i in range(3)
    ]
    InboundMessage.objects.create(
        raw=b"x", size=1, sha256="0" * 64, source="upload", state=InboundState.PROCESSED
    )
    body = as_admin.get(reverse("mail-quarantine")).content.decode()
    assert (
        body.index("Quarantined-2-subject")
        < body.index("Quarantined-1-subject")
        < body.index("Quarantined-0-subject")
    )
    assert "The sender is rate limited." in body and "jose@example.net" in body
    assert reverse("mail-quarantine-detail", args=[rows[0].pk]) in body

    from atiende.web.mail import quarantine_views

    quarantine_views.PAGE_SIZE, saved = 2, quarantine_views.PAGE_SIZE
    try:
        first = as_admin.get(reverse("mail-quarantine")).content.decode()
        assert (
            "Quarantined-2-subject" in first
            and "Quarantined-1-subject" in first
            and "Quarantined-0-subject" not in first
        )
        cursor = first.split("?cursor=")[1].split('"')[0]
        second = as_admin.get(reverse("mail-quarantine") + "?cursor=" + cursor).content.decode()
        assert "Quarantined-0-subject" in second and "Quarantined-2-subject" not in second
    finally:
        quarantine_views.PAGE_SIZE = saved
    assert as_admin.get(reverse("mail-quarantine") + "?cursor=junk").status_code == 422


def test_detail_shows_headers_and_a_sanitized_preview(as_admin: Client) -> None:
    row = quarantined()
    body = as_admin.get(reverse("mail-quarantine-detail", args=[row.pk])).content.decode()
    assert "Factura pendiente" in body  # decoded subject
    assert "José &lt;jose@example.net&gt;" in body  # decoded From header, escaped
    assert "Message-ID" in body and "The sender is rate limited." in body
    assert "<b>equipo</b>" in body
    assert "&gt; mensaje anterior citado" in body  # quoted history kept
    shown = body.split('aria-labelledby="original-title"')[1].split("</section>")[0]
    for hostile in ("<script", "onclick", "javascript:", "<img", "alert(1)"):
        assert hostile not in shown


def test_raw_download_is_an_attachment_never_rendered(as_admin: Client) -> None:
    row = quarantined()
    response = as_admin.get(reverse("mail-quarantine-raw", args=[row.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "message/rfc822"
    assert response["Content-Disposition"] == f'attachment; filename="message-{row.pk}.eml"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response.content == HOSTILE


def test_agents_cannot_see_or_act(as_admin: Client) -> None:
    row = quarantined()
    agent = client_for(make_agent())
    for url in (
        reverse("mail-quarantine"),
        reverse("mail-quarantine-detail", args=[row.pk]),
        reverse("mail-quarantine-raw", args=[row.pk]),
    ):
        assert agent.get(url).status_code == 403
    for action in ("retry", "create-ticket", "discard"):
        url = reverse("mail-quarantine-action", args=[row.pk, action])
        assert agent.post(url).status_code == 403
    row.refresh_from_db()
    assert row.state == InboundState.QUARANTINED


def test_discard(as_admin: Client) -> None:
    row = quarantined()
    response = as_admin.post(reverse("mail-quarantine-action", args=[row.pk, "discard"]))
    assert response["Location"] == reverse("mail-quarantine")
    row.refresh_from_db()
    assert row.state == InboundState.DISCARDED
    listing = as_admin.get(reverse("mail-quarantine"), follow=True).content.decode()
    assert "The message was discarded." in listing and "Factura pendiente" not in listing
    again = as_admin.post(
        reverse("mail-quarantine-action", args=[row.pk, "discard"]), follow=True
    ).content.decode()
    assert "Only quarantined or ignored messages can be handled" in again


def test_create_ticket_anyway_opens_the_ticket(as_admin: Client) -> None:
    row = quarantined()
    response = as_admin.post(reverse("mail-quarantine-action", args=[row.pk, "create-ticket"]))
    row.refresh_from_db()
    assert row.state == InboundState.PROCESSED and row.ticket_id is not None
    assert response["Location"] == reverse("ticket", args=[row.ticket_id])
    assert Ticket.objects.get(pk=row.ticket_id).subject == "Factura pendiente"


def test_retry_runs_the_pipeline_again(as_admin: Client) -> None:
    row = quarantined()
    response = as_admin.post(reverse("mail-quarantine-action", args=[row.pk, "retry"]), follow=True)
    assert response.status_code == 200
    row.refresh_from_db()
    assert row.state != InboundState.QUARANTINED or row.reason != "The sender is rate limited."


def test_unknown_action_and_message(as_admin: Client) -> None:
    row = quarantined()
    assert (
        as_admin.post(reverse("mail-quarantine-action", args=[row.pk, "nuke"])).status_code == 404
    )
    assert as_admin.get(reverse("mail-quarantine-detail", args=[999_999])).status_code == 404
    assert (
        as_admin.get(reverse("mail-quarantine-action", args=[row.pk, "discard"])).status_code == 405
    )


def test_ignored_mail_is_listed_too_with_its_reason_and_can_be_filtered() -> None:
    """Our own mail, duplicates and unknown bounces are not hidden (issue 13, 1.4)."""
    from tests.messaging.mail import SUPPORT, build, deliver, make_mailbox

    mailbox = make_mailbox()
    ignored = deliver(build(sender=f"Support <{SUPPORT}>", subject="Echo of ours"), mailbox)
    held = deliver(build(sender="a@customer.test, b@attacker.test", subject="Two senders"), mailbox)
    assert ignored.state == InboundState.IGNORED and held.state == InboundState.QUARANTINED
    client = client_for(make_admin())

    everything = client.get(reverse("mail-quarantine")).content.decode()
    only_ignored = client.get(reverse("mail-quarantine"), {"state": "ignored"}).content.decode()
    detail = client.get(reverse("mail-quarantine-detail", args=[ignored.pk])).content.decode()

    assert "Echo of ours" in everything and "Two senders" in everything
    assert "not signed by this installation" in everything
    assert "Echo of ours" in only_ignored and "Two senders" not in only_ignored
    assert "create-ticket" in detail  # the actions apply to ignored mail as well
