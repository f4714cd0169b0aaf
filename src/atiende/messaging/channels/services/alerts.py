"""Monitoring alerts become tickets (issue 16, part 6), inside the payload's transaction.

A firing alert opens a ticket in the account's group, its priority mapped from the monitor's
severity and the monitor itself (one customer per alert account, known by an identity on the
"alert" channel) as the requester. The ``AlertIncident`` row ties the alert's key to that
ticket, so that:

- the same key firing again while the ticket is open is an internal note ("firing again",
  with the count) on it — a solved ticket is reopened, a closed one ends the incident and the
  next firing opens a new ticket;
- the same firing delivered again (the monitor's id of it, ``occurrence``, already recorded)
  changes nothing;
- a recovery notes it and, when the account's ``solve_on_recovery`` setting allows (it does by
  default), solves the ticket once no alert on it is still firing; a recovery of a key with no
  live incident changes nothing and says so in the payload's reason;
- more than ``flood_threshold`` (20) new tickets within ``flood_window_minutes`` (5) on one
  account: the further new alerts are noted, all of them, on ONE urgent flood ticket.

The notes a payload adds to one ticket are gathered into one note (a flood payload of 200
alerts is one note, not 180). Alert processing on one account is serialised by locking the
account's row: the flood count and the one-live-incident-per-key rule hold under concurrency.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from django.utils import timezone

from atiende.accounts.models import IdentityChannel, User
from atiende.accounts.services import find_or_create_customer_by_identity
from atiende.core.actor import Actor
from atiende.core.errors import AtiendeError
from atiende.messaging.channels.contract import AlertEvent, AlertState
from atiende.messaging.channels.providers.alerts import severity_priority
from atiende.messaging.channels.services import alert_texts as texts
from atiende.messaging.channels.services.alert_settings import AlertReport, AlertSettings
from atiende.messaging.channels.services.reasons import describe
from atiende.messaging.models import AlertIncident, AlertIncidentState, ChannelAccount
from atiende.tickets import config_cache
from atiende.tickets import services as tickets
from atiende.tickets.models import Channel, StatusCategory
from atiende.tickets.selectors import ticket_for_rules
from atiende.tickets.services.common import first_status_in

CLOSED = (StatusCategory.CLOSED, StatusCategory.CANCELLED)
MAX_MERGE_HOPS = 10
MAX_OCCURRENCE = 64


def write_alerts(actor: Actor, account: ChannelAccount, events: list[AlertEvent]) -> AlertReport:
    """Turn one payload's alerts into tickets, notes and status changes (see the module)."""
    ChannelAccount.objects.select_for_update().filter(pk=account.pk).values_list("pk").first()
    run = _Run(actor, account, AlertSettings.of(account))
    for event in events:
        run.apply(event)
    run.finish()
    return run.report


def occurrence_of(event: AlertEvent) -> str:
    """The monitor's id of this firing, when it gives one: Zabbix's problem event id (also on
    the recovery), else when the firing started (Alertmanager's ``startsAt``)."""
    value = ""
    if event.source == "zabbix":
        value = event.labels.get("event_id", "")
    elif event.started_at is not None:
        value = event.started_at.isoformat()
    if len(value) > MAX_OCCURRENCE:
        value = hashlib.sha256(value.encode()).hexdigest()
    return value


def priority_key(wanted: str) -> str | None:
    """``wanted`` if the desk has that priority, else ``None`` (the default priority)."""
    return wanted if any(p.key == wanted for p in config_cache.priorities()) else None


class _Run:
    """One payload's alerts on one account; notes and status changes wait for ``finish``."""

    def __init__(self, actor: Actor, account: ChannelAccount, settings: AlertSettings) -> None:
        self.actor = actor
        self.account = account
        self.settings = settings
        self.report = AlertReport()
        self.notes: dict[int, list[str]] = {}
        self.recovered: set[int] = set()
        self.refired: set[int] = set()
        self.priorities: dict[int, list[str]] = {}  # the severities each ticket's repeats had
        self._monitor: User | None = None
        self._flood_ticket: int | None = None

    # --- each alert --------------------------------------------------------------------------

    def apply(self, event: AlertEvent) -> None:
        incident = self._live_incident(event.key)
        if event.state == AlertState.RESOLVED:
            self._recover(event, incident)
        else:
            self._fire(event, incident)

    def _fire(self, event: AlertEvent, incident: AlertIncident | None) -> None:
        occurrence = occurrence_of(event)
        if incident is None:
            self._open(event, occurrence)
            return
        if occurrence and occurrence == incident.occurrence:
            self.report.repeated += 1  # delivered again, or late after its own recovery
            return
        now = timezone.now()
        incident.count += 1
        incident.state = AlertIncidentState.FIRING
        incident.occurrence = occurrence
        incident.title = texts.subject(event)
        incident.last_at = now
        incident.resolved_at = None
        incident.save(
            update_fields=["count", "state", "occurrence", "title", "last_at", "resolved_at"]
        )
        self.report.folded += 1
        self._note(
            incident.ticket_id, texts.fired_again_note(event, incident.count, incident.first_at)
        )
        self.refired.add(incident.ticket_id)
        if not incident.flooded:
            wanted = severity_priority(event.source, event.severity)
            self.priorities.setdefault(incident.ticket_id, []).append(wanted)

    def _open(self, event: AlertEvent, occurrence: str) -> None:
        now = timezone.now()
        flooding = self._flooding(now)
        priority = severity_priority(event.source, event.severity)
        if flooding:
            ticket_id = self._flood_ticket_id()
            self._note(ticket_id, texts.flooded_note(self.account, event, priority))
            self.refired.add(ticket_id)
            self.report.flooded += 1
        else:
            ticket = tickets.open_ticket(
                self.actor,
                subject=texts.subject(event),
                body=texts.opening_body(self.account, event),
                requester=self._requester(),
                channel=Channel.ALERT,
                priority=priority_key(priority),
                group_id=self.account.group_id,
            )
            ticket_id = ticket.pk
            self.report.opened += 1
        AlertIncident.objects.create(
            account=self.account,
            key=event.key,
            ticket_id=ticket_id,
            state=AlertIncidentState.FIRING,
            flooded=flooding,
            title=texts.subject(event),
            occurrence=occurrence,
            first_at=now,
            last_at=now,
        )

    def _recover(self, event: AlertEvent, incident: AlertIncident | None) -> None:
        if incident is None:
            self.report.unknown.append(event.key)
            return
        occurrence = occurrence_of(event)
        stale = occurrence and incident.occurrence and occurrence != incident.occurrence
        if incident.state == AlertIncidentState.RESOLVED or stale:
            self.report.repeated += 1  # delivered again, or the end of an earlier firing
            return
        incident.state = AlertIncidentState.RESOLVED
        incident.resolved_at = event.ended_at or timezone.now()
        incident.save(update_fields=["state", "resolved_at"])
        self.report.recovered += 1
        self._note(
            incident.ticket_id,
            texts.recovered_note(event, solving=self.settings.solve_on_recovery),
        )
        self.recovered.add(incident.ticket_id)

    # --- finding and opening -----------------------------------------------------------------

    def _live_incident(self, key: str) -> AlertIncident | None:
        """The key's incident if its ticket (or the one it was merged into) is still open; an
        incident whose ticket is closed ends here."""
        incident = (
            AlertIncident.objects.filter(account=self.account, key=key)
            .exclude(state=AlertIncidentState.ENDED)
            .first()
        )
        if incident is None:
            return None
        ticket_id = _open_ticket_after_merges(incident.ticket_id)
        if ticket_id is None:
            incident.state = AlertIncidentState.ENDED
            incident.save(update_fields=["state"])
            return None
        if ticket_id != incident.ticket_id:
            incident.ticket_id = ticket_id
            incident.save(update_fields=["ticket"])
        return incident

    def _flooding(self, now: datetime) -> bool:
        since = now - timedelta(minutes=self.settings.flood_window_minutes)
        opened = AlertIncident.objects.filter(
            account=self.account, flooded=False, first_at__gt=since
        ).count()
        return opened >= self.settings.flood_threshold

    def _flood_ticket_id(self) -> int:
        """The account's open flood ticket, else a new one (urgent)."""
        if self._flood_ticket is not None:
            return self._flood_ticket
        newest = (
            AlertIncident.objects.filter(account=self.account, flooded=True)
            .exclude(state=AlertIncidentState.ENDED)
            .order_by("-id")
            .values_list("ticket_id", flat=True)
            .first()
        )
        found = _open_ticket_after_merges(newest) if newest is not None else None
        if found is None:
            threshold = self.settings.flood_threshold
            minutes = self.settings.flood_window_minutes
            ticket = tickets.open_ticket(
                self.actor,
                subject=texts.flood_subject(self.account, threshold, minutes),
                body=texts.flood_body(self.account, threshold, minutes),
                requester=self._requester(),
                channel=Channel.ALERT,
                priority=priority_key("urgent"),
                group_id=self.account.group_id,
            )
            found = ticket.pk
        self._flood_ticket = found
        return found

    def _requester(self) -> User:
        """The monitor behind the account: one customer per alert account."""
        if self._monitor is None:
            self._monitor = find_or_create_customer_by_identity(
                self.actor,
                channel=IdentityChannel.ALERT,
                address=f"{self.account.provider}-{self.account.pk}",
                name=texts.monitor_name(self.account)[:150],
                field="account",
            )
        return self._monitor

    def _note(self, ticket_id: int, entry: str) -> None:
        self.notes.setdefault(ticket_id, []).append(entry)

    # --- after every alert of the payload ----------------------------------------------------

    def finish(self) -> None:
        for ticket_id, entries in self.notes.items():
            for body in texts.notes_of(entries):
                tickets.add_message(
                    self.actor, ticket_id=ticket_id, body=body, public=False, channel=Channel.ALERT
                )
        for ticket_id, wanted in self.priorities.items():
            self._raise_priority(ticket_id, wanted)
        for ticket_id in sorted(self.recovered | self.refired):
            self._settle(ticket_id)

    def _raise_priority(self, ticket_id: int, wanted: list[str]) -> None:
        """A repeat at a worse severity raises the ticket's priority; never lowers it."""
        orders = {p.key: p.order for p in config_cache.priorities()}
        known = [key for key in wanted if key in orders]
        ticket = ticket_for_rules(ticket_id)
        current = ticket.priority.key if ticket is not None else None
        if not known or current is None:
            return
        key = max(known, key=lambda name: orders[name])
        if orders[key] <= orders.get(current, 0):
            return
        tickets.update_ticket(
            self.actor, ticket_id=ticket_id, version=None, changes={"priority": key}
        )

    def _settle(self, ticket_id: int) -> None:
        """Solve a ticket none of whose alerts still fires (if the account says so); reopen a
        solved ticket whose alert fired again."""
        ticket = ticket_for_rules(ticket_id)
        category = ticket.status.category if ticket is not None else None
        firing = AlertIncident.objects.filter(
            ticket_id=ticket_id, state=AlertIncidentState.FIRING
        ).exists()
        target = None
        if firing and ticket_id in self.refired and category == StatusCategory.SOLVED:
            target = first_status_in(StatusCategory.OPEN)
        elif (
            not firing
            and ticket_id in self.recovered
            and self.settings.solve_on_recovery
            and category not in (StatusCategory.SOLVED, *CLOSED)
        ):
            target = first_status_in(StatusCategory.SOLVED)
        if target is None:
            return
        try:
            tickets.change_status(self.actor, ticket_id=ticket_id, status=target.key)
        except AtiendeError as error:  # the workflow refuses it: say so, lose nothing
            tickets.add_message(
                self.actor,
                ticket_id=ticket_id,
                body=texts.status_refused_note(target.name, describe(error)),
                public=False,
                channel=Channel.ALERT,
            )


def _open_ticket_after_merges(ticket_id: int) -> int | None:
    """``ticket_id``, or the ticket it was merged into (and so on); ``None`` once closed."""
    for _hop in range(MAX_MERGE_HOPS):
        ticket = ticket_for_rules(ticket_id)
        if ticket is None:
            return None
        merged_into, category = ticket.merged_into_id, ticket.status.category
        if merged_into is None:
            return None if category in CLOSED else ticket_id
        ticket_id = merged_into
    return None
