"""The minute sweep: fire the time-based rules that are due, each in its own transaction.

It reads only due rows through the partial index on ``TimedRuleDue.due_at`` (never a scan
of tickets), oldest first, at most ``BATCH`` a run; the next run takes the rest.
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from atiende.automation.actions import ActionContext, run_actions
from atiende.automation.models import TimedCondition, TimedRule, TimedRuleDue
from atiende.automation.timed import services
from atiende.automation.triggers.conditions import compile_conditions
from atiende.automation.triggers.engine import deeper
from atiende.automation.triggers.facts import Facts, Kind
from atiende.core.actor import Actor, Source
from atiende.core.errors import AtiendeError
from atiende.tickets import services as tickets
from atiende.tickets.errors import TicketNotFound

log = logging.getLogger(__name__)

BATCH = 500


def timed_actor(rule_id: int) -> Actor:
    return Actor(user=None, source=Source.RULE, detail=f"timed:{rule_id}")


def run_due(*, now: datetime | None = None, limit: int = BATCH) -> int:
    """Fire what is due at ``now``; return how many rules fired."""
    now = now or timezone.now()
    due_ids = list(
        TimedRuleDue.objects.filter(due_at__lte=now)
        .order_by("due_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(fire(due_id, now=now) for due_id in due_ids)


def _holds(rule: TimedRule, facts: Facts) -> bool:
    """The rule's state still holds (a change the subscribers missed is caught here)."""
    ticket = facts.ticket
    if rule.condition == TimedCondition.STATUS:
        return bool(ticket.status.category == rule.status_category)
    if rule.condition == TimedCondition.UNASSIGNED:
        return ticket.assignee_id is None
    return True


@transaction.atomic
def fire(due_id: int, *, now: datetime) -> bool:
    """Fire one due row if it is still due (another worker may have taken it)."""
    due = (
        TimedRuleDue.objects.select_for_update(of=("self",))
        .select_related("rule")
        .filter(pk=due_id, due_at__lte=now)
        .first()
    )
    if due is None:
        return False
    rule = due.rule
    facts = Facts(kind=Kind.TIMED, ticket_id=due.ticket_id, source=Source.SYSTEM, at=now)
    try:
        matched = rule.active and _holds(rule, facts)
        matched = matched and compile_conditions(rule.conditions or {}).matches(facts)
    except TicketNotFound:
        matched = False
    if not matched:
        TimedRuleDue.objects.filter(pk=due.pk).update(due_at=None)
        return False
    try:
        with tickets.savepoint(), deeper(1):
            run_actions(
                ActionContext(actor=timed_actor(rule.pk), depth=1), due.ticket_id, rule.actions
            )
    except AtiendeError as error:
        log.warning("time-based rule %s failed on ticket %s: %s", rule.pk, due.ticket_id, error)
    services.mark_fired(due, at=now)
    return True
