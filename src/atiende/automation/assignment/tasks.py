"""The scheduler's part in assignment: out-of-office starts and ends, and backlogs waiting
for an opening (a calendar that opens, an agent free again without an event)."""

from __future__ import annotations

from crontask import cron
from django.db.models import Q
from django.tasks import task
from django.utils import timezone

from atiende.accounts.selectors import periods_to_hand_over, periods_to_return
from atiende.accounts.services.availability import claim_hand_over, claim_return
from atiende.automation.assignment import engine
from atiende.automation.models import GroupAssignment, Strategy
from atiende.core.actor import Actor, Source
from atiende.tickets.workload import has_unassigned

OUT_OF_OFFICE = Actor(user=None, source=Source.RULE, detail="assignment:out-of-office")


@task
def hand_over_out_of_office() -> int:
    """Hand over the open tickets of agents whose out-of-office period has started (read by
    its indexed start, only periods not handled yet); return how many tickets moved."""
    now = timezone.now()
    moved = 0
    for period in periods_to_hand_over(now):
        if period.ends_at > now:  # a period already over (the scheduler was down) moves nothing
            moved += engine.hand_over(period.user_id)
        claim_hand_over(period_id=period.pk, now=now)
    for period in periods_to_return(now):
        claim_return(OUT_OF_OFFICE, period_id=period.pk, now=now)  # drains, after its commit
    return moved


@task
def drain_backlogs() -> int:
    """Drain every automatic group that has unassigned tickets (the tally says which)."""
    groups = GroupAssignment.objects.filter(~Q(strategy=Strategy.MANUAL)).values_list(
        "pk", flat=True
    )
    return engine.drain_groups([g for g in groups if has_unassigned(g)])


# Registered without decorator syntax: crontask is untyped and would erase the task's type.
cron("* * * * *")(hand_over_out_of_office)  # every minute
cron("* * * * *")(drain_backlogs)  # every minute
