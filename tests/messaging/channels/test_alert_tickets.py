"""Monitoring alerts become tickets (``services/alerts.py``): posted to the real webhook view
by each monitor as it sends them, processed at once, checked in the tickets they leave."""

from __future__ import annotations

import pytest
import time_machine
from django.test import Client

from atiende.accounts.models import Identity
from atiende.messaging.models import AlertIncident, AlertIncidentState, ChannelPayloadState
from atiende.tickets.models import Message, Ticket
from atiende.tickets.services import change_status, merge_tickets
from tests.factories import SYSTEM, make_ticket
from tests.messaging.channels.alert_posts import (
    _tasks_run_at_once,
    alert_account,
    clock,
    notes,
    notification,
    post_form,
    post_json,
    processed,
    prometheus_alert,
    status_category,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]
__all__ = ["_tasks_run_at_once", "clock"]

# --- Alertmanager ----------------------------------------------------------------------------


def test_a_firing_alert_opens_a_ticket_with_the_priority_of_its_severity(client: Client) -> None:
    account = alert_account()
    payload = post_json(
        client,
        account,
        notification(
            prometheus_alert("a1", severity="critical"),
            prometheus_alert("b2", severity="warning"),
            prometheus_alert("c3", severity="info"),
        ),
    )

    assert processed(payload).reason == "3 alerts opened tickets."
    shop = Ticket.objects.get(subject="Probe failure: https://a1.example.test")
    assert shop.priority.key == "urgent"
    assert Ticket.objects.get(subject__contains="b2").priority.key == "normal"
    assert Ticket.objects.get(subject__contains="c3").priority.key == "low"
    assert shop.channel == "alert" and shop.group_id == account.group_id
    monitor = Identity.objects.get(channel="alert").user
    assert shop.requester_id == monitor.pk and monitor.is_customer and monitor.email is None
    assert Ticket.objects.filter(requester=monitor).count() == 3
    body = Message.objects.get(ticket=shop).body_text
    assert body.startswith("https://a1.example.test has been down for over 5m.")
    assert "instance=https://a1.example.test" in body
    assert "Severity: critical" in body
    assert "Started: 2026-02-06 12:58:00 UTC" in body
    assert "Link: http://prometheus.example.test:9090/graph" in body
    assert "Alert key: alertmanager:a1" in body


def test_the_body_is_plain_text_whatever_the_labels_say(client: Client) -> None:
    account = alert_account()
    alert = prometheus_alert("x1", summary="<b>Disk</b> full")
    alert["labels"]["team"] = "<script>alert(1)</script>"

    post_json(client, account, notification(alert))

    message = Message.objects.get()
    assert message.ticket.subject == "<b>Disk</b> full"
    assert "team=<script>alert(1)</script>" in message.body_text
    assert "<script>" not in message.body_html and "&lt;script&gt;" in message.body_html


def test_the_same_alert_firing_again_is_a_note_on_its_ticket(
    client: Client, clock: time_machine.Coordinates
) -> None:
    account = alert_account()
    post_json(client, account, notification(prometheus_alert("a1")))
    clock.shift(600)

    payload = post_json(
        client, account, notification(prometheus_alert("a1", starts="2026-02-06T13:09:00Z"))
    )

    assert processed(payload).reason == "1 alert fired again on its open ticket."
    ticket = Ticket.objects.get()
    incident = AlertIncident.objects.get()
    assert (incident.ticket_id, incident.count, incident.state) == (ticket.pk, 2, "firing")
    (note,) = notes(ticket)
    assert note.startswith("Firing again: Probe failure: https://a1.example.test")
    assert "fired 2 times since 2026-02-06 13:00:00 UTC" in note


def test_the_same_payload_delivered_twice_changes_nothing_the_second_time(
    client: Client,
) -> None:
    account = alert_account()
    body = notification(prometheus_alert("a1"), prometheus_alert("b2"))

    processed(post_json(client, account, body))
    again = post_json(client, account, body)

    assert again.state == ChannelPayloadState.IGNORED
    assert again.reason == "2 alerts had already been recorded."
    assert Ticket.objects.count() == 2 and Message.objects.count() == 2
    assert set(AlertIncident.objects.values_list("count", flat=True)) == {1}


def test_a_recovery_solves_the_ticket_with_a_note(client: Client) -> None:
    account = alert_account()
    post_json(client, account, notification(prometheus_alert("a1"), prometheus_alert("b2")))

    payload = post_json(client, account, notification(prometheus_alert("a1", status="resolved")))

    assert processed(payload).reason == "1 alert recovered."
    solved = Ticket.objects.get(subject__contains="a1")
    assert status_category(solved) == "solved"
    assert notes(solved) == [
        "Recovered: Probe failure: https://a1.example.test (ended 2026-02-06 13:20:00 UTC)."
    ]
    assert status_category(Ticket.objects.get(subject__contains="b2")) == "new"
    assert AlertIncident.objects.get(key="alertmanager:a1").state == AlertIncidentState.RESOLVED
    # The recovery delivered again: nothing more.
    again = post_json(client, account, notification(prometheus_alert("a1", status="resolved")))
    assert again.state == ChannelPayloadState.IGNORED
    assert len(notes(solved)) == 1


def test_without_solve_on_recovery_a_recovery_is_only_a_note(client: Client) -> None:
    account = alert_account(solve_on_recovery="false")
    post_json(client, account, notification(prometheus_alert("a1")))

    processed(post_json(client, account, notification(prometheus_alert("a1", status="resolved"))))

    ticket = Ticket.objects.get()
    assert status_category(ticket) == "new"
    (note,) = notes(ticket)
    assert note.startswith("Recovered: Probe failure")
    assert "does not solve tickets on recovery" in note


def test_a_recovery_for_an_unknown_alert_is_ignored_with_the_reason(client: Client) -> None:
    account = alert_account()

    payload = post_json(client, account, notification(prometheus_alert("zz", status="resolved")))

    assert payload.state == ChannelPayloadState.IGNORED
    assert payload.reason == (
        "1 recovery was ignored: no open ticket has its alert (alertmanager:zz)."
    )
    assert not Ticket.objects.exists() and not AlertIncident.objects.exists()


def test_a_firing_after_its_solved_recovery_reopens_the_ticket(client: Client) -> None:
    account = alert_account()
    post_json(client, account, notification(prometheus_alert("a1")))
    post_json(client, account, notification(prometheus_alert("a1", status="resolved")))

    payload = post_json(
        client, account, notification(prometheus_alert("a1", starts="2026-02-06T14:00:00Z"))
    )

    assert processed(payload).reason == "1 alert fired again on its open ticket."
    ticket = Ticket.objects.get()
    assert status_category(ticket) == "open"
    assert AlertIncident.objects.get().count == 2


def test_a_late_copy_of_the_firing_after_its_recovery_changes_nothing(client: Client) -> None:
    account = alert_account()
    post_json(client, account, notification(prometheus_alert("a1")))
    post_json(client, account, notification(prometheus_alert("a1", status="resolved")))

    late = post_json(client, account, notification(prometheus_alert("a1")))

    assert late.state == ChannelPayloadState.IGNORED
    assert status_category(Ticket.objects.get()) == "solved"


def test_a_firing_after_the_ticket_was_closed_opens_a_new_ticket(client: Client) -> None:
    account = alert_account()
    post_json(client, account, notification(prometheus_alert("a1")))
    first = Ticket.objects.get()
    change_status(SYSTEM, ticket_id=first.pk, status="closed")

    payload = post_json(
        client, account, notification(prometheus_alert("a1", starts="2026-02-07T09:00:00Z"))
    )

    assert processed(payload).reason == "1 alert opened a ticket."
    assert Ticket.objects.count() == 2
    old, new = AlertIncident.objects.order_by("pk")
    assert (old.ticket_id, old.state) == (first.pk, AlertIncidentState.ENDED)
    assert new.ticket_id != first.pk and new.state == AlertIncidentState.FIRING


def test_a_firing_after_its_ticket_was_merged_goes_to_the_merged_ticket(client: Client) -> None:
    account = alert_account()
    post_json(client, account, notification(prometheus_alert("a1")))
    alert_ticket = Ticket.objects.get()
    target = make_ticket(subject="Shop outage")
    merge_tickets(SYSTEM, source_id=alert_ticket.pk, target_id=target.pk)

    post_json(client, account, notification(prometheus_alert("a1", starts="2026-02-06T14:00Z")))

    assert Ticket.objects.count() == 2
    assert AlertIncident.objects.get().ticket_id == target.pk
    assert notes(target)[-1].startswith("Firing again")


# --- Generic JSON ----------------------------------------------------------------------------


def test_a_generic_alert_with_a_key_opens_folds_and_raises_the_priority(client: Client) -> None:
    account = alert_account("generic_alert")
    first = {"key": "backup/db01", "title": "Nightly backup failed", "severity": "warning"}

    post_json(client, account, first)
    post_json(client, account, {**first, "severity": "critical"})

    ticket = Ticket.objects.get()
    assert ticket.subject == "Nightly backup failed" and ticket.priority.key == "urgent"
    assert AlertIncident.objects.get().count == 2
    # A milder repeat does not lower it.
    post_json(client, account, {**first, "severity": "info"})
    assert Ticket.objects.get().priority.key == "urgent"


def test_a_generic_alert_without_a_key_is_quarantined_with_the_reason(client: Client) -> None:
    account = alert_account("generic_alert")

    payload = post_json(client, account, {"title": "Nightly backup failed", "status": "firing"})

    assert payload.state == ChannelPayloadState.QUARANTINED
    assert "(key)" in payload.reason and "“key” is missing" in payload.reason
    assert not Ticket.objects.exists()


# --- Zabbix and Nagios -----------------------------------------------------------------------

ZABBIX_PROBLEM = {
    "event_id": "7342",
    "trigger_id": "13502",
    "host": "db01",
    "name": "High CPU utilization (over 90% for 5m)",
    "message": "Problem started at 10:02:11 on 2026.02.06\nHost: db01",
    "severity": "Disaster",
    "nseverity": "5",
    "status": "PROBLEM",
    "event_value": "1",
    "url": "https://zabbix.example.test/tr_events.php?triggerid=13502&eventid=7342",
    "tags": {"service": "postgres"},
}


def test_a_zabbix_problem_and_its_recovery(client: Client) -> None:
    account = alert_account("zabbix")

    processed(post_json(client, account, ZABBIX_PROBLEM))
    # An update operation (an acknowledgement) re-sends the same event: already recorded.
    assert post_json(client, account, ZABBIX_PROBLEM).state == ChannelPayloadState.IGNORED
    recovery = {**ZABBIX_PROBLEM, "status": "RESOLVED", "event_value": "0"}
    processed(post_json(client, account, recovery))

    ticket = Ticket.objects.get()
    assert ticket.subject == "High CPU utilization (over 90% for 5m)"
    assert ticket.priority.key == "urgent"
    assert status_category(ticket) == "solved"
    body = Message.objects.filter(ticket=ticket).order_by("pk")[0].body_text
    assert "host=db01" in body and "service=postgres" in body and "trigger_id=13502" in body
    # The trigger's next problem is a new event: it reopens the ticket, counted.
    post_json(client, account, {**ZABBIX_PROBLEM, "event_id": "7400"})
    assert status_category(ticket) == "open" and AlertIncident.objects.get().count == 2


NAGIOS_PROBLEM = {
    "NOTIFICATIONTYPE": "PROBLEM",
    "HOSTNAME": "web01",
    "SERVICEDESC": "HTTP",
    "SERVICESTATE": "CRITICAL",
    "SERVICEOUTPUT": "HTTP CRITICAL - Connection refused",
}


def test_nagios_problem_renotification_acknowledgement_and_recovery(client: Client) -> None:
    account = alert_account("nagios")

    processed(post_form(client, account, NAGIOS_PROBLEM))
    processed(post_form(client, account, NAGIOS_PROBLEM))  # notification_interval: again
    ack = post_form(client, account, {**NAGIOS_PROBLEM, "NOTIFICATIONTYPE": "ACKNOWLEDGEMENT"})
    assert ack.state == ChannelPayloadState.IGNORED
    recovery = {**NAGIOS_PROBLEM, "NOTIFICATIONTYPE": "RECOVERY", "SERVICESTATE": "OK"}
    processed(post_form(client, account, recovery))

    ticket = Ticket.objects.get()
    assert ticket.subject == "HTTP on web01 is CRITICAL" and ticket.priority.key == "urgent"
    assert AlertIncident.objects.get().count == 2
    assert [note.split(":")[0] for note in notes(ticket)] == ["Firing again", "Recovered"]
    assert status_category(ticket) == "solved"


def test_a_suspended_monitor_quarantines_its_alerts(client: Client) -> None:
    account = alert_account()
    post_json(client, account, notification(prometheus_alert("a1")))
    monitor = Identity.objects.get(channel="alert").user
    monitor.is_active = False
    monitor.save(update_fields=["is_active"])

    payload = post_json(client, account, notification(prometheus_alert("b2")))

    assert payload.state == ChannelPayloadState.QUARANTINED
    assert "suspended" in payload.reason
    assert Ticket.objects.count() == 1
