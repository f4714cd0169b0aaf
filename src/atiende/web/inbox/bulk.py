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

from atiende.automation.macros.selectors import available_macros
from atiende.core.actor import Actor
from atiende.core.errors import Invalid
from atiende.tickets.models import StatusCategory
from atiende.tickets.saved_views import ME, UNASSIGNED
from atiende.tickets.selectors import visible_tickets
from atiende.tickets.services import common
from atiende.tickets.services.bulk import BulkChange, BulkResult, TicketResult


def bulk_macros(actor: Actor) -> list[tuple[int, str]]:
    """The macros the agent may apply to several tickets: those with actions (their text is
    not sent in bulk)."""
    found = available_macros(actor).values_list("pk", "name", "actions")
    return [(pk, name) for pk, name, actions in found if actions]


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


# The actions that ask first: both close tickets, and a merge cannot be undone.
CONFIRMED_ACTIONS = ("close", "merge")


@dataclass(frozen=True)
class Confirmation:
    """What the workspace asks before a bulk close or merge: how many tickets, what happens."""

    action: str
    count: int
    question: str
    consequence: str


def confirmation(actor: Actor, change: BulkChange, *, count: int) -> Confirmation:
    """The question for ``change`` applied to ``count`` selected tickets."""
    if change.action == "merge" and change.merge_target_id is not None:
        number, subject = (
            visible_tickets(actor)
            .filter(pk=change.merge_target_id)
            .values_list("number", "subject")
            .get()
        )
        question = ngettext(
            "Merge %(count)d ticket into #%(number)d “%(subject)s”?",
            "Merge %(count)d tickets into #%(number)d “%(subject)s”?",
            count,
        ) % {"count": count, "number": number, "subject": subject}
        consequence = _(
            "Their messages and followers move to #%(number)d and they are closed. "
            "A merge cannot be undone."
        ) % {"number": number}
    else:
        closed = common.first_status_in(StatusCategory.CLOSED)
        question = ngettext("Close %(count)d ticket?", "Close %(count)d tickets?", count) % {
            "count": count
        }
        consequence = _(
            "Each one is set to “%(status)s”. Tickets already closed are left as they are."
        ) % {"status": closed.name if closed is not None else _("Closed")}
    return Confirmation(change.action, count, question, consequence)


def is_confirmed(action: str, *, confirmed: str, count: int) -> bool:
    """Whether the caller confirmed this very action on this many tickets (a confirmation for
    another selection asks again)."""
    return action not in CONFIRMED_ACTIONS or confirmed == f"{action}:{count}"


@dataclass(frozen=True)
class Failure:
    label: str
    message: str


@dataclass(frozen=True)
class BulkSummary:
    """What the workspace shows after a bulk action: what was done and what was skipped, why."""

    result: BulkResult
    action: str = ""
    target_number: int | None = None

    @property
    def failed(self) -> list[Failure]:
        return [Failure(_label(r), r.message) for r in self.result.failed]

    @property
    def skipped(self) -> list[Failure]:
        """Every ticket left as it was, with the reason: unchanged ones, then failures."""
        left = [Failure(_label(r), self._unchanged_reason(r)) for r in self.result.unchanged]
        return [*left, *self.failed]

    def _unchanged_reason(self, result: TicketResult) -> str:
        if self.action == "close":
            return _("already closed")
        if self.action == "merge":
            return _("it is the ticket the others were merged into")
        return _("already as asked")

    def summary(self) -> str:
        """E.g. “12 updated, 1 failed”, or “3 tickets closed, 1 skipped”."""
        updated, unchanged = len(self.result.updated), len(self.result.unchanged)
        failed = len(self.result.failed)
        if self.action in CONFIRMED_ACTIONS:
            if self.action == "close":
                done = ngettext("%(n)d ticket closed", "%(n)d tickets closed", updated) % {
                    "n": updated
                }
            else:
                done = ngettext(
                    "%(n)d ticket merged into #%(number)d",
                    "%(n)d tickets merged into #%(number)d",
                    updated,
                ) % {"n": updated, "number": self.target_number or 0}
            skipped = unchanged + failed
            if not skipped:
                return done
            return f"{done}, " + ngettext("%(n)d skipped", "%(n)d skipped", skipped) % {
                "n": skipped
            }
        parts = [ngettext("%(n)d updated", "%(n)d updated", updated) % {"n": updated}]
        if unchanged:
            parts.append(
                ngettext("%(n)d unchanged", "%(n)d unchanged", unchanged) % {"n": unchanged}
            )
        if failed:
            parts.append(ngettext("%(n)d failed", "%(n)d failed", failed) % {"n": failed})
        return ", ".join(parts)

    def details(self) -> str:
        """The summary and every skipped ticket with its reason on one line, for a flash
        message."""
        shown = self.skipped if self.action in CONFIRMED_ACTIONS else self.failed
        reasons = "; ".join(f"{f.label}: {f.message}" for f in shown)
        return f"{self.summary()}: {reasons}" if reasons else self.summary()

    @property
    def listed(self) -> list[Failure]:
        """The tickets the result panel lists under the summary."""
        return self.skipped if self.action in CONFIRMED_ACTIONS else self.failed


def target_number(actor: Actor, change: BulkChange) -> int | None:
    """The merge target's number, for the summary."""
    if change.merge_target_id is None:
        return None
    return (
        visible_tickets(actor)
        .filter(pk=change.merge_target_id)
        .values_list("number", flat=True)
        .first()
    )


def _label(result: TicketResult) -> str:
    """``#number`` for a ticket the caller sees; the id they sent for one they do not."""
    if result.number is None:
        return _("Ticket %(id)d") % {"id": result.ticket_id}
    return f"#{result.number}"
