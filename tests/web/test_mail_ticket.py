"""The ticket page's email pieces: delivery state with Retry, and "Show original"."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from atiende.accounts.models import Group, User
from atiende.messaging.inbound.pipeline import process
from atiende.messaging.inbound.store import store_raw
from atiende.messaging.models import DeliveryState, Mailbox, OutboundEmail, OutboundKind
from atiende.tickets import services
from atiende.tickets.models import Message, Ticket
from tests.factories import make_agent, make_customer, make_group, make_ticket, web

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

RAW = (
    b"From: Luis <luis@example.net>\r\n"
    b"To: soporte@example.com\r\n"
    b"Subject: La impresora\r\n"
    b"Message-ID: <orig-1@example.net>\r\n"
    b"MIME-Version: 1.0\r\n"
    b'Content-Type: multipart/alternative; boundary="b"\r\n\r\n'
    b"--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
    b"No imprime nada.\r\n\r\n-- \r\nLuis, Contabilidad\r\n\r\n"
    b"El lun, Ana escribi\xc3\xb3:\r\n> Pruebe a reiniciarla.\r\n"
    b"--b\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
    b"<p>No imprime <b>nada</b>.</p><script>alert(1)</script>"
    b"<blockquote>Pruebe a reiniciarla.</blockquote>\r\n"
    b"--b--\r\n"
)


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def group() -> Group:
    return make_group("Soporte")


@pytest.fixture
def agent(group: Group) -> User:
    return make_agent(group, name="Ana Pérez")


def emailed_ticket(group: Group) -> tuple[Ticket, Message]:
    mailbox = Mailbox.objects.create(
        address="soporte@example.com", inbound_method="upload", group=group
    )
    inbound, _created = store_raw(RAW, mailbox=mailbox, source="upload")
    inbound = process(inbound.pk)
    assert inbound.ticket_message is not None, inbound.reason
    return inbound.ticket, inbound.ticket_message


def outbound(message: Message, state: str, reason: str = "", n: int = 1) -> OutboundEmail:
    return OutboundEmail.objects.create(
        ticket=message.ticket,
        ticket_message=message,
        kind=OutboundKind.REPLY,
        to=["c@example.com"],
        subject="Re",
        message_id=f"<{message.pk}.{n}@test>",
        state=state,
        reason=reason,
    )


def test_show_original_link_and_page(agent: User, group: Group) -> None:
    ticket, message = emailed_ticket(group)
    client = client_for(agent)
    page = client.get(reverse("ticket", args=[ticket.pk])).content.decode()
    url = reverse("mail-original", args=[ticket.pk, message.pk])
    assert f'href="{url}"' in page and "Show original" in page

    body = client.get(url).content.decode()
    assert "La impresora" in body and "Message-ID" in body
    assert "Luis, Contabilidad" in body  # the signature the ticket message left out
    assert "&gt; Pruebe a reiniciarla." in body  # and the quoted history
    assert "<b>nada</b>" in body
    shown = body.split('class="mail-original-page"')[1]
    assert "<script>alert" not in shown

    raw = client.get(reverse("mail-original-raw", args=[ticket.pk, message.pk]))
    assert raw["Content-Type"] == "message/rfc822" and raw.content == RAW
    assert raw["X-Content-Type-Options"] == "nosniff"
    assert raw["Content-Disposition"].startswith("attachment;")


def test_original_only_for_agents_who_see_the_ticket(group: Group) -> None:
    ticket, message = emailed_ticket(group)
    url = reverse("mail-original", args=[ticket.pk, message.pk])
    outsider = client_for(make_agent(make_group("Ventas")))
    assert outsider.get(url).status_code == 404
    assert (
        outsider.get(reverse("mail-original-raw", args=[ticket.pk, message.pk])).status_code == 404
    )
    assert client_for(make_customer()).get(url).status_code == 403
    other = make_ticket(group_id=group.pk)
    not_email = other.messages.get()
    member = client_for(make_agent(group))
    assert member.get(reverse("mail-original", args=[other.pk, not_email.pk])).status_code == 404


def test_delivery_state_and_retry(agent: User, group: Group) -> None:
    ticket = make_ticket(make_customer(), group_id=group.pk)
    sent = services.add_message(web(agent), ticket_id=ticket.pk, body="Primera", public=True)
    failed = services.add_message(web(agent), ticket_id=ticket.pk, body="Segunda", public=True)
    queued = services.add_message(web(agent), ticket_id=ticket.pk, body="Tercera", public=True)
    OutboundEmail.objects.all().delete()
    outbound(sent, DeliveryState.SENT)
    outbound(failed, DeliveryState.FAILED, "550 5.1.1 user unknown")
    outbound(queued, DeliveryState.QUEUED)
    client = client_for(agent)
    page = client.get(reverse("ticket", args=[ticket.pk])).content.decode()
    assert "Email sent" in page and "Email queued" in page
    assert "Email not delivered: 550 5.1.1 user unknown" in page
    retry = reverse("mail-retry-delivery", args=[ticket.pk, failed.pk])
    assert page.count("/retry-delivery/") == 1 and page.count(retry) == 1  # failed only

    answer = client.post(retry, headers={"HX-Request": "true"})
    assert answer.status_code == 200
    body = answer.content.decode()
    assert f'id="delivery-{failed.pk}"' in body and "queued to be sent again" in body
    assert OutboundEmail.objects.get(ticket_message=failed).state == DeliveryState.QUEUED

    again = client.post(retry, headers={"HX-Request": "true"})
    assert again.status_code == 409
    assert "only a failed email can be sent again" in again.content.decode()
    outsider = client_for(make_agent(make_group("Ventas")))
    assert outsider.post(retry).status_code == 404
    assert client.get(retry).status_code == 405


def test_no_query_per_message(agent: User, group: Group) -> None:
    ticket = make_ticket(make_customer(), group_id=group.pk)
    client = client_for(agent)

    def count() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("ticket-timeline", args=[ticket.pk])).status_code == 200
        return len(captured.captured_queries)

    services.add_message(web(agent), ticket_id=ticket.pk, body="uno", public=True)
    few = count()
    for i in range(8):
        message = services.add_message(web(agent), ticket_id=ticket.pk, body=f"m{i}")
        outbound(message, DeliveryState.FAILED if i % 2 else DeliveryState.SENT, "x")
    assert count() == few


TRACKED = (
    b"From: Luis <luis@example.net>\r\n"
    b"To: soporte@example.com\r\n"
    b"Subject: Pixel\r\n"
    b"Message-ID: <pixel-1@example.net>\r\n"
    b"MIME-Version: 1.0\r\n"
    b"Content-Type: text/html; charset=utf-8\r\n\r\n"
    b'<p>Hola</p><img src="https://track.example.org/open.gif?u=7" alt="logo">'
    b'<div class="gmail_quote">El lun, Ana escribi\xc3\xb3:<blockquote>Antes</blockquote></div>'
)


def test_quoted_text_is_one_click_away(agent: User, group: Group) -> None:
    ticket, message = emailed_ticket(group)
    client = client_for(agent)
    page = client.get(reverse("ticket", args=[ticket.pk])).content.decode()
    shown = page.split(f'id="message-{message.pk}"')[1].split("</li>")[0]
    assert "Pruebe a reiniciarla" not in shown and "Show quoted text" in shown
    url = reverse("mail-message-view", args=[ticket.pk, message.pk])
    whole = client.get(url, {"quoted": "1"}).content.decode()
    assert "Pruebe a reiniciarla" in whole and "No imprime" in whole
    assert "<script" not in whole and "Show quoted text" not in whole


def test_remote_images_load_only_when_asked(agent: User, group: Group) -> None:
    mailbox = Mailbox.objects.create(
        address="soporte@example.com", inbound_method="upload", group=group
    )
    inbound, _created = store_raw(TRACKED, mailbox=mailbox, source="upload")
    message = process(inbound.pk).ticket_message
    assert message is not None
    client = client_for(agent)
    page = client.get(reverse("ticket", args=[message.ticket_id])).content.decode()
    assert "track.example.org" not in page and "Show images" in page
    url = reverse("mail-message-view", args=[message.ticket_id, message.pk])
    shown = client.get(url, {"images": "1"}).content.decode()
    # The page's policy allows no remote image: the message comes back as a sandboxed frame.
    assert "track.example.org" not in shown and "Show images" not in shown
    assert 'sandbox src="' in shown and "frame=1" in shown
    framed = client.get(url, {"images": "1", "frame": "1"})
    assert 'src="https://track.example.org/open.gif?u=7"' in framed.content.decode()
    assert "https:" in framed["Content-Security-Policy"].split("img-src", 1)[1].split(";")[0]
    assert "frame-ancestors 'self'" in framed["Content-Security-Policy"]
    assert "Antes" not in framed.content.decode()
    both = client.get(url, {"images": "1", "quoted": "1", "frame": "1"}).content.decode()
    assert "track.example.org" in both and "Antes" in both
    plain = client.get(url, {"frame": "1"})  # a frame without images= keeps them off
    assert "track.example.org" not in plain.content.decode()
    assert "https:" not in plain["Content-Security-Policy"].split("img-src", 1)[1].split(";")[0]


def test_message_view_only_for_agents_who_see_the_ticket(group: Group) -> None:
    ticket, message = emailed_ticket(group)
    outsider = client_for(make_agent(make_group("Ventas")))
    url = reverse("mail-message-view", args=[ticket.pk, message.pk])
    assert outsider.get(url, {"quoted": "1"}).status_code == 404
