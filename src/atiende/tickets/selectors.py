"""Reads of tickets. Every ticket query starts at ``visible_tickets``: the one scoping rule."""

from __future__ import annotations

from collections.abc import Sequence

from django.db.models import Case, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from atiende.accounts.models import User
from atiende.core.actor import Actor
from atiende.core.errors import NotFound
from atiende.core.permissions import require_staff
from atiende.tickets import config_cache, visibility
from atiende.tickets.errors import TicketNotFound
from atiende.tickets.models import (
    ACTIVE_CATEGORIES,
    Attachment,
    Direction,
    Draft,
    Message,
    StatusCategory,
    Ticket,
    TicketEvent,
    TicketLink,
    TicketTally,
)


def visible_tickets(actor: Actor) -> QuerySet[Ticket]:
    """The tickets ``actor`` may see: the rule of ``tickets.visibility`` as a filter.

    Admins and the system see all; agents their groups' tickets, tickets not yet routed to any
    group (the triage queue) and tickets assigned to them; customers their own and, where
    allowed, their organization's. Inactive users and unknown roles see nothing.
    """
    return visibility.scope_for(actor.user).filter(Ticket.objects.all())


def visible_tallies(actor: Actor) -> QuerySet[TicketTally]:
    """The ``TicketTally`` rows of the tickets ``actor`` may see: ``visible_tickets`` for counts.

    Staff only (the inbox): the rollup counts by group and assignee, so a scope it cannot
    express (a customer's) gets no rows.
    """
    tallies = TicketTally.objects.all()
    scope = visibility.scope_for(actor.user)
    if scope.everything:
        return tallies
    where = scope.tally_q()
    return tallies.none() if where is None or scope.nothing else tallies.filter(where)


def can_see_ticket(user: User, ticket: Ticket) -> bool:
    """Whether ``user`` may see ``ticket`` (already in memory): no ticket query, the user's
    groups read once per user object."""
    return visibility.scope_for(user).admits_ticket(ticket)


def get_ticket(actor: Actor, ticket_id: int) -> Ticket:
    """One visible ticket; missing and invisible both raise ``TicketNotFound``."""
    tickets = visible_tickets(actor).select_related(
        "requester", "group", "assignee", "organization", "category"
    )
    try:
        ticket = tickets.get(pk=ticket_id)
    except Ticket.DoesNotExist:
        raise TicketNotFound() from None
    config_cache.attach([ticket])
    return ticket


def visible_messages(actor: Actor, ticket: Ticket) -> QuerySet[Message]:
    """A ticket's messages as ``actor`` may read them: customers never see internal notes."""
    messages = Message.objects.filter(ticket=ticket)
    if actor.user is not None and not actor.user.is_agent:
        messages = messages.filter(public=True)
    return messages


def my_draft(actor: Actor, ticket: Ticket) -> Draft | None:
    """The actor's own unsent reply or note on a ticket they see (``ticket`` read through
    ``get_ticket`` for them); nobody reads another person's draft."""
    if actor.user_id is None:
        return None
    return Draft.objects.filter(user_id=actor.user_id, ticket_id=ticket.pk).first()


def checked_ticket(actor: Actor, ticket: Ticket | int) -> Ticket:
    """A visible ticket: an id is looked up through ``get_ticket``; an instance is trusted as
    already read through ``get_ticket`` for this actor (a page reads its ticket once)."""
    return ticket if isinstance(ticket, Ticket) else get_ticket(actor, ticket)


def ticket_events(actor: Actor, ticket: Ticket | int) -> QuerySet[TicketEvent]:
    """The audit trail of a visible ticket, oldest first; for staff only."""
    require_staff(actor)
    ticket = checked_ticket(actor, ticket)
    return (
        TicketEvent.objects.filter(ticket=ticket)
        .select_related("actor")
        .order_by("created_at", "id")
    )


def get_attachment(actor: Actor, attachment_id: int) -> Attachment:
    """A file the caller may download: its ticket is visible, and customers never get files of
    internal notes or other people's unsent uploads."""
    attachment = (
        Attachment.objects.select_related("message")
        .filter(pk=attachment_id, ticket__in=visible_tickets(actor))
        .first()
    )
    if attachment is None:
        raise NotFound(_("Attachment not found."))
    user = actor.user
    if user is not None and not user.is_agent:
        hidden_note = attachment.message is not None and not attachment.message.public
        foreign_upload = attachment.message is None and attachment.uploaded_by_id != user.pk
        if hidden_note or foreign_upload:
            raise NotFound(_("Attachment not found."))
    return attachment


def ticket_links(actor: Actor, ticket: Ticket | int) -> QuerySet[TicketLink]:
    """Links from or to a visible ticket whose other end the caller can also see."""
    ticket = checked_ticket(actor, ticket)
    links = TicketLink.objects.filter(Q(source_id=ticket.pk) | Q(target_id=ticket.pk))
    # A ticket has a handful of links: check their other ends by id rather than matching
    # them against every visible ticket in a subquery.
    ends = {pk for pair in links.values_list("source_id", "target_id") for pk in pair}
    seen = list(visible_tickets(actor).filter(pk__in=ends).values_list("pk", flat=True))
    return links.filter(
        Q(source_id=ticket.pk, target_id__in=seen) | Q(target_id=ticket.pk, source_id__in=seen)
    ).order_by("id")


# --- System selectors ----------------------------------------------------------------------
# Named reads for the system's own processes, which see every ticket (as ``visible_tickets``
# gives the system): one indexed row through a statement built once (``tickets.store``), since
# they run on hot paths. People's reads never come here. (Imported here, apart from the
# gate above, to keep this block separate.)

from atiende.tickets import store  # noqa: E402


def ticket_for_threading(ticket_id: int) -> Ticket | None:
    """The ticket an inbound message threads into, with its status (closed or not); no lock."""
    return store.ticket_by_id(ticket_id, with_status=True)


def ticket_for_live_log(ticket_id: int) -> Ticket | None:
    """The ticket a live event summarises (inside every ticket write's transaction)."""
    return store.ticket_by_id(ticket_id)


def ticket_for_rules(ticket_id: int) -> Ticket | None:
    """The ticket a rule or an SLA policy looks at on each event (automation, sla), with its
    status and priority from the configuration snapshot: one indexed row, inside the change's
    transaction."""
    ticket = store.ticket_by_id(ticket_id)
    if ticket is not None:
        config_cache.attach([ticket])
    return ticket


def opening_message(ticket: Ticket) -> Message:
    """The first message of a ticket opened in this transaction (a channel attaches its
    files to it): its only message, read by one prepared statement."""
    message = store.only_message(ticket.pk)
    assert message is not None  # open_ticket always writes the first message
    message.ticket = ticket
    return message


def description_for_rules(ticket_id: int) -> str:
    """The ticket's first message's text (rules on a new ticket's description; every
    message, internal or not, as the system reads)."""
    return store.first_message_text(ticket_id)


def tag_names_for_rules(ticket_id: int) -> list[str]:
    """The ticket's tag names, sorted (conditions of rules and SLA policies on tags)."""
    return store.tag_names(ticket_id)


def message_to_deliver(message_id: int) -> Message | None:
    """A reply the outbox delivers after its commit (mailed, or sent on a channel), with its
    author, ticket and requester: one row, no lock."""
    return (
        Message.objects.select_related("author", "ticket", "ticket__requester")
        .filter(pk=message_id)
        .first()
    )


def ticket_id_of_message(message_id: int) -> int | None:
    """The ticket a message is on (a channel's delivery receipt names only the message)."""
    return Message.objects.filter(pk=message_id).values_list("ticket_id", flat=True).first()


def latest_customer_message(ticket_id: int) -> tuple[int, str] | None:
    """The id and channel of the ticket's latest public inbound message: the way the customer
    last wrote on it (a reply's default route)."""
    return (
        Message.objects.filter(ticket_id=ticket_id, public=True, direction=Direction.INBOUND)
        .order_by("-created_at", "-id")
        .values_list("pk", "channel")
        .first()
    )


def first_message_id(ticket_id: int) -> int | None:
    """The id of the message that opened the ticket (whether its mail was auto-generated)."""
    return (
        Message.objects.filter(ticket_id=ticket_id)
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)
        .first()
    )


def inbound_message_on(ticket_id: int, message_id: int) -> Message | None:
    """Message ``message_id`` when it is a customer's message on ``ticket_id`` (the chat bot
    answers only those)."""
    return Message.objects.filter(
        pk=message_id, ticket_id=ticket_id, direction=Direction.INBOUND
    ).first()


def public_conversation(ticket_id: int, *, after: int | None, limit: int) -> list[Message]:
    """The ticket's public messages (never notes) with their authors, oldest first: the
    newest ``limit`` when ``after`` is ``None``, else the first ``limit`` after message id
    ``after`` (a live chat's transcript and its catch-up)."""
    messages = (
        Message.objects.filter(ticket_id=ticket_id, public=True)
        .select_related("author")
        .order_by("pk")
    )
    if after is None:
        rows = list(messages.order_by("-pk")[:limit])
        rows.reverse()
        return rows
    return list(messages.filter(pk__gt=after)[:limit])


def files_of_messages(message_ids: list[int]) -> list[Attachment]:
    """The files of the given messages (a transcript lists them under each message)."""
    return list(Attachment.objects.filter(message_id__in=message_ids))


def attachment_to_send(attachment_id: int) -> Attachment | None:
    """A stored file a reply sends on a channel (uploaded to the provider, or linked)."""
    return Attachment.objects.filter(pk=attachment_id).first()


def public_attachment(attachment_id: int) -> Attachment | None:
    """A file of a public message, with its message (a signed link serves only those)."""
    return (
        Attachment.objects.select_related("message")
        .filter(pk=attachment_id, message__public=True)
        .first()
    )


def count_waiting_uploads(ticket_id: int, attachment_ids: list[int]) -> int:
    """How many of ``attachment_ids`` wait on ``ticket_id`` for a message, stored by a channel
    (no uploading user): a live chat visitor's own uploads."""
    return Attachment.objects.filter(
        pk__in=attachment_ids, ticket_id=ticket_id, message__isnull=True, uploaded_by__isnull=True
    ).count()


def customer_conversations(actor: Actor, customer: User) -> QuerySet[Ticket]:
    """``customer``'s tickets from every channel that ``actor`` may see, open ones first, then
    by their latest message, newest first: a person's history in the order an agent reads it.
    One query (status and requester joined); callers slice it."""
    still_open = Case(When(status__category__in=ACTIVE_CATEGORIES, then=Value(0)), default=Value(1))
    return (
        visible_tickets(actor)
        .filter(requester=customer)
        .select_related("status", "requester")
        .order_by(still_open, Coalesce("last_message_at", "created_at").desc(), "-pk")
    )


def first_open_ticket_of_messages(message_ids: Sequence[int]) -> int | None:
    """Of ``message_ids`` (in the caller's order: newest first), the ticket of the first whose
    ticket is still open — neither closed, cancelled nor merged away — or None. A channel's
    intake asks it for a conversation's newest messages on every payload."""
    found = store.tickets_of_messages(
        message_ids, not_in=(StatusCategory.CLOSED, StatusCategory.CANCELLED)
    )
    return next((found[pk] for pk in message_ids if pk in found), None)
