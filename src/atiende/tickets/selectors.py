"""Reads of tickets. Every ticket query starts at ``visible_tickets``: the one scoping rule."""

from __future__ import annotations

from django.db.models import F, Q, QuerySet
from django.utils.translation import gettext as _

from atiende.accounts.models import Role, User
from atiende.core.actor import Actor, Source
from atiende.core.errors import NotFound
from atiende.tickets import config_cache, planning
from atiende.tickets.errors import TicketNotFound
from atiende.tickets.models import (
    Attachment,
    Message,
    Ticket,
    TicketEvent,
    TicketLink,
    TicketTally,
)
from atiende.tickets.permissions import require_staff


def group_ids(user: User) -> list[int]:
    """The ids of the user's groups, read once per user object."""
    cached: list[int] | None = getattr(user, "_atiende_group_ids", None)
    if cached is None:
        cached = list(user.groups.values_list("id", flat=True))
        user._atiende_group_ids = cached  # type: ignore[attr-defined]  # per-object memo
    return cached


def sees_organization_tickets(user: User) -> bool:
    """A customer sees their organization's tickets only if verified and the org allows it."""
    org = user.organization
    return bool(org is not None and org.shared_tickets and user.email_verified_at is not None)


def _broad_scope(user: User) -> bool:
    """Whether ``user``'s scope is best read in sort order on SQLite (see ``planning``)."""
    cached: bool | None = getattr(user, "_atiende_broad_scope", None)
    if cached is None:
        cached = planning.needs_hints() and planning.is_broad(_agent_tally_scope(user))
        user._atiende_broad_scope = cached  # type: ignore[attr-defined]  # per-object memo
    return cached


def _agent_tally_scope(user: User) -> Q:
    return Q(group_key__in=group_ids(user)) | Q(group_key=0) | Q(assignee_key=user.pk)


def _agent_scope(tickets: QuerySet[Ticket], user: User, *, in_order: bool) -> QuerySet[Ticket]:
    if in_order and _broad_scope(user):
        tickets = tickets.alias(
            scope_group=planning.Unindexed(F("group_id")),
            scope_assignee=planning.Unindexed(F("assignee_id")),
        )
        group, assignee = "scope_group", "scope_assignee"
    else:
        group, assignee = "group_id", "assignee_id"
    return tickets.filter(
        Q(**{f"{group}__in": group_ids(user)})
        | Q(**{f"{group}__isnull": True})
        | Q(**{assignee: user.pk})
    )


def visible_tickets(actor: Actor, *, in_order: bool = False) -> QuerySet[Ticket]:
    """The tickets ``actor`` may see.

    ``in_order``: the caller reads a page of them in a sort order (a list); on SQLite a broad
    agent scope is then written so that the planner reads in that order (``planning``). Not
    for subqueries (``ticket__in=...``): there the indexes are the fast way.

    Admins and the system see all; agents their groups' tickets, tickets not yet routed to any
    group (the triage queue) and tickets assigned to them; customers their own and, where
    allowed, their organization's. Inactive users and unknown roles see nothing.
    """
    tickets = Ticket.objects.all()
    user = actor.user
    if user is None:
        return tickets
    if not user.is_active:
        return tickets.none()
    if user.role == Role.ADMIN:
        return tickets
    if user.role == Role.AGENT:
        return _agent_scope(tickets, user, in_order=in_order)
    if user.role == Role.CUSTOMER:
        mine = Q(requester_id=user.pk)
        if sees_organization_tickets(user):
            mine |= Q(organization_id=user.organization_id)
        return tickets.filter(mine)
    return tickets.none()


def visible_tallies(actor: Actor) -> QuerySet[TicketTally]:
    """The ``TicketTally`` rows of the tickets ``actor`` may see: ``visible_tickets`` for counts.

    Staff only (the inbox); the rule is the one above, on the tally's group and assignee keys
    (0 stands for none).
    """
    tallies = TicketTally.objects.all()
    user = actor.user
    if user is None or (user.is_active and user.role == Role.ADMIN):
        return tallies
    if user.is_active and user.role == Role.AGENT:
        return tallies.filter(_agent_tally_scope(user))
    return tallies.none()


def can_see_ticket(user: User, ticket: Ticket) -> bool:
    """Whether ``user`` may see ``ticket``, by the same rules as ``visible_tickets``."""
    viewer = Actor(user=user, source=Source.SYSTEM)
    return visible_tickets(viewer).filter(pk=ticket.pk).exists()


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
