"""Nightly care of the tickets app, scheduled by ``atiende scheduler``, run by the worker."""

from __future__ import annotations

import logging

from crontask import cron
from django.tasks import task

from atiende.tickets import tally

logger = logging.getLogger(__name__)


@task
def reconcile_tallies() -> int:
    """Correct every ``TicketTally`` row that disagrees with a recount; return how many.

    The services move the tallies with every change, so a drift means a write went around
    them (a bulk import, a manual SQL fix, a bug): each is logged with both counts, to be seen.
    """
    drifts = tally.reconcile()
    for drift in drifts:
        status_id, group_key, assignee_key = drift.key
        logger.warning(
            "ticket tally drifted: status %d, group %d, assignee %d counted %d, true count %d",
            status_id,
            group_key,
            assignee_key,
            drift.kept,
            drift.true,
        )
    return len(drifts)


# Registered without decorator syntax: crontask is untyped and would erase the task's type.
cron("37 3 * * *")(reconcile_tallies)  # nightly, before the planner statistics (03:43)
