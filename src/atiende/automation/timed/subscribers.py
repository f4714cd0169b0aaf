"""Start and end the episodes of time-based rules from ticket events, in their transaction.

Only transitions count: a status change into the rule's category starts an episode and one
out of it ends it; an assignee removed starts "unassigned", one set ends it; a public reply
from the team starts "no customer reply" and the customer's next message ends it. The values
come from the event itself (``TicketUpdated.changes``), not from the database.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from atiende.automation.models import TimedCondition, TimedRule
from atiende.automation.timed import cache, services
from atiende.automation.triggers.conditions import plain
from atiende.core.event_types import MessageAdded, TicketCreated, TicketUpdated
from atiende.core.events import subscribe
from atiende.tickets import config_cache
from atiende.tickets.models import Direction, StatusCategory

ENDED = (StatusCategory.SOLVED, StatusCategory.CLOSED, StatusCategory.CANCELLED)


def _category(status: Any) -> str | None:
    """The category of a status given by id (``TicketCreated``) or as its audit snapshot."""
    value = plain(status)
    for known in config_cache.snapshot().statuses:
        if known.pk == value or known.key == value:
            return str(known.category)
    return None


def _rules(condition: str) -> list[TimedRule]:
    return [r for r in cache.active_rules() if r.condition == condition]


@subscribe(TicketCreated, in_transaction=True)
def on_created(event: TicketCreated) -> None:
    rules = cache.active_rules()
    if not rules:
        return
    now = timezone.now()
    category = _category(event.status_id)
    for rule in rules:
        starts = (rule.condition == TimedCondition.STATUS and rule.status_category == category) or (
            rule.condition == TimedCondition.UNASSIGNED and event.assignee_id is None
        )
        if starts:
            services.start_episode(rule, ticket_id=event.ticket_id, at=now)


@subscribe(TicketUpdated, in_transaction=True)
def on_updated(event: TicketUpdated) -> None:
    if not cache.active_rules():
        return
    now = timezone.now()
    for change in event.changes:
        if change.field == "status":
            old, new = _category(change.old), _category(change.new)
            for rule in _rules(TimedCondition.STATUS):
                if new == rule.status_category != old:
                    services.start_episode(rule, ticket_id=event.ticket_id, at=now)
                elif old == rule.status_category != new:
                    services.end_episode(rule, ticket_id=event.ticket_id)
            if new in ENDED:
                for rule in _rules(TimedCondition.UNASSIGNED):
                    services.end_episode(rule, ticket_id=event.ticket_id)
        elif change.field == "assignee":
            for rule in _rules(TimedCondition.UNASSIGNED):
                if change.new is None:
                    services.start_episode(rule, ticket_id=event.ticket_id, at=now)
                elif change.old is None:
                    services.end_episode(rule, ticket_id=event.ticket_id)


@subscribe(MessageAdded, in_transaction=True)
def on_message(event: MessageAdded) -> None:
    rules = _rules(TimedCondition.NO_CUSTOMER_REPLY)
    if not rules or not event.public:
        return
    now = timezone.now()
    for rule in rules:
        if event.direction == Direction.OUTBOUND:
            services.start_episode(rule, ticket_id=event.ticket_id, at=now)
        else:
            services.end_episode(rule, ticket_id=event.ticket_id)
