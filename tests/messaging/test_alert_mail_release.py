"""An alert inbox's mail released from the quarantine ("create ticket anyway", issue 16):
the alert path, as if the mail had been processed normally (severity → priority, repeats
folded by key, recoveries, the monitor as requester), never the plain email path; what the
alert reader still cannot read opens an alert ticket of its own, with a note saying why."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from atiende.accounts.models import User
from atiende.messaging import mailboxes
from atiende.messaging.models import AlertIncident, InboundMessage, InboundState, Mailbox
from atiende.messaging.services import create_ticket_anyway
from atiende.tickets.models import Channel, Message, Ticket
from tests.factories import SYSTEM, make_admin, web
from tests.messaging.channels.alert_posts import notes, status_category
from tests.messaging.test_alert_mail import (
    ALERTS,
    NAGIOS,
    alert_inbox,
    deliver,
    nagios_service,
    raw_mail,
    zabbix_problem,
    zabbix_resolved,
)

pytestmark = pytest.mark.django_db

ZABBIX_ONLY = "zabbix@monitor.example.net"  # the allowed senders of the tests' inbox
NEW_ZABBIX = "Zabbix <zabbix@monitor2.example.net>"  # a second Zabbix server, not yet listed


def held(raw: bytes, mailbox: Mailbox) -> InboundMessage:
    row = deliver(raw, mailbox)
    assert row.state in (InboundState.QUARANTINED, InboundState.IGNORED), row.reason
    assert row.ticket is None
    return row


def release(row: InboundMessage) -> InboundMessage:
    return create_ticket_anyway(web(make_admin()), inbound_id=row.pk)


def from_new_server(raw: bytes) -> bytes:
    return raw.replace(b"From: Zabbix <zabbix@monitor.example.net>", f"From: {NEW_ZABBIX}".encode())


def ticket_of(row: InboundMessage) -> Ticket:
    assert row.state == InboundState.PROCESSED, row.reason
    assert row.ticket is not None
    return Ticket.objects.select_related("priority", "status").get(pk=row.ticket.pk)


def nested_mime(subject: str, depth: int = 3_000) -> bytes:
    """A mail whose MIME nests deeper than any parser follows: its headers still read."""
    head = (
        f"From: {NAGIOS}\r\nTo: {ALERTS}\r\nSubject: {subject}\r\n"
        "Message-ID: <deep-1@monitor.example.net>\r\nMIME-Version: 1.0\r\n"
    )
    opening = "".join(
        f'Content-Type: multipart/mixed; boundary="b{n}"\r\n\r\n--b{n}\r\n' for n in range(depth)
    )
    closing = "".join(f"\r\n--b{n}--\r\n" for n in reversed(range(depth)))
    inner = "Content-Type: text/plain\r\n\r\nHost: db1\r\n"
    return (head + opening + inner + closing).encode()


# --- through the alert path -----------------------------------------------------------------


def test_a_released_zabbix_mail_opens_an_alert_ticket_with_its_mapped_priority() -> None:
    mailbox = alert_inbox(alert_senders=ZABBIX_ONLY)
    row = held(
        from_new_server(zabbix_problem("Disk full", event_id="501", severity="Disaster")), mailbox
    )
    assert "not one of this alert inbox's allowed senders" in row.reason

    done = release(row)

    ticket = ticket_of(done)
    assert done.reason == "1 alert opened a ticket." and done.auto_generated
    assert ticket.channel == Channel.ALERT and ticket.priority.key == "urgent"  # Disaster
    assert ticket.subject == "Disk full (db1)" and ticket.group_id == mailbox.group_id
    monitor = ticket.requester
    assert monitor.identities.get().channel == "alert" and monitor.email is None
    assert not User.objects.filter(email="zabbix@monitor2.example.net").exists()
    body = Message.objects.get(ticket=ticket).body_text
    assert "Alert key: zabbix:db1/Disk full" in body and "Severity: Disaster" in body
    incident = AlertIncident.objects.get()
    assert incident.account_id == mailbox.alert_account_id and incident.ticket_id == ticket.pk
    assert incident.occurrence == "501"  # the monitor's id of this firing, as normally


def test_a_released_repeat_of_the_same_key_is_appended_to_the_open_ticket() -> None:
    mailbox = alert_inbox(alert_senders=ZABBIX_ONLY)
    first = ticket_of(deliver(zabbix_problem("Disk full", event_id="100"), mailbox))
    row = held(
        from_new_server(zabbix_problem("Disk full", event_id="180", severity="Disaster")), mailbox
    )

    done = release(row)

    assert done.ticket == first and done.reason == "1 alert fired again on its open ticket."
    assert Ticket.objects.count() == 1
    assert notes(first)[0].startswith("Firing again: Disk full (db1) (fired 2 times")
    assert ticket_of(done).priority.key == "urgent"  # the worse severity raised it
    assert AlertIncident.objects.get().count == 2


def test_a_released_recovery_solves_the_open_ticket() -> None:
    mailbox = alert_inbox(alert_senders=ZABBIX_ONLY)
    first = ticket_of(deliver(zabbix_problem("Swap low", event_id="9"), mailbox))
    row = held(from_new_server(zabbix_resolved("Swap low", event_id="9")), mailbox)

    done = release(row)

    assert done.ticket == first and done.reason == "1 alert recovered."
    assert status_category(first) == "solved"
    assert notes(first)[-1].startswith("Recovered: Swap low (db1).")


def test_a_mail_held_for_failed_dmarc_is_released_as_a_nagios_alert() -> None:
    mailbox = alert_inbox(trusted_authserv_id="mx.helpdesk.test")
    failed = "Authentication-Results: mx.helpdesk.test; dmarc=fail header.from=example.net"
    raw = nagios_service("PROBLEM", "CRITICAL").replace(
        b"MIME-Version: 1.0", f"{failed}\r\nMIME-Version: 1.0".encode()
    )
    row = held(raw, mailbox)

    ticket = ticket_of(release(row))

    assert ticket.subject == "HTTP on web1 is CRITICAL" and ticket.priority.key == "urgent"
    assert AlertIncident.objects.get().key == "nagios:web1/HTTP"


def test_the_quarantine_screen_releases_an_alert_mail_onto_its_alert_ticket() -> None:
    mailbox = alert_inbox(alert_senders=ZABBIX_ONLY)
    row = held(from_new_server(zabbix_problem("Ping loss", event_id="7")), mailbox)
    client = Client()
    client.force_login(make_admin())

    answer = client.post(reverse("mail-quarantine-action", args=[row.pk, "create-ticket"]))

    ticket = Ticket.objects.get()
    assert answer.status_code == 302 and answer["Location"] == reverse("ticket", args=[ticket.pk])
    assert ticket.channel == Channel.ALERT and ticket.priority.key == "high"


def test_an_alert_inbox_without_its_alert_account_gets_it_back_on_release() -> None:
    mailbox = alert_inbox()
    Mailbox.objects.filter(pk=mailbox.pk).update(alert_account=None)  # an account lost
    row = held(zabbix_problem("Disk full", event_id="3"), mailbox)
    assert "without its alert account" in row.reason

    ticket = ticket_of(release(row))

    mailbox.refresh_from_db()
    assert mailbox.alert_account is not None and not mailbox.alert_account.active
    assert AlertIncident.objects.get().account_id == mailbox.alert_account_id
    assert ticket.channel == Channel.ALERT


# --- what the alert reader cannot read ------------------------------------------------------


def test_an_unreadable_alert_mail_released_opens_an_alert_ticket_saying_why() -> None:
    mailbox = alert_inbox()
    row = held(nested_mime("Problem: Disk full"), mailbox)
    assert row.reason.startswith("Unreadable message")

    done = release(row)

    ticket = ticket_of(done)
    assert ticket.channel == Channel.ALERT and ticket.subject == "Problem: Disk full"
    assert ticket.priority.key == "normal"  # an alert without a severity
    assert ticket.requester.identities.get().channel == "alert"
    (note,) = notes(ticket)
    assert note.startswith(
        "Released from the quarantine, but this mail could not be read as an alert: the mail "
        "could not be parsed (unreadable MIME: RecursionError"
    )
    assert f"the whole mail is kept as inbound message #{row.pk}." in note
    assert done.reason.startswith("Not read as an alert: the mail could not be parsed")
    assert AlertIncident.objects.get().key == f"released:inbound-{row.pk}"


def test_an_unreadable_repeat_is_not_folded_into_another_alert() -> None:
    mailbox = alert_inbox()
    first = ticket_of(deliver(raw_mail("Problem: Disk full", "df: 97%"), mailbox))

    done = release(held(nested_mime("Problem: Disk full"), mailbox))

    assert done.ticket is not None and done.ticket != first
    assert notes(first) == []


def test_a_released_acknowledgement_opens_a_ticket_with_what_it_says() -> None:
    mailbox = alert_inbox()
    row = held(nagios_service("ACKNOWLEDGEMENT", "CRITICAL"), mailbox)
    assert row.state == InboundState.IGNORED

    ticket = ticket_of(release(row))

    assert ticket.subject == "** ACKNOWLEDGEMENT Service Alert: web1/HTTP is CRITICAL **"
    assert "HTTP CRITICAL: HTTP/1.1 503" in Message.objects.filter(ticket=ticket).first().body_text  # type: ignore[union-attr]
    assert "a monitor's notice without a problem or a recovery" in notes(ticket)[0]
    assert ticket.channel == Channel.ALERT and ticket.priority.key == "normal"


def test_a_released_recovery_of_no_open_alert_opens_a_ticket_saying_so() -> None:
    mailbox = alert_inbox(alert_senders=ZABBIX_ONLY)
    row = held(from_new_server(zabbix_resolved("Fan speed", event_id="77")), mailbox)

    ticket = ticket_of(release(row))

    assert ticket.subject == "Resolved in 11m 18s: Fan speed"
    (note,) = notes(ticket)
    assert "no open ticket has its alert (zabbix:db1/Fan speed)" in note
    assert status_category(ticket) == "new"


def test_an_ordinary_mailbox_releases_an_alert_looking_mail_as_plain_email() -> None:
    support = mailboxes.create_mailbox(
        SYSTEM, address="soporte@helpdesk.test", inbound_method="upload"
    )
    row = held(b"\r\n\r\n", support)

    ticket = ticket_of(release(row))

    assert ticket.channel == Channel.EMAIL and not AlertIncident.objects.exists()
