"""Bulk actions: one change applied to many tickets, each through the one write path.

The workspace's selection and the API's ``POST /tickets/bulk`` both come here. Each ticket
goes through ``update_ticket`` / ``tag_ticket`` / ``merge_tickets`` (history, events and tallies
follow) inside its own ``atomic`` block: its own transaction when the caller holds none (so
locks are not held across hundreds of tickets), a savepoint otherwise. A ticket that fails is
rolled back whole and reported with its error's code and message; the others go on. Tickets
the caller cannot see are reported as not found, exactly like tickets that do not exist.

The change applies to each ticket's *current* state: versions are read when the action starts,
so a ticket changed since the page loaded is still updated, and only a change racing this very
action fails as stale.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from atiende.core.actor import Actor
from atiende.core.errors import AtiendeError, Invalid
from atiende.core.permissions import require_staff
from atiende.tickets.errors import TicketNotFound
from atiende.tickets.models import StatusCategory
from atiende.tickets.selectors import visible_tickets
from atiende.tickets.services import common
from atiende.tickets.services.merging import merge_tickets
from atiende.tickets.services.updates import tag_ticket, update_ticket

MAX_BULK_IDS = 500
ACTIONS = ("assign", "status", "priority", "tags", "merge", "close")
NOT_FOUND = gettext_lazy("Ticket not found.")  # the same words for missing and invisible


@dataclass(frozen=True)
class BulkChange:
    """What to do to every ticket; only the values the action needs are read.

    ``assign`` with ``assignee_id=None`` unassigns; ``merge`` moves each ticket into
    ``merge_target_id`` (which itself is left alone when selected).
    """

    action: str
    assignee_id: int | None = None
    status: str = ""
    priority: str = ""
    add_tags: tuple[str, ...] = ()
    remove_tags: tuple[str, ...] = ()
    merge_target_id: int | None = None


@dataclass(frozen=True)
class TicketResult:
    """How one ticket went. ``number`` is ``None`` for a ticket the caller cannot see."""

    ticket_id: int
    number: int | None
    ok: bool
    changed: bool = False
    code: str = ""
    message: str = ""


@dataclass(frozen=True)
class BulkResult:
    results: tuple[TicketResult, ...]

    @property
    def updated(self) -> list[TicketResult]:
        return [r for r in self.results if r.ok and r.changed]

    @property
    def unchanged(self) -> list[TicketResult]:
        return [r for r in self.results if r.ok and not r.changed]

    @property
    def failed(self) -> list[TicketResult]:
        return [r for r in self.results if not r.ok]


# One ticket's change: (id, version read at the start) → whether the ticket changed.
Operation = Callable[[int, int], bool]


def bulk_update(actor: Actor, *, ticket_ids: Sequence[int], change: BulkChange) -> BulkResult:
    """Apply ``change`` to each of ``ticket_ids`` (in the order given, duplicates once) and
    report every ticket. A request-wide mistake (no ids, too many, an unknown action, status,
    priority or merge target) raises ``Invalid`` before anything is written."""
    require_staff(actor)
    _check_ids(ticket_ids)
    return bulk_run(actor, ticket_ids=ticket_ids, operation=_operation(actor, change))


def _check_ids(ticket_ids: Sequence[int]) -> None:
    ids = list(dict.fromkeys(ticket_ids))
    if not ids:
        raise Invalid.field("ids", _("Select at least one ticket."))
    if len(ids) > MAX_BULK_IDS:
        raise Invalid.field(
            "ids",
            _("Select at most %(max)d tickets at a time (%(count)d were sent).")
            % {"max": MAX_BULK_IDS, "count": len(ids)},
        )


def bulk_run(actor: Actor, *, ticket_ids: Sequence[int], operation: Operation) -> BulkResult:
    """Run ``operation`` on each visible ticket of ``ticket_ids`` (its own atomic block each)
    and report every ticket; for bulk actions defined above tickets (applying a macro), whose
    caller checked its arguments once for all tickets."""
    require_staff(actor)
    _check_ids(ticket_ids)
    ids = list(dict.fromkeys(ticket_ids))
    apply = operation
    found = {
        pk: (number, version)
        for pk, number, version in visible_tickets(actor)
        .filter(pk__in=ids)
        .values_list("pk", "number", "version")
    }
    results = []
    for pk in ids:
        if pk not in found:
            results.append(
                TicketResult(pk, None, ok=False, code=TicketNotFound.code, message=str(NOT_FOUND))
            )
            continue
        number, version = found[pk]
        try:
            with transaction.atomic():
                changed = apply(pk, version)
        except AtiendeError as error:
            results.append(
                TicketResult(pk, number, ok=False, code=error.code, message=str(error.detail))
            )
            continue
        results.append(TicketResult(pk, number, ok=True, changed=changed))
    return BulkResult(tuple(results))


def _operation(actor: Actor, change: BulkChange) -> Operation:
    """The service call for one ticket, its arguments checked once for all tickets."""
    kind = change.action
    changes: dict[str, object]
    if kind == "assign":
        changes = {"assignee_id": change.assignee_id}
    elif kind in ("status", "close"):
        changes = {"status": _status_key(change)}
    elif kind == "priority":
        changes = {"priority": common.resolve_priority(change.priority).key}
    elif kind == "tags":
        _check_tags(change)
        return lambda pk, version: (
            tag_ticket(actor, ticket_id=pk, add=change.add_tags, remove=change.remove_tags).version
            != version
        )
    elif kind == "merge":
        return _merge_into(actor, change.merge_target_id)
    else:
        raise Invalid.field("action", _("Unknown action."))
    return lambda pk, version: (
        update_ticket(actor, ticket_id=pk, version=version, changes=changes).version != version
    )


def _merge_into(actor: Actor, target: int | None) -> Operation:
    if target is None or not visible_tickets(actor).filter(pk=target).exists():
        raise Invalid.field("merge_target_id", _("There is no ticket to merge into."))

    def merge(pk: int, version: int) -> bool:
        if pk == target:
            return False  # the target itself is among the selected: it stays as it is
        merge_tickets(actor, source_id=pk, target_id=target)
        return True

    return merge


def _check_tags(change: BulkChange) -> None:
    """The tag names, checked before any ticket is touched (no tag is created here)."""
    if not (change.add_tags or change.remove_tags):
        raise Invalid.field("add_tags", _("Enter tags to add or to remove."))
    for name in (*change.add_tags, *change.remove_tags):
        tag = common.normalize_tag(name)
        if not tag or len(tag) > common.MAX_TAG_LENGTH or "," in tag:
            raise Invalid.field(
                "add_tags",
                _("Tags must be 1 to %(max)d characters without commas.")
                % {"max": common.MAX_TAG_LENGTH},
            )


def _status_key(change: BulkChange) -> str:
    if change.action == "close":
        closed = common.first_status_in(StatusCategory.CLOSED)
        if closed is None:
            raise Invalid.field("action", _("No closed status is configured."))
        return closed.key
    return common.resolve_status(change.status).key
