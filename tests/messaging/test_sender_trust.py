"""Nobody posts as staff by forging From: a staff reply by email needs proof (issue 13, 1.1).

Proof is the receiving server's aligned SPF/DKIM/DMARC pass under the mailbox's trusted
authserv-id, or an answer citing a Message-ID we signed for that agent and ticket. Anything
else from a staff address is an internal note marked "sender not verified": no status
change, no first response, nothing mailed to the customer.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from atiende.messaging.email import signing
from atiende.messaging.models import InboundState, Mailbox, OutboundEmail, OutboundKind
from atiende.tickets.models import Direction, Message, StatusCategory, Ticket
from tests.factories import make_admin, make_agent, make_group
from tests.messaging.mail import build, deliver, make_mailbox

pytestmark = pytest.mark.django_db

MX = "mx.helpdesk.test"
GMAIL_AR = (  # Google Workspace receiving for helpdesk.test: three aligned passes
    "Authentication-Results: mx.google.com;\r\n"
    "       dkim=pass header.i=@helpdesk.test header.s=google header.b=Ab12Cd34;\r\n"
    "       spf=pass (google.com: domain of eva@helpdesk.test designates 209.85.220.41 as"
    " permitted sender) smtp.mailfrom=eva@helpdesk.test;\r\n"
    "       dmarc=pass (p=QUARANTINE sp=QUARANTINE dis=NONE) header.from=helpdesk.test\r\n"
)
POSTFIX_AR = (  # OpenDKIM and OpenDMARC behind Postfix: one header each
    f"Authentication-Results: {MX}; dmarc=pass (p=reject dis=none) header.from=helpdesk.test\r\n"
    f"Authentication-Results: {MX};\r\n\tdkim=pass (2048-bit key; unprotected)"
    ' header.d=helpdesk.test header.i=@helpdesk.test header.b="AbCd1234"\r\n'
)


def setup(trusted: str = "") -> tuple[Mailbox, Any, Ticket]:
    group = make_group()
    mailbox = make_mailbox(group=group, trusted_authserv_id=trusted)
    agent = make_agent(group, email="eva@helpdesk.test", name="Eva")
    row = deliver(build(message_id="q1@customer.test", subject="Printer"), mailbox)
    assert row.ticket is not None
    return mailbox, agent, row.ticket


def agent_reply(**fields: Any) -> bytes:
    """Eva's reply as Gmail shapes it, answering the customer's mail (or what ``fields`` say)."""
    values: dict[str, Any] = {
        "sender": "Eva <eva@helpdesk.test>",
        "subject": "Re: Printer",
        "in_reply_to": "q1@customer.test",
        "references": ["q1@customer.test"],
        "body": "Fixed, please try again.\r\n\r\nOn Fri, Ana wrote:\r\n> The printer",
    }
    values.update(fields)
    return build(**values)


def assert_unverified_note(row: Any, ticket: Ticket) -> None:
    assert row.state == InboundState.PROCESSED and row.ticket == ticket
    note = row.ticket_message
    assert note is not None and not note.public and note.author is None
    assert note.body_text.startswith("Sender not verified")
    assert "eva@helpdesk.test" in note.body_text
    ticket.refresh_from_db()
    assert ticket.first_response_at is None
    assert ticket.status.category == StatusCategory.NEW
    assert not Message.objects.filter(ticket=ticket, public=True, direction=Direction.OUTBOUND)


FORGERIES = {
    "tag in the subject": {"in_reply_to": None, "references": (), "subject": "Re: [#{number}] x"},
    "customer's Message-ID": {},
    "trusted id, untrusted server": {
        "prefix": "Authentication-Results: evil.test; dmarc=pass header.from=helpdesk.test\r\n"
    },
    "header without authserv-id (Microsoft 365 shape)": {
        "prefix": "Authentication-Results: spf=pass (sender IP is 40.107.1.1)"
        " smtp.mailfrom=helpdesk.test; dkim=pass (signature was verified) header.d=helpdesk.test;"
        "dmarc=pass action=none header.from=helpdesk.test;compauth=pass reason=100\r\n"
    },
    "DKIM of another domain": {
        "prefix": f"Authentication-Results: {MX}; dkim=pass header.d=attacker.test\r\n"
    },
    "SPF of another domain": {
        "prefix": f"Authentication-Results: {MX}; spf=pass smtp.mailfrom=bounce@attacker.test\r\n"
    },
    "forged pass under the server's fail": {
        "prefix": f"Authentication-Results: {MX}; dmarc=fail header.from=helpdesk.test\r\n"
        f"Authentication-Results: {MX}; dmarc=pass header.from=helpdesk.test\r\n"
    },
    "DKIM pass but DMARC fail": {
        "prefix": f"Authentication-Results: {MX}; dkim=pass header.d=helpdesk.test;"
        " dmarc=fail header.from=helpdesk.test\r\n"
    },
    "unbalanced comment": {
        "prefix": f"Authentication-Results: {MX}; (dmarc=pass header.from=helpdesk.test\r\n"
    },
    "signed for another agent": {"signed_for": "other-agent"},
    "signed for another ticket": {"signed_for": "other-ticket"},
    "MAC tampered": {"signed_for": "tampered"},
    "signed id of a customer mail": {"signed_for": "customer"},
}


@pytest.mark.parametrize("shape", FORGERIES.values(), ids=FORGERIES.keys())
def test_a_forged_staff_reply_becomes_an_unverified_note_and_is_mailed_to_nobody(
    shape: dict[str, Any], on_commit: Callable[..., Any]
) -> None:
    mailbox, agent, ticket = setup(trusted=MX)
    fields = {k: v for k, v in shape.items() if k not in ("prefix", "signed_for")}
    if "signed_for" in shape:
        domain = "helpdesk.test"
        wanted = shape["signed_for"]
        other = make_agent(email="leo@helpdesk.test")
        cited = {
            "other-agent": signing.new_message_id(ticket.number, domain, agent_id=other.pk),
            "other-ticket": signing.new_message_id(ticket.number + 1, domain, agent_id=agent.pk),
            "customer": signing.new_message_id(ticket.number, domain),
            "tampered": signing.new_message_id(ticket.number, domain, agent_id=agent.pk)[:-20]
            + "aaaa@helpdesk.test",
        }[wanted]
        fields = {"in_reply_to": cited, "references": ["q1@customer.test", cited]}
        if wanted == "tampered":  # ours would match by its thread key; this one threads by q1
            fields["in_reply_to"] = "q1@customer.test"
    if "subject" in fields:
        fields["subject"] = fields["subject"].format(number=ticket.number)
    raw = shape.get("prefix", "").encode() + agent_reply(**fields)

    with on_commit():
        row = deliver(raw, mailbox)

    assert_unverified_note(row, ticket)
    assert not OutboundEmail.objects.filter(kind=OutboundKind.REPLY).exists()


PROOFS = {
    "Gmail's aligned passes": (GMAIL_AR, "mx.google.com"),
    "Postfix with OpenDKIM and OpenDMARC": (POSTFIX_AR, MX),
    "DMARC alone": (f"Authentication-Results: {MX}; dmarc=pass header.from=helpdesk.test\r\n", MX),
    "DKIM of the parent domain (relaxed)": (
        f"Authentication-Results: {MX} 1; dkim=pass header.d=helpdesk.test\r\n",
        f"other.test, {MX.upper()}",
    ),
}


@pytest.mark.parametrize(("prefix", "trusted"), PROOFS.values(), ids=PROOFS.keys())
def test_an_authenticated_staff_reply_is_the_agents_public_reply(
    prefix: str, trusted: str, on_commit: Callable[..., Any]
) -> None:
    mailbox, agent, _ticket = setup(trusted=trusted)

    with on_commit():
        row = deliver(prefix.encode() + agent_reply(), mailbox)

    message = row.ticket_message
    assert message is not None and message.author == agent and message.public
    assert OutboundEmail.objects.filter(kind=OutboundKind.REPLY, to=["ana@customer.test"]).exists()


def test_a_reply_to_the_mail_we_signed_for_the_agent_is_theirs_without_any_server_check(
    on_commit: Callable[..., Any],
) -> None:
    mailbox, agent, ticket = setup(trusted="")
    ours = signing.new_message_id(ticket.number, "helpdesk.test", agent_id=agent.pk)

    with on_commit():  # Apple Mail cites the whole chain; the signed id is one of them
        row = deliver(agent_reply(references=["q1@customer.test", ours]), mailbox)

    message = row.ticket_message
    assert message is not None and message.author == agent and message.public
    ticket.refresh_from_db()
    assert ticket.first_response_at is not None


def test_an_admin_address_is_staff_too() -> None:
    mailbox, _agent, _ticket = setup(trusted=MX)
    make_admin(email="boss@helpdesk.test")

    row = deliver(agent_reply(sender="Boss <boss@helpdesk.test>"), mailbox)

    assert row.ticket_message is not None and not row.ticket_message.public
    assert row.ticket_message.body_text.startswith("Sender not verified")


def test_signed_ids_verify_only_unchanged() -> None:
    made = signing.new_message_id(1042, "helpdesk.test", agent_id=7)

    assert signing.verify(made) == signing.Signed(1042, 7)
    assert signing.verify(f"<{made}>") == signing.Signed(1042, 7)
    assert signing.verify(made.replace("@helpdesk.test", "@other.test")) is None
    assert signing.verify(made.replace(".u7.", ".u8.")) is None
    assert signing.verify(made.replace("atiende.1042.", "atiende.1043.")) is None
    assert signing.verify("atiende.1042.0123456789abcdef.u7.aaaaaaaaaaaaaaaaaaaa@x.test") is None
    assert len(f"<{made}>") < 78  # longer ids get RFC 2047-encoded by header folding


def test_customer_replies_are_unchanged(on_commit: Callable[..., Any]) -> None:
    mailbox, _agent, ticket = setup(trusted=MX)

    row = deliver(
        build(subject="Re: Printer", in_reply_to="q1@customer.test", body="More."), mailbox
    )

    message = row.ticket_message
    assert message is not None and message.public and message.author == ticket.requester
    assert row.ticket == ticket
