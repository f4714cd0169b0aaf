"""The workspace's bulk form as a ``tickets.services.bulk`` call, and its result as text.

The use case (each ticket through the write path, per-ticket results) lives in the service;
this module only turns the form's words ("me", "nobody", a ticket *number*) into the service's
ids and the per-ticket results into a summary line.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from atiende.core.actor import Actor
from atiende.core.errors import Invalid
from atiende.tickets.saved_views import ME, UNASSIGNED
from atiende.tickets.selectors import visible_tickets
from atiende.tickets.services.bulk import BulkChange, BulkResult, TicketResult


def bulk_change(
    actor: Actor,
    *,
    action: str,
    assignee: str = "",
    status: str = "",
    priority: str = "",
    add_tags: Sequence[str] = (),
    remove_tags: Sequence[str] = (),
    merge_target: int | None = None,
) -> BulkChange:
    """The service's ``BulkChange`` for the form's values: "me"/"nobody" become ids, a merge
    target *number* becomes the id of a ticket the caller can see."""
    assignee_id: int | None = None
    if action == "assign":
        if assignee == ME:
            assignee_id = actor.user_id
        elif assignee != UNASSIGNED:
            assignee_id = int(assignee)
    target_id = None
    if action == "merge":
        target_id = (
            visible_tickets(actor).filter(number=merge_target).values_list("pk", flat=True).first()
            if merge_target is not None
            else None
        )
        if target_id is None:
            raise Invalid.field("merge_target", _("There is no ticket with this number."))
    return BulkChange(
        action=action,
        assignee_id=assignee_id,
        status=status,
        priority=priority,
        add_tags=tuple(add_tags),
        remove_tags=tuple(remove_tags),
        merge_target_id=target_id,
    )


@dataclass(frozen=True)
class Failure:
    label: str
    message: str


@dataclass(frozen=True)
class BulkSummary:
    """What the workspace shows after a bulk action."""

    result: BulkResult

    @property
    def failed(self) -> list[Failure]:
        return [Failure(_label(r), r.message) for r in self.result.failed]

    def summary(self) -> str:
        """E.g. “12 updated, 1 failed”."""
        updated, unchanged = len(self.result.updated), len(self.result.unchanged)
        failed = len(self.result.failed)
        parts = [ngettext("%(n)d updated", "%(n)d updated", updated) % {"n": updated}]
        if unchanged:
            parts.append(
                ngettext("%(n)d unchanged", "%(n)d unchanged", unchanged) % {"n": unchanged}
            )
        if failed:
            parts.append(ngettext("%(n)d failed", "%(n)d failed", failed) % {"n": failed})
        return ", ".join(parts)

    def details(self) -> str:
        """The summary and every failure on one line, for a flash message."""
        failures = "; ".join(f"{f.label}: {f.message}" for f in self.failed)
        return f"{self.summary()}: {failures}" if failures else self.summary()


def _label(result: TicketResult) -> str:
    """``#number`` for a ticket the caller sees; the id they sent for one they do not."""
    if result.number is None:
        return _("Ticket %(id)d") % {"id": result.ticket_id}
    return f"#{result.number}"
