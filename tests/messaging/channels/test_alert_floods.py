"""Alert floods (``services/alerts.py``): past the account's threshold of new tickets within its
window, new alerts are noted on one urgent flood ticket — every one of them, none dropped."""

from __future__ import annotations

import pytest
import time_machine
from django.test import Client

from atiende.messaging.channels.services.alert_settings import AlertSettings
from atiende.messaging.models import AlertIncident, AlertIncidentState, ChannelAccount
from atiende.tickets.models import Message, Ticket
from atiende.tickets.services import change_status
from tests.factories import SYSTEM
from tests.messaging.channels.alert_posts import (
    _tasks_run_at_once,
    alert_account,
    clock,
    notes,
    notification,
    post_json,
    processed,
    prometheus_alert,
    status_category,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]
__all__ = ["_tasks_run_at_once", "clock"]

FLOOD_SUBJECT = "Alert flood on Prometheus producción"


def keys_noted(ticket: Ticket) -> set[str]:
    return {
        line.removeprefix("Alert key: ")
        for note in notes(ticket)
        for line in note.splitlines()
        if line.startswith("Alert key: ")
    }


def flood_ticket() -> Ticket:
    return Ticket.objects.get(subject__startswith=FLOOD_SUBJECT)


def test_two_hundred_alerts_in_one_payload_are_twenty_tickets_and_one_flood_ticket(
    client: Client,
) -> None:
    account = alert_account()
    alerts = [prometheus_alert(f"host{n:03d}", severity="warning") for n in range(200)]

    payload = processed(post_json(client, account, notification(*alerts)))

    assert payload.reason == (
        "20 alerts opened tickets. 180 new alerts were noted on the flood ticket."
    )
    assert Ticket.objects.count() == 21
    flood = flood_ticket()
    assert flood.subject == f"{FLOOD_SUBJECT}: more than 20 new alerts in 5 minutes"
    assert flood.priority.key == "urgent"
    assert AlertIncident.objects.count() == 200
    flooded = AlertIncident.objects.filter(flooded=True)
    assert flooded.count() == 180 and set(flooded.values_list("ticket_id", flat=True)) == {flood.pk}
    # One note for the payload, naming every alert it folded.
    assert len(notes(flood)) == 1
    assert keys_noted(flood) == {f"alertmanager:host{n:03d}" for n in range(20, 200)}


def test_a_flood_over_several_payloads_shares_one_flood_ticket(
    client: Client, clock: time_machine.Coordinates
) -> None:
    account = alert_account()
    for batch in range(10):
        alerts = [prometheus_alert(f"h{batch}-{n}") for n in range(20)]
        processed(post_json(client, account, notification(*alerts)))
        clock.shift(10)

    assert Ticket.objects.count() == 21
    assert AlertIncident.objects.count() == 200
    flood = flood_ticket()
    assert len(notes(flood)) == 9  # one per payload after the first
    assert len(keys_noted(flood)) == 180
    # The same alerts sent again: still 21 tickets, nothing counted twice.
    again = post_json(client, account, notification(prometheus_alert("h9-0")))
    assert again.reason == "1 alert had already been recorded."
    assert Ticket.objects.count() == 21


def test_after_the_window_new_alerts_open_their_own_tickets_again(
    client: Client, clock: time_machine.Coordinates
) -> None:
    account = alert_account(flood_threshold="3", flood_window_minutes="10")
    post_json(client, account, notification(*[prometheus_alert(f"a{n}") for n in range(5)]))
    assert Ticket.objects.count() == 4  # 3 of their own, 1 flood ticket with 2 alerts

    clock.shift(9 * 60)
    post_json(client, account, notification(prometheus_alert("late")))
    assert AlertIncident.objects.get(key="alertmanager:late").flooded

    clock.shift(2 * 60)  # the first three are now older than the window
    post_json(client, account, notification(prometheus_alert("fresh")))
    fresh = AlertIncident.objects.get(key="alertmanager:fresh")
    assert not fresh.flooded and fresh.ticket.subject == "Probe failure: https://fresh.example.test"


def test_repeats_and_recoveries_of_flooded_alerts_are_noted_and_solve_it_at_the_end(
    client: Client,
) -> None:
    account = alert_account(flood_threshold="2")
    post_json(client, account, notification(*[prometheus_alert(f"a{n}") for n in range(4)]))
    flood = flood_ticket()
    assert AlertIncident.objects.filter(ticket=flood).count() == 2

    post_json(client, account, notification(prometheus_alert("a2", starts="2026-02-06T13:01Z")))
    post_json(
        client,
        account,
        notification(prometheus_alert("a2", status="resolved", starts="2026-02-06T13:01Z")),
    )
    assert status_category(flood) == "new"  # a3 still fires

    post_json(client, account, notification(prometheus_alert("a3", status="resolved")))
    assert status_category(flood) == "solved"
    assert [note.split(":")[0] for note in notes(flood)] == [
        "New alert",
        "Firing again",
        "Recovered",
        "Recovered",
    ]


def test_a_closed_flood_ticket_is_not_reused(client: Client) -> None:
    account = alert_account(flood_threshold="1")
    post_json(client, account, notification(prometheus_alert("a0"), prometheus_alert("a1")))
    first = flood_ticket()
    change_status(SYSTEM, ticket_id=first.pk, status="closed")

    post_json(client, account, notification(prometheus_alert("a2")))

    second = Ticket.objects.filter(subject__startswith=FLOOD_SUBJECT).exclude(pk=first.pk).get()
    assert AlertIncident.objects.get(key="alertmanager:a2").ticket_id == second.pk
    # a1's ticket was closed: its incident ends at its next firing, noted on today's flood.
    post_json(client, account, notification(prometheus_alert("a1", starts="2026-02-06T15:00Z")))
    ended, live = AlertIncident.objects.filter(key="alertmanager:a1").order_by("pk")
    assert (ended.ticket_id, ended.state) == (first.pk, AlertIncidentState.ENDED)
    assert (live.ticket_id, live.state) == (second.pk, AlertIncidentState.FIRING)


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({}, AlertSettings()),
        (
            {"solve_on_recovery": "No", "flood_threshold": "50", "flood_window_minutes": "15"},
            AlertSettings(solve_on_recovery=False, flood_threshold=50, flood_window_minutes=15),
        ),
        ({"flood_threshold": "many", "flood_window_minutes": "0"}, AlertSettings()),
        ({"solve_on_recovery": "yes", "flood_threshold": "-3"}, AlertSettings()),
    ],
)
def test_the_account_settings_fall_back_to_the_defaults(
    values: dict[str, str], expected: AlertSettings
) -> None:
    account = ChannelAccount(provider="alertmanager", settings=values)
    assert AlertSettings.of(account) == expected


def test_a_flood_never_drops_an_alert_text(client: Client) -> None:
    account = alert_account(flood_threshold="1")
    post_json(client, account, notification(prometheus_alert("a0"), prometheus_alert("a1")))

    (note,) = notes(flood_ticket())
    assert "https://a1.example.test has been down for over 5m." in note
    assert Message.objects.filter(ticket=flood_ticket(), public=True).count() == 1
