"""Alert emails (issue 16, part 6): raw mail to an alert inbox, through the real inbound
pipeline (stored raw, parsed, processed), into the same alert intake as the webhooks."""

from __future__ import annotations

import base64
import itertools

import pytest

from atiende.accounts.models import Identity, User
from atiende.core.errors import Invalid
from atiende.messaging import mailboxes
from atiende.messaging.channels.providers.alert_mail import AlertMail, read_mail
from atiende.messaging.channels.selectors import list_accounts
from atiende.messaging.inbound.pipeline import process
from atiende.messaging.inbound.store import store_raw
from atiende.messaging.models import (
    AlertIncident,
    ChannelAccount,
    InboundMessage,
    InboundState,
    Mailbox,
)
from atiende.tickets.models import Channel, Message, Ticket
from tests.factories import SYSTEM, make_group
from tests.messaging.channels.alert_posts import notes, status_category

pytestmark = pytest.mark.django_db

ALERTS = "alertas@helpdesk.test"
ZABBIX = "Zabbix <zabbix@monitor.example.net>"
NAGIOS = "nagios@monitor.example.net"
_ids = itertools.count(1)


def alert_inbox(**fields: object) -> Mailbox:
    """An alert inbox made the way an admin makes it (the mailbox service)."""
    values: dict[str, object] = {
        "address": ALERTS,
        "inbound_method": "upload",
        "group_id": make_group("Operaciones").pk,
        "alert_inbox": True,
    }
    return mailboxes.create_mailbox(SYSTEM, **(values | fields))


def raw_mail(
    subject: str,
    body: str,
    *,
    sender: str = ZABBIX,
    charset: str = "UTF-8",
    html: bool = False,
    headers: str = "",
    encoded_subject: str | None = None,
) -> bytes:
    """An RFC 5322 message as a monitor's mailer writes it: base64 body in ``charset``."""
    payload = base64.encodebytes(body.encode(charset)).decode("ascii")
    kind = "html" if html else "plain"
    lines = [
        f"From: {sender}" if sender else "",
        f"To: {ALERTS}",
        f"Subject: {encoded_subject or subject}",
        "Date: Fri, 06 Feb 2026 13:08:45 +0000",
        f"Message-ID: <alert-{next(_ids)}@monitor.example.net>",
        "MIME-Version: 1.0",
        f'Content-Type: text/{kind}; charset="{charset}"',
        "Content-Transfer-Encoding: base64",
    ]
    head = "\r\n".join(line for line in lines if line) + ("\r\n" + headers if headers else "")
    return (head + "\r\n\r\n" + payload.replace("\n", "\r\n")).encode("ascii")


def deliver(raw: bytes, mailbox: Mailbox) -> InboundMessage:
    row, _created = store_raw(raw, mailbox=mailbox, source="smtp", recipient=mailbox.address)
    return process(row.pk)


def zabbix_problem(name: str, *, event_id: str, host: str = "db1", severity: str = "High") -> bytes:
    """Zabbix's default "Problem" mail (media type Email, plain text)."""
    body = (
        f"Problem started at 13:08:45 on 2026.02.06\r\n"
        f"Problem name: {name}\r\n"
        f"Host: {host}\r\n"
        f"Severity: {severity}\r\n"
        f"Operational data: 97 %\r\n"
        f"Original problem ID: {event_id}\r\n"
        f"https://zabbix.example.net/tr_events.php?triggerid=23&eventid={event_id}\r\n"
    )
    return raw_mail(f"Problem: {name}", body)


def zabbix_resolved(name: str, *, event_id: str, host: str = "db1", old: bool = False) -> bytes:
    """Zabbix's default recovery mail: "Resolved in <duration>: <name>" (6.0 and later) or
    "Resolved: <name>" (earlier)."""
    body = (
        f"Problem has been resolved at 13:20:03 on 2026.02.06\r\n"
        f"Problem name: {name}\r\n"
        f"Problem duration: 11m 18s\r\n"
        f"Host: {host}\r\n"
        f"Severity: High\r\n"
        f"Original problem ID: {event_id}\r\n"
    )
    return raw_mail(f"Resolved: {name}" if old else f"Resolved in 11m 18s: {name}", body)


def nagios_service(kind: str, state: str, *, host: str = "web1", service: str = "HTTP") -> bytes:
    """Nagios' sample ``notify-service-by-email`` command's mail."""
    body = (
        "***** Nagios *****\n\n"
        f"Notification Type: {kind}\n\n"
        f"Service: {service}\nHost: {host}\nAddress: 192.0.2.10\nState: {state}\n\n"
        "Date/Time: Fri Feb 6 13:08:45 UTC 2026\n\n"
        "Additional Info:\n\nHTTP CRITICAL: HTTP/1.1 503 Service Unavailable\n"
    )
    subject = f"** {kind} Service Alert: {host}/{service} is {state} **"
    return raw_mail(subject, body, sender=NAGIOS)


def ticket_of(row: InboundMessage) -> Ticket:
    assert row.state == InboundState.PROCESSED, row.reason
    assert row.ticket is not None
    return Ticket.objects.select_related("priority", "status").get(pk=row.ticket.pk)


# --- Zabbix ---------------------------------------------------------------------------------


def test_a_zabbix_problem_mail_opens_an_alert_ticket_not_a_conversation() -> None:
    mailbox = alert_inbox()

    row = deliver(zabbix_problem("High CPU utilization", event_id="4711"), mailbox)

    ticket = ticket_of(row)
    assert row.reason == "1 alert opened a ticket." and row.auto_generated
    assert ticket.subject == "High CPU utilization (db1)"
    assert ticket.channel == Channel.ALERT and ticket.priority.key == "high"
    assert ticket.group_id == mailbox.group_id
    monitor = Identity.objects.get(channel="alert").user
    assert ticket.requester_id == monitor.pk and monitor.email is None
    assert not User.objects.filter(email="zabbix@monitor.example.net").exists()
    body = Message.objects.get(ticket=ticket).body_text
    assert body.startswith("Problem started at 13:08:45 on 2026.02.06")
    assert "Alert key: zabbix:db1/High CPU utilization" in body
    assert "Link: https://zabbix.example.net/tr_events.php?triggerid=23&eventid=4711" in body
    incident = AlertIncident.objects.get()
    assert incident.account_id == mailbox.alert_account_id and incident.occurrence == "4711"


def test_zabbix_repeats_fold_into_the_ticket_and_its_recovery_solves_it() -> None:
    mailbox = alert_inbox()
    first = ticket_of(deliver(zabbix_problem("Disk full", event_id="100"), mailbox))

    again = deliver(zabbix_problem("Disk full", event_id="100"), mailbox)  # same problem id
    later = deliver(zabbix_problem("Disk full", event_id="180", severity="Disaster"), mailbox)
    solved = deliver(zabbix_resolved("Disk full", event_id="180"), mailbox)

    assert again.reason == "1 alert had already been recorded." and again.ticket == first
    assert later.reason == "1 alert fired again on its open ticket." and later.ticket == first
    assert solved.reason == "1 alert recovered." and solved.ticket == first
    assert Ticket.objects.count() == 1
    assert Ticket.objects.get(pk=first.pk).priority.key == "urgent"  # Disaster raised it
    assert status_category(first) == "solved"
    written = notes(first)
    assert written[0].startswith("Firing again: Disk full (db1) (fired 2 times")
    assert written[1].startswith("Recovered: Disk full (db1).")


def test_the_older_resolved_subject_recovers_too() -> None:
    mailbox = alert_inbox()
    first = ticket_of(deliver(zabbix_problem("Ping loss", event_id="7"), mailbox))

    row = deliver(zabbix_resolved("Ping loss", event_id="7", old=True), mailbox)

    assert row.reason == "1 alert recovered." and status_category(first) == "solved"


def test_an_inbox_that_does_not_solve_on_recovery_only_notes_it() -> None:
    mailbox = alert_inbox(alert_solve_on_recovery=False)
    first = ticket_of(deliver(zabbix_problem("Swap low", event_id="9"), mailbox))

    deliver(zabbix_resolved("Swap low", event_id="9"), mailbox)

    assert status_category(first) == "new"
    assert "does not solve tickets on recovery" in notes(first)[-1]


def test_a_zabbix_html_only_mail_is_read_from_its_html() -> None:
    mailbox = alert_inbox()
    html = (
        "<html><body><p><b>Problem started at</b> 13:08:45 <b>on</b> 2026.02.06</p>"
        "<p><b>Problem name:</b> Memory pressure</p><p><b>Host:</b> app2</p>"
        "<p><b>Severity:</b> Disaster</p><p><b>Original problem ID:</b> 55</p></body></html>"
    )

    row = deliver(raw_mail("Problem: Memory pressure", html, html=True), mailbox)

    ticket = ticket_of(row)
    assert ticket.subject == "Memory pressure (app2)" and ticket.priority.key == "urgent"
    assert AlertIncident.objects.get().key == "zabbix:app2/Memory pressure"


# --- Nagios / Icinga ------------------------------------------------------------------------


def test_a_nagios_problem_and_its_recovery_are_one_ticket() -> None:
    mailbox = alert_inbox()

    first = ticket_of(deliver(nagios_service("PROBLEM", "CRITICAL"), mailbox))
    recovery = deliver(nagios_service("RECOVERY", "OK"), mailbox)

    assert first.subject == "HTTP on web1 is CRITICAL" and first.priority.key == "urgent"
    assert recovery.ticket == first and recovery.reason == "1 alert recovered."
    assert status_category(first) == "solved"
    assert AlertIncident.objects.get().key == "nagios:web1/HTTP"
    assert "HTTP CRITICAL: HTTP/1.1 503" in Message.objects.filter(ticket=first).first().body_text  # type: ignore[union-attr]


def test_a_nagios_host_alert_is_keyed_on_the_host() -> None:
    mailbox = alert_inbox()
    body = (
        "***** Nagios *****\n\nNotification Type: PROBLEM\nHost: router7\nState: DOWN\n"
        "Address: 192.0.2.1\nInfo: PING CRITICAL - Packet loss = 100%\n"
    )

    row = deliver(
        raw_mail("** PROBLEM Host Alert: router7 is DOWN **", body, sender=NAGIOS), mailbox
    )

    ticket = ticket_of(row)
    assert ticket.subject == "router7 is DOWN" and ticket.priority.key == "urgent"
    assert AlertIncident.objects.get().key == "nagios:router7"


def test_an_icinga_2_mail_is_read_by_its_subject() -> None:
    mailbox = alert_inbox()
    body = "***** Service Monitoring on icinga2 *****\n\ndisk /var on db2 is WARNING!\n"

    row = deliver(raw_mail("[PROBLEM] disk /var on db2 is WARNING!", body, sender=NAGIOS), mailbox)

    assert ticket_of(row).subject == "disk /var on db2 is WARNING"
    assert AlertIncident.objects.get().key == "nagios:db2/disk /var"


def test_a_nagios_acknowledgement_changes_nothing_and_says_so() -> None:
    mailbox = alert_inbox()

    row = deliver(nagios_service("ACKNOWLEDGEMENT", "CRITICAL"), mailbox)

    assert row.state == InboundState.IGNORED and "acknowledgement" in row.reason
    assert not Ticket.objects.exists()


# --- any monitor's mail ---------------------------------------------------------------------


def test_a_generic_alert_is_keyed_on_its_subject_without_the_state_words() -> None:
    mailbox = alert_inbox()

    first = ticket_of(
        deliver(raw_mail("[FIRING:2] Disk almost full on db1", "df: 97%", sender=NAGIOS), mailbox)
    )
    again = deliver(raw_mail("[FIRING:3] Disk almost full on db1", "df: 98%"), mailbox)
    resolved = deliver(raw_mail("[RESOLVED] Disk almost full on db1", "df: 60%"), mailbox)

    assert first.subject == "[FIRING:2] Disk almost full on db1"
    assert again.ticket == first and resolved.ticket == first
    assert AlertIncident.objects.get().key == "mail:disk almost full on db1"
    assert status_category(first) == "solved"


@pytest.mark.parametrize("subject", ["", "PROBLEM", "** RESOLVED **"])
def test_a_mail_with_no_recognisable_key_still_opens_a_ticket(subject: str) -> None:
    mailbox = alert_inbox()

    row = deliver(raw_mail(subject, "Something is wrong somewhere.", sender=NAGIOS), mailbox)

    ticket = ticket_of(row)
    assert "Something is wrong somewhere." in Message.objects.get(ticket=ticket).body_text
    assert AlertIncident.objects.get().key == f"mail-from:{NAGIOS}"


def test_a_mail_without_a_sender_is_still_an_alert() -> None:
    mailbox = alert_inbox()

    row = deliver(raw_mail("Backup failed", "The nightly backup failed.", sender=""), mailbox)

    assert ticket_of(row).subject == "Backup failed"


def test_an_alert_from_one_of_our_own_addresses_is_still_read() -> None:
    mailbox = alert_inbox()
    mailboxes.create_mailbox(SYSTEM, address="soporte@helpdesk.test", inbound_method="upload")

    row = deliver(raw_mail("Problem on db1", "It broke.", sender="soporte@helpdesk.test"), mailbox)

    assert ticket_of(row).subject == "Problem on db1"


# --- bad input ------------------------------------------------------------------------------


def test_a_sender_not_on_the_allowed_list_waits_in_the_quarantine() -> None:
    mailbox = alert_inbox(alert_senders="zabbix@monitor.example.net\n@nagios.example.net")

    forged = deliver(raw_mail("Problem: Disk full", "x", sender="evil@attacker.test"), mailbox)
    by_domain = deliver(raw_mail("Disk full", "x", sender="icinga@nagios.example.net"), mailbox)
    listed = deliver(zabbix_problem("Disk full", event_id="1"), mailbox)

    assert forged.state == InboundState.QUARANTINED and forged.ticket is None
    assert "evil@attacker.test is not one of this alert inbox's allowed senders" in forged.reason
    assert by_domain.state == listed.state == InboundState.PROCESSED
    assert Ticket.objects.count() == 2


def test_a_sender_whose_domain_failed_dmarc_at_the_trusted_server_is_quarantined() -> None:
    mailbox = alert_inbox(trusted_authserv_id="mx.helpdesk.test")
    failed = "Authentication-Results: mx.helpdesk.test; dmarc=fail header.from=monitor.example.net"
    passed = "Authentication-Results: mx.helpdesk.test; dmarc=pass header.from=monitor.example.net"

    forged = deliver(raw_mail("Problem on db1", "x", headers=failed), mailbox)
    genuine = deliver(raw_mail("Problem on db2", "x", headers=passed), mailbox)

    assert forged.state == InboundState.QUARANTINED and "failed DMARC" in forged.reason
    assert genuine.state == InboundState.PROCESSED


def test_a_mail_to_another_mailbox_is_a_conversation_even_if_it_looks_like_an_alert() -> None:
    alert_inbox()
    support = mailboxes.create_mailbox(
        SYSTEM, address="soporte@helpdesk.test", inbound_method="upload"
    )

    row = deliver(zabbix_problem("Disk full", event_id="3"), support)

    assert row.state == InboundState.PROCESSED and row.ticket is not None
    assert row.ticket.channel == Channel.EMAIL and not AlertIncident.objects.exists()


def test_a_latin_1_alert_is_decoded() -> None:
    mailbox = alert_inbox()
    body = "Problem name: Temperatura alta en sala de máquinas\nHost: año-1\nSeverity: Average\n"
    subject = "=?ISO-8859-1?Q?Problem:_Temperatura_alta_en_sala_de_m=E1quinas?="

    row = deliver(raw_mail("", body, charset="ISO-8859-1", encoded_subject=subject), mailbox)

    ticket = ticket_of(row)
    assert ticket.subject == "Temperatura alta en sala de máquinas (año-1)"
    assert ticket.priority.key == "high"


def test_a_huge_alert_body_is_cut_with_a_note_naming_the_stored_mail() -> None:
    mailbox = alert_inbox()
    body = "Problem name: Log storm\nHost: app3\n" + ("ERROR something happened\n" * 8_000)

    row = deliver(raw_mail("Problem: Log storm", body), mailbox)

    text = Message.objects.get(ticket=ticket_of(row)).body_text
    assert f"The whole mail is kept as inbound message #{row.pk}." in text
    assert len(text) < 25_000
    assert len(bytes(InboundMessage.objects.get(pk=row.pk).raw)) > 200_000


def test_a_flood_of_alert_mails_is_folded_into_one_ticket_none_dropped() -> None:
    mailbox = alert_inbox()

    rows = [deliver(zabbix_problem(f"Check {n}", event_id=str(n)), mailbox) for n in range(23)]

    assert all(row.state == InboundState.PROCESSED for row in rows)
    assert Ticket.objects.count() == 21  # 20 alerts, then one flood ticket for the rest
    flood = Ticket.objects.get(subject__startswith="Alert flood")
    assert {row.ticket for row in rows[20:]} == {flood}
    assert AlertIncident.objects.filter(flooded=True).count() == 3


# --- settings -------------------------------------------------------------------------------


def test_an_alert_inbox_gets_an_inactive_alert_account_kept_in_step() -> None:
    mailbox = alert_inbox()
    account = mailbox.alert_account
    assert account is not None and account.provider == "alert_email" and not account.active
    assert account.group_id == mailbox.group_id and account.name == ALERTS
    assert account not in list_accounts(SYSTEM).items  # configured on the mailbox

    mailboxes.update_mailbox(
        SYSTEM, mailbox_id=mailbox.pk, changes={"alert_solve_on_recovery": False, "group_id": None}
    )
    account.refresh_from_db()
    assert account.settings == {"solve_on_recovery": "false"} and account.group_id is None

    mailboxes.update_mailbox(SYSTEM, mailbox_id=mailbox.pk, changes={"alert_inbox": False})
    assert ChannelAccount.objects.filter(pk=account.pk).exists()  # its incidents stay


def test_an_ordinary_mailbox_has_no_alert_account() -> None:
    mailbox = mailboxes.create_mailbox(
        SYSTEM, address="soporte@helpdesk.test", inbound_method="upload"
    )

    assert mailbox.alert_account_id is None and not ChannelAccount.objects.exists()


@pytest.mark.parametrize(
    ("senders", "stored"),
    [
        (
            "Zabbix@Monitor.example.net, @nagios.example.net",
            "zabbix@monitor.example.net\n@nagios.example.net",
        ),
        ("", ""),
    ],
)
def test_allowed_senders_are_stored_one_per_line(senders: str, stored: str) -> None:
    assert alert_inbox(alert_senders=senders).alert_senders == stored


@pytest.mark.parametrize("senders", ["not an address", "@nodot", "a@b@c.test"])
def test_a_bad_allowed_sender_is_refused_by_name(senders: str) -> None:
    with pytest.raises(Invalid) as refused:
        alert_inbox(alert_senders=senders)

    assert [error.field for error in refused.value.errors] == ["alert_senders"]
    assert not Mailbox.objects.exists()


# --- the pure reader ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("subject", "state"),
    [
        ("Problem: Disk full", "firing"),
        ("Resolved: Disk full", "resolved"),
        ("Resolved in 1h 2m 3s: Disk full", "resolved"),
        ("Updated problem in 5m: Disk full", "firing"),
    ],
)
def test_zabbix_subjects(subject: str, state: str) -> None:
    text = "Problem name: Disk full\nHost: db1\nSeverity: Warning\nOriginal problem ID: 12\n"

    event = read_mail(AlertMail(subject=subject, text=text))

    assert event is not None and event.state == state and event.key == "zabbix:db1/Disk full"
    assert event.severity == "Warning" and event.labels["event_id"] == "12"


def test_a_key_too_long_for_its_column_becomes_a_hash() -> None:
    event = read_mail(AlertMail(subject="x" * 400, text=""))

    assert event is not None and event.key.startswith("mail:sha256:") and len(event.key) < 100
