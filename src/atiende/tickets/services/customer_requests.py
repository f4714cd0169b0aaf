"""What a customer may do to their own request: reply, mark it solved, reopen it for a while.

The portal (and any door a customer uses) calls these. Staff change status through
``update_ticket``; a customer may only move their request between "needs work" and "solved":

- ``solve_own_ticket``: the requester says the request needs nothing more (status: the first
  active status of the *solved* category). Solving starts the reopen window.
- ``reopen_own_ticket``: within ``ATIENDE_PORTAL_REOPEN_DAYS`` of solving, the requester puts it
  back to work (first *open* status). Later, or once closed, they open a new request instead.
- ``reply_as_customer``: a public reply through ``reply``; on a solved request it reopens it
  (``add_message`` does), so it obeys the same window. A closed request refuses replies
  (``TicketClosed``, from ``add_message``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from atiende.core.actor import Actor
from atiende.core.errors import Forbidden
from atiende.core.events import publish
from atiende.tickets import audit, store, tally
from atiende.tickets.errors import StaleVersion, TicketClosed
from atiende.tickets.locks import lock_visible_ticket
from atiende.tickets.models import Message, StatusCategory, Ticket
from atiende.tickets.services import announce, common
from atiende.tickets.services.replying import reply

DEFAULT_REOPEN_DAYS = 14


class ReopenWindowPassed(TicketClosed):
    code = "reopen_window_passed"


def reopen_days() -> int:
    """How many days after solving a customer may reopen (``ATIENDE_PORTAL_REOPEN_DAYS``)."""
    return int(getattr(settings, "ATIENDE_PORTAL_REOPEN_DAYS", DEFAULT_REOPEN_DAYS))


def can_reopen(ticket: Ticket) -> bool:
    """Whether a solved ``ticket`` is still within the reopen window (no query)."""
    if ticket.status.category != StatusCategory.SOLVED:
        return False
    solved = ticket.solved_at or ticket.updated_at
    return timezone.now() <= solved + timedelta(days=reopen_days())


def _check_requester(actor: Actor, ticket: Ticket) -> None:
    user = actor.user
    if user is None or user.is_agent or ticket.requester_id != user.pk:
        raise Forbidden(_("Only the person who opened this request can do that."))


def _check_version(ticket: Ticket, version: int | None) -> None:
    if version is not None and version != ticket.version:
        raise StaleVersion(
            _("The request changed while you were reading it; here it is as it is now."),
            extra={"ticket": ticket},
        )


def _check_window(ticket: Ticket) -> None:
    if ticket.status.category == StatusCategory.SOLVED and not can_reopen(ticket):
        raise ReopenWindowPassed(
            _(
                "This request was solved more than %(days)d days ago and can no longer be "
                "reopened; please open a new request."
            )
            % {"days": reopen_days()}
        )


@transaction.atomic
@tally.deferred()
def _move(actor: Actor, ticket: Ticket, category: StatusCategory) -> Ticket:
    status = common.first_status_in(category)
    if status is None:
        raise RuntimeError(f"no active {category} status is configured")
    common.check_transition(ticket.status, status)  # the workflow admins set holds for all
    was = tally.key_of(ticket)
    event = audit.event(ticket, actor, "updated", field="status", old=ticket.status, new=status)
    now = timezone.now()
    fields = ["status", "version", "updated_at"]
    if category == StatusCategory.SOLVED:
        ticket.solved_at = now
    else:
        ticket.solved_at = None
    fields.append("solved_at")
    ticket.status = status
    ticket.version += 1
    store.write_ticket(ticket, fields)
    tally.follow(ticket, was)
    audit.record([event])
    publish(announce.ticket_updated(actor, ticket.pk, [event]))
    return ticket


@transaction.atomic
def solve_own_ticket(actor: Actor, *, ticket_id: int, version: int | None) -> Ticket:
    """The requester marks their request solved (from any status still needing work)."""
    ticket = lock_visible_ticket(actor, ticket_id)
    _check_requester(actor, ticket)
    _check_version(ticket, version)
    category = ticket.status.category
    if category in (StatusCategory.CLOSED, StatusCategory.CANCELLED):
        raise TicketClosed(_("This request is already closed."))
    if category == StatusCategory.SOLVED:
        return ticket
    return _move(actor, ticket, StatusCategory.SOLVED)


@transaction.atomic
def reopen_own_ticket(actor: Actor, *, ticket_id: int, version: int | None) -> Ticket:
    """The requester reopens their solved request, within the window after solving."""
    ticket = lock_visible_ticket(actor, ticket_id)
    _check_requester(actor, ticket)
    _check_version(ticket, version)
    category = ticket.status.category
    if category in (StatusCategory.CLOSED, StatusCategory.CANCELLED):
        raise TicketClosed(_("This request is closed; please open a new request."))
    if category != StatusCategory.SOLVED:
        return ticket
    _check_window(ticket)
    return _move(actor, ticket, StatusCategory.OPEN)


@transaction.atomic
def reply_as_customer(
    actor: Actor,
    *,
    ticket_id: int,
    body: str,
    attachment_ids: Sequence[int] = (),
    version: int | None = None,
) -> Message:
    """A customer's public reply (``reply``); a solved request reopens only within the window."""
    ticket = lock_visible_ticket(actor, ticket_id)
    user = actor.user
    if user is None or user.is_agent:
        raise Forbidden(_("Only customers reply here."))
    _check_version(ticket, version)
    _check_window(ticket)
    return reply(
        actor,
        ticket_id=ticket_id,
        body=body,
        public=True,
        attachment_ids=attachment_ids,
    )
