"""/api/v1/mailboxes: settings, connection test, raw upload; delivery state on messages."""

from __future__ import annotations

import socket
from typing import Any

import pytest

from atiende.accounts.models import User
from atiende.messaging.models import (
    DeliveryState,
    InboundMessage,
    Mailbox,
    OutboundEmail,
    OutboundKind,
)
from atiende.tickets import services
from tests.api.conftest import fields, problem
from tests.factories import make_admin, make_agent, make_customer, make_group, make_ticket, web

pytestmark = pytest.mark.django_db

IMAP = {
    "address": "soporte@example.com",
    "inbound_method": "imap",
    "imap_host": "imap.example.com",
    "imap_username": "soporte",
    "imap_password": "hunter2",
}
RAW = (
    b"From: Ana <ana@example.net>\r\nTo: soporte@example.com\r\nSubject: Hola\r\n"
    b"Message-ID: <upload-1@example.net>\r\n\r\nNo puedo entrar.\r\n"
)


@pytest.fixture
def admin(as_user: Any) -> Any:
    return as_user(make_admin())


def upload(api: Any, mailbox_id: int, raw: bytes, content_type: str = "message/rfc822") -> Any:
    return api.client.post(
        f"/api/v1/mailboxes/{mailbox_id}/messages",
        raw,
        content_type=content_type,
        headers=api.headers(),
    )


def test_create_read_list_update_never_return_passwords(admin: Any) -> None:
    group = make_group("Soporte")
    created = admin.post("/mailboxes", {**IMAP, "group_id": group.pk, "brand_name": "Acme"})
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["group"] == {"id": group.pk, "name": "Soporte"}
    assert body["has_imap_password"] is True and body["has_smtp_password"] is False
    assert "hunter2" not in created.content.decode()
    assert not any("password" in key and key.startswith(("imap_p", "smtp_p")) for key in body)
    box = Mailbox.objects.get()
    assert box.imap_password == "hunter2"

    assert admin.get(f"/mailboxes/{box.pk}").json()["address"] == "soporte@example.com"
    assert [m["id"] for m in admin.get("/mailboxes").json()["items"]] == [box.pk]

    changed = admin.patch(f"/mailboxes/{box.pk}", {"display_name": "Soporte Acme"})
    assert changed.status_code == 200 and changed.json()["display_name"] == "Soporte Acme"
    box.refresh_from_db()
    assert box.imap_password == "hunter2"  # left out: kept
    admin.patch(f"/mailboxes/{box.pk}", {"smtp_password": "new", "smtp_host": "smtp.example.com"})
    box.refresh_from_db()
    assert box.smtp_password == "new"
    assert admin.patch(f"/mailboxes/{box.pk}", {"active": False}).json()["active"] is False


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"address": "not-an-address"}, "address"),
        ({"imap_port": 0}, "imap_port"),
        ({"imap_port": 70000}, "imap_port"),
        ({"smtp_port": 70000}, "smtp_port"),
        ({"imap_host": ""}, "imap_host"),
        ({"imap_after_fetch": "move"}, "imap_move_to"),
        ({"inbound_method": "pigeon"}, "inbound_method"),
        ({"group_id": 999_999}, "group_id"),
    ],
)
def test_bad_input_is_a_problem_naming_the_field(
    admin: Any, payload: dict[str, Any], field: str
) -> None:
    body = problem(admin.post("/mailboxes", {**IMAP, **payload}), 422)
    assert field in fields(body)
    assert all(error["message"] for error in body["errors"])


def test_duplicate_address_conflicts(admin: Any) -> None:
    assert admin.post("/mailboxes", IMAP).status_code == 201
    body = problem(admin.post("/mailboxes", {**IMAP, "address": "Soporte@Example.com"}), 409)
    assert fields(body) == {"address"}


def test_update_refuses_null_for_required_fields(admin: Any) -> None:
    box_id = admin.post("/mailboxes", IMAP).json()["id"]
    assert "address" in fields(problem(admin.patch(f"/mailboxes/{box_id}", {"address": None}), 422))
    assert problem(admin.get("/mailboxes/999999"), 404)


def test_agents_may_not(as_user: Any) -> None:
    agent = as_user(make_agent())
    box = Mailbox.objects.create(address="a@example.com", inbound_method="upload")
    problem(agent.get("/mailboxes"), 403)
    problem(agent.post("/mailboxes", IMAP), 403)
    problem(agent.get(f"/mailboxes/{box.pk}"), 403)
    problem(agent.post(f"/mailboxes/{box.pk}/test"), 403)
    problem(upload(agent, box.pk, RAW), 403)
    assert not InboundMessage.objects.exists()


def test_connection_test_reports_the_failed_step(admin: Any) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    box = Mailbox.objects.create(
        address="a@example.com",
        inbound_method="upload",
        smtp_host="127.0.0.1",
        smtp_port=port,
        smtp_security="none",
    )
    report = admin.post(f"/mailboxes/{box.pk}/test")
    assert report.status_code == 200
    body = report.json()
    assert body["ok"] is False
    failed = [step for step in body["steps"] if not step["ok"]]
    assert failed[0]["name"] == "smtp.connect" and "refused" in failed[0]["message"]


def test_upload_stores_and_answers_202_then_200_for_the_same_bytes(admin: Any) -> None:
    box = Mailbox.objects.create(address="soporte@example.com", inbound_method="upload")
    first = upload(admin, box.pk, RAW)
    assert first.status_code == 202, first.content
    stored = InboundMessage.objects.get()
    assert first.json() == {
        "id": stored.pk,
        "state": stored.state,
        "duplicate": False,
        "reason": "",
    }
    assert bytes(stored.raw) == RAW and stored.source == "upload" and stored.mailbox == box
    again = upload(admin, box.pk, RAW)
    assert again.status_code == 200
    assert again.json()["id"] == stored.pk and again.json()["duplicate"] is True


def test_upload_refusals(admin: Any) -> None:
    box = Mailbox.objects.create(
        address="soporte@example.com", inbound_method="upload", max_message_bytes=10 * 1024
    )
    body = problem(upload(admin, box.pk, RAW + b"x" * 11 * 1024), 413)
    assert "10240" in body["detail"]
    assert fields(problem(upload(admin, box.pk, b""), 422)) == {"body"}
    assert fields(problem(upload(admin, box.pk, b"  \r\n"), 422)) == {"body"}
    problem(upload(admin, box.pk, RAW, content_type="text/plain"), 415)
    problem(upload(admin, 999_999, RAW), 404)
    box.active = False
    box.save()
    problem(upload(admin, box.pk, RAW), 409)
    assert not InboundMessage.objects.exists()


@pytest.fixture
def agent() -> User:
    return make_agent(make_group("Support"))


def _outbound(message: Any, state: str, reason: str = "", n: int = 1) -> OutboundEmail:
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


def test_delivery_state_on_messages_and_retry(as_user: Any, agent: User) -> None:
    ticket = make_ticket(make_customer(), group_id=agent.groups.get().pk)
    reply = services.add_message(web(agent), ticket_id=ticket.pk, body="Hola", public=True)
    OutboundEmail.objects.filter(ticket_message=reply).delete()
    _outbound(reply, DeliveryState.FAILED, "550 mailbox unavailable")
    api = as_user(agent)
    items = api.get(f"/tickets/{ticket.pk}/messages").json()["items"]
    assert items[0]["delivery"] is None  # the customer's own message
    assert items[1]["delivery"]["state"] == "failed"
    assert items[1]["delivery"]["reason"] == "550 mailbox unavailable"
    customer_items = as_user(ticket.requester).get(f"/tickets/{ticket.pk}/messages").json()
    assert customer_items["items"][1]["delivery"] is None

    retried = api.post(f"/tickets/{ticket.pk}/messages/{reply.pk}/retry-delivery")
    assert retried.status_code == 200, retried.content
    assert retried.json()["state"] == "queued" and retried.json()["reason"] == ""
    body = problem(api.post(f"/tickets/{ticket.pk}/messages/{reply.pk}/retry-delivery"), 409)
    assert "queued" in body["detail"].lower()

    first = ticket.messages.order_by("pk").first()
    problem(api.post(f"/tickets/{ticket.pk}/messages/{first.pk}/retry-delivery"), 404)
    outsider = as_user(make_agent(make_group("Other")))
    problem(outsider.post(f"/tickets/{ticket.pk}/messages/{reply.pk}/retry-delivery"), 404)
    problem(
        as_user(ticket.requester).post(f"/tickets/{ticket.pk}/messages/{reply.pk}/retry-delivery"),
        403,
    )


def test_upload_over_the_form_data_limit_but_within_the_mailbox_limit(
    admin: Any, settings: Any
) -> None:
    box = Mailbox.objects.create(address="soporte@example.com", inbound_method="upload")
    big = RAW + b"y" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1024)
    answer = upload(admin, box.pk, big)
    assert answer.status_code == 202, answer.content[:300]
    assert InboundMessage.objects.get().size == len(big)


def test_the_trusted_authentication_server_is_a_mailbox_setting(as_user: Any) -> None:
    """Issue 13, 1.1: whose Authentication-Results count is the admin's choice per mailbox."""
    from tests.messaging.mail import make_mailbox

    mailbox = make_mailbox()
    api = as_user(make_admin())

    changed = api.patch(f"/mailboxes/{mailbox.pk}", {"trusted_authserv_id": "mx.helpdesk.test"})
    too_long = api.patch(f"/mailboxes/{mailbox.pk}", {"trusted_authserv_id": "x" * 256})

    assert (
        changed.status_code == 200 and changed.json()["trusted_authserv_id"] == "mx.helpdesk.test"
    )
    assert too_long.status_code == 422
    mailbox.refresh_from_db()
    assert mailbox.trusted_authserv_id == "mx.helpdesk.test"
