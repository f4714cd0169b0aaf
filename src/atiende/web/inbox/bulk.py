"""Bulk actions on the inbox's selected tickets: one service call per ticket.

Bulk actions apply to each ticket's *current* state: the version is read when the action runs
(not when the page was rendered), so a ticket changed since the page loaded is still updated,
and only a change racing this very action fails as stale. Each ticket is its own transaction;
a ticket that fails (out of scope, an invalid status transition, an assignee outside its
group…) is reported and the others go on.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from atiende.core.actor import Actor
from atiende.core.errors import AtiendeError, Invalid
from atiende.tickets import services
from atiende.tickets.models import StatusCategory, Ticket
from atiende.tickets.saved_views import ME, UNASSIGNED
from atiende.tickets.selectors import visible_tickets
from atiende.tickets.services.common import first_status_in


@dataclass(frozen=True)
class Failure:
    label: str
    message: str


@dataclass
class BulkResult:
    updated: list[int] = field(default_factory=list)
    unchanged: list[int] = field(default_factory=list)
    failed: list[Failure] = field(default_factory=list)

    def summary(self) -> str:
        """E.g. “12 updated, 1 failed”."""
        parts = [
            ngettext("%(n)d updated", "%(n)d updated", len(self.updated)) % {"n": len(self.updated)}
        ]
        if self.unchanged:
            parts.append(
                ngettext("%(n)d unchanged", "%(n)d unchanged", len(self.unchanged))
                % {"n": len(self.unchanged)}
            )
        if self.failed:
            parts.append(
                ngettext("%(n)d failed", "%(n)d failed", len(self.failed)) % {"n": len(self.failed)}
            )
        return ", ".join(parts)

    def details(self) -> str:
        """The summary and every failure on one line, for a flash message."""
        failures = "; ".join(f"{f.label}: {f.message}" for f in self.failed)
        return f"{self.summary()}: {failures}" if failures else self.summary()


@dataclass(frozen=True)
class BulkAction:
    """What to do; only the value the action needs is read."""

    action: str
    assignee: str = ""
    status: str = ""
    priority: str = ""
    add_tags: Sequence[str] = ()
    remove_tags: Sequence[str] = ()
    merge_target: int | None = None


def run_bulk(actor: Actor, *, ticket_ids: Sequence[int], action: BulkAction) -> BulkResult:
    """Apply ``action`` to each visible ticket of ``ticket_ids`` and report how each went."""
    result = BulkResult()
    rows = {
        pk: (number, version)
        for pk, number, version in visible_tickets(actor)
        .filter(pk__in=ticket_ids)
        .values_list("pk", "number", "version")
    }
    apply = _operation(actor, action)
    for pk in ticket_ids:
        if pk not in rows:
            result.failed.append(Failure(_("Ticket %(id)d") % {"id": pk}, _("Ticket not found.")))
            continue
        number, version = rows[pk]
        try:
            ticket = apply(pk, version)
        except AtiendeError as error:
            result.failed.append(Failure(f"#{number}", str(error.detail)))
            continue
        if ticket is None or ticket.version == version:
            result.unchanged.append(number)
        else:
            result.updated.append(number)
    return result


Operation = Callable[[int, int], Ticket | None]


def _operation(actor: Actor, action: BulkAction) -> Operation:
    """The service call for one ticket (id, version read now); ``None``: nothing to do."""
    kind = action.action
    if kind == "assign":
        assignee_id: int | None
        if action.assignee == ME:
            assignee_id = actor.user_id
        elif action.assignee == UNASSIGNED:
            assignee_id = None
        else:
            assignee_id = int(action.assignee)
        return lambda pk, version: services.assign_ticket(
            actor, ticket_id=pk, assignee_id=assignee_id, version=version
        )
    if kind in ("status", "close"):
        status = action.status
        if kind == "close":
            closed = first_status_in(StatusCategory.CLOSED)
            if closed is None:
                raise Invalid.field("action", _("No closed status is configured."))
            status = closed.key
        return lambda pk, version: services.change_status(
            actor, ticket_id=pk, status=status, version=version
        )
    if kind == "priority":
        return lambda pk, version: services.update_ticket(
            actor, ticket_id=pk, version=version, changes={"priority": action.priority}
        )
    if kind == "tags":
        return lambda pk, version: services.tag_ticket(
            actor, ticket_id=pk, add=action.add_tags, remove=action.remove_tags
        )
    if kind == "merge":
        if action.merge_target is None:
            raise Invalid.field("merge_target", _("Enter the number of the ticket to merge into."))
        target = (
            visible_tickets(actor)
            .filter(number=action.merge_target)
            .values_list("pk", flat=True)
            .first()
        )
        if target is None:
            raise Invalid.field("merge_target", _("There is no ticket with this number."))

        def merge(pk: int, version: int) -> Ticket | None:
            if pk == target:
                return None  # the target itself is among the selected: it stays as it is
            services.merge_tickets(actor, source_id=pk, target_id=target)
            return visible_tickets(actor).get(pk=pk)

        return merge
    raise Invalid.field("action", _("Unknown action."))
