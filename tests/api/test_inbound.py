"""/api/v1/inbound: nothing that stays off a ticket disappears (issue 13, 1.4).

Every reason the pipeline keeps mail off a ticket is listed for admins with that reason, and
each one can be released into a ticket. "Our own" is proven by our signature, so another
Atiende's mail is a customer's.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from atiende.messaging.email import signing
from atiende.messaging.models import InboundMessage, InboundState
from atiende.tickets.models import Ticket
from tests.api.conftest import problem
from tests.factories import make_admin, make_agent, make_customer
from tests.messaging.mail import SUPPORT, build, deliver, make_mailbox

pytestmark = pytest.mark.django_db

DSN = (
    b"From: MAILER-DAEMON@mx.customer.test\r\n"
    b"To: support@helpdesk.test\r\n"
    b"Subject: Undelivered Mail Returned to Sender\r\n"
    b"Message-ID: <dsn1@mx.customer.test>\r\n"
    b"MIME-Version: 1.0\r\n"
    b'Content-Type: multipart/report; report-type=delivery-status; boundary="r"\r\n\r\n'
    b"--r\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered.\r\n"
    b"--r\r\nContent-Type: message/delivery-status\r\n\r\n"
    b"Reporting-MTA: dns; mx.customer.test\r\n\r\n"
    b"Final-Recipient: rfc822; nobody@customer.test\r\nAction: failed\r\nStatus: 5.1.1\r\n"
    b"--r\r\nContent-Type: text/rfc822-headers\r\n\r\n"
    b"Message-ID: <never-ours@elsewhere.test>\r\nSubject: hi\r\n"
    b"--r--\r\n"
)


def our_own() -> InboundMessage:
    return deliver(build(message_id=signing.new_message_id(5, "helpdesk.test")), make_mailbox())


def from_our_address() -> InboundMessage:
    return deliver(build(sender=f"Support <{SUPPORT}>"), make_mailbox())


def duplicate() -> InboundMessage:
    support, sales = make_mailbox(), make_mailbox("sales@helpdesk.test")
    raw = build(message_id="both@customer.test", to=f"{SUPPORT}, sales@helpdesk.test")
    deliver(b"Received: by mx1\r\n" + raw, support)
    return deliver(b"Received: by mx2\r\n" + raw, sales)


def unknown_bounce() -> InboundMessage:
    return deliver(DSN, make_mailbox())


def rate_limited(settings: Any) -> InboundMessage:
    settings.ATIENDE_MAIL_RATE_LIMIT = (1, 600)
    mailbox = make_mailbox()
    deliver(build(subject="Alert 1", body="CPU 99%"), mailbox)
    row = deliver(build(subject="Alert 2", body="CPU 100%"), mailbox)
    settings.ATIENDE_MAIL_RATE_LIMIT = None
    return row


def hostile_sender() -> InboundMessage:
    return deliver(build(sender="ana@customer.test, evil@attacker.test"), make_mailbox())


CASES: dict[str, tuple[Callable[..., InboundMessage], str, str]] = {
    "our own mail (signed)": (our_own, "ignored", "Our own mail came back."),
    "our address, unsigned": (from_our_address, "ignored", "not signed by this installation"),
    "a second route": (duplicate, "ignored", "already arrived by another route"),
    "a bounce for mail we never sent": (unknown_bounce, "ignored", "mail we did not send"),
    "a rate-limited flood": (rate_limited, "quarantined", "Rate limited: more than 1 message"),
    "a hostile sender header": (hostile_sender, "quarantined", "cannot be trusted"),
}


@pytest.mark.parametrize(("make", "state", "reason"), CASES.values(), ids=CASES.keys())
def test_mail_kept_off_a_ticket_is_listed_with_its_reason_and_can_be_released(
    make: Callable[..., InboundMessage], state: str, reason: str, as_user: Any, settings: Any
) -> None:
    row = make(settings) if make is rate_limited else make()
    assert row.state == state, row.reason
    api = as_user(make_admin())

    listed = api.get("/inbound").json()["items"]
    only = api.get("/inbound", {"state": state}).json()["items"]

    mine = [item for item in listed if item["id"] == row.pk]
    assert len(mine) == 1 and mine[0]["state"] == state and reason in mine[0]["reason"]
    assert row.pk in [item["id"] for item in only]
    released = api.post(f"/inbound/{row.pk}/release")
    assert released.status_code == 200, released.content
    body = released.json()
    assert body["state"] == InboundState.PROCESSED and body["ticket_id"] is not None
    assert row.pk not in [item["id"] for item in api.get("/inbound").json()["items"]]


def test_a_rate_limited_message_waits_and_a_retry_takes_it_in(as_user: Any, settings: Any) -> None:
    row = rate_limited(settings)
    api = as_user(make_admin())

    again = api.post(f"/inbound/{row.pk}/retry")

    assert again.status_code == 200 and again.json()["state"] == InboundState.PROCESSED
    assert again.json()["ticket_id"] is not None


def test_only_admins_see_held_mail_and_a_bad_state_is_a_422(as_user: Any) -> None:
    row = hostile_sender()

    assert problem(as_user(make_agent()).get("/inbound"), 403)
    assert problem(as_user(make_agent()).post(f"/inbound/{row.pk}/release"), 403)
    assert problem(as_user(make_admin()).get("/inbound", {"state": "processed"}), 422)
    assert problem(as_user(make_admin()).get("/inbound/999999"), 404)


def test_a_processed_message_cannot_be_released_twice(as_user: Any) -> None:
    row = deliver(build(), make_mailbox())
    api = as_user(make_admin())

    assert problem(api.post(f"/inbound/{row.pk}/release"), 409)
    assert api.get(f"/inbound/{row.pk}").json()["ticket_id"] == row.ticket_id


def test_releasing_a_hostile_sender_never_makes_the_named_customer_the_requester(
    as_user: Any,
) -> None:
    victim = make_customer(email="ana@customer.test")
    row = hostile_sender()
    admin = make_admin()

    released = as_user(admin).post(f"/inbound/{row.pk}/release").json()

    ticket = Ticket.objects.get(pk=released["ticket_id"])
    assert ticket.requester == admin and ticket.requester != victim
