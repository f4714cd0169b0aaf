"""Adding to the conversation: public replies and internal notes."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from atiende.accounts.models import User
from atiende.core.actor import Actor, Source
from atiende.core.errors import ErrorCollector, Forbidden, Invalid
from atiende.core.event_types import AgentsMentioned, MessageAdded
from atiende.core.events import publish
from atiende.core.html import html_to_text, sanitize_html, text_to_html
from atiende.core.language import detect
from atiende.core.text import clean_text
from atiende.tickets import audit, store, tally
from atiende.tickets.errors import TicketClosed
from atiende.tickets.locks import lock_visible_ticket
from atiende.tickets.models import (
    Attachment,
    Channel,
    Direction,
    Message,
    StatusCategory,
    Ticket,
)
from atiende.tickets.selectors import can_see_ticket
from atiende.tickets.services import announce, common

MAX_BODY = 1_000_000
MAX_ATTACHMENTS = 50
MAX_MENTIONS = 20


@transaction.atomic
@tally.deferred()
def add_message(
    actor: Actor,
    *,
    ticket_id: int,
    body: str,
    body_html: str = "",
    public: bool = True,
    channel: str | None = None,
    attachment_ids: Sequence[int] = (),
    external_id: str = "",
    mentions: Sequence[int] = (),
) -> Message:
    """Add a reply or a note; a customer's reply reopens a pending or solved ticket.

    ``mentions`` are agents named with @ in the text: each must be an active agent who can see
    the ticket, and each is told through an ``AgentsMentioned`` event.
    """
    ticket = lock_visible_ticket(actor, ticket_id)
    user = actor.user
    if not public and user is not None and not user.is_agent:
        raise Forbidden(_("Customers cannot add internal notes."))
    if mentions and (user is None or not user.is_agent):
        raise Forbidden(_("Only agents can mention agents."))
    mentioned = _mentionable(ticket, mentions)
    if ticket.status.category in (StatusCategory.CLOSED, StatusCategory.CANCELLED) and public:
        raise TicketClosed(_("The ticket is closed; open a new ticket instead."))
    if ticket.merged_into_id is not None:
        raise TicketClosed(_("This ticket was merged into another ticket; write there instead."))
    message = write_message(
        actor,
        ticket,
        author=user,
        body=body,
        body_html=body_html,
        public=public,
        channel=channel or (Channel.API if actor.source == Source.API else Channel.WEB),
        attachment_ids=attachment_ids,
        external_id=external_id,
    )
    after_message(actor, ticket, message)
    if mentioned:
        publish(
            AgentsMentioned(
                ticket_id=ticket.pk,
                message_id=message.pk,
                actor_id=actor.user_id,
                user_ids=mentioned,
                source=actor.source.value,
                source_detail=actor.detail,
            )
        )
    return message


def _mentionable(ticket: Ticket, user_ids: Sequence[int]) -> tuple[int, ...]:
    """The distinct ids of ``user_ids``, checked to be active agents who can see ``ticket``."""
    wanted = tuple(dict.fromkeys(user_ids))
    if not wanted:
        return ()
    if len(wanted) > MAX_MENTIONS:
        raise Invalid.field(
            "mentions", _("Mention at most %(max)d agents.") % {"max": MAX_MENTIONS}
        )
    agents = {u.pk: u for u in User.objects.filter(pk__in=wanted, is_active=True)}
    for user_id in wanted:
        agent = agents.get(user_id)
        if agent is None or not agent.is_agent or not can_see_ticket(agent, ticket):
            raise Invalid.field(
                "mentions", _("Agent %(id)s cannot be mentioned on this ticket.") % {"id": user_id}
            )
    return wanted


def write_message(
    actor: Actor,
    ticket: Ticket,
    *,
    author: User | None,
    body: str,
    body_html: str,
    public: bool,
    channel: str,
    attachment_ids: Sequence[int],
    external_id: str,
) -> Message:
    """Validate and store one message of ``ticket`` (already locked or just created)."""
    message = build_message(
        ticket,
        author=author,
        body=body,
        body_html=body_html,
        public=public,
        channel=channel,
        attachment_count=len(attachment_ids),
        external_id=external_id,
    )
    store.insert_message(message)
    if attachment_ids:
        claim_attachments(actor, ticket, message, attachment_ids)
    return message


def build_message(
    ticket: Ticket,
    *,
    author: User | None,
    body: str,
    body_html: str,
    public: bool,
    channel: str,
    attachment_count: int,
    external_id: str,
) -> Message:
    """One message of ``ticket``, validated and cleaned but not saved.

    No query: a caller can build it before its transaction starts and so hold SQLite's write
    lock only for the writes (opening a ticket does).
    """
    errors = ErrorCollector()
    text = clean_text(body)
    html = sanitize_html(clean_text(body_html)) if body_html else ""
    if not text.strip() and html:
        text = html_to_text(html)
    if not text.strip():
        errors.add("body", _("The message cannot be empty."))
    elif len(text) > MAX_BODY or len(html) > MAX_BODY:
        errors.add("body", _("The message is longer than %(max)d characters.") % {"max": MAX_BODY})
    if channel not in Channel.values:
        errors.add("channel", _("Unknown channel."))
    if attachment_count > MAX_ATTACHMENTS:
        errors.add("attachment_ids", _("Too many attachments."))
    errors.raise_if_any()

    inbound = author is not None and not author.is_agent
    return Message(
        ticket=ticket,
        author=author,
        public=public,
        direction=Direction.INBOUND if inbound else Direction.OUTBOUND,
        channel=channel,
        body_text=text,
        body_html=html or text_to_html(text),
        external_id=clean_text(external_id)[:998],
        # Every customer message, whatever its door, is built here: detect once, offline.
        language=(detect(text) or "") if inbound else "",
    )


def claim_attachments(
    actor: Actor, ticket: Ticket, message: Message, attachment_ids: Sequence[int]
) -> None:
    """Attach files this actor uploaded to this ticket and that no message holds yet."""
    wanted = set(attachment_ids)
    pending = Attachment.objects.filter(pk__in=wanted, ticket=ticket, message__isnull=True)
    if actor.user is not None:
        pending = pending.filter(uploaded_by=actor.user)
    found = set(pending.values_list("pk", flat=True))
    if found != wanted:
        raise Invalid.field(
            "attachment_ids",
            _("Unknown or already used attachments: %(ids)s.")
            % {"ids": ", ".join(str(i) for i in sorted(wanted - found))},
        )
    pending.update(message=message)


def after_message(actor: Actor, ticket: Ticket, message: Message) -> None:
    """Keep the ticket's timestamps and status in step with the conversation."""
    now = timezone.now()
    events = []
    fields = ["last_message_at", "updated_at"]
    ticket.last_message_at = now
    author = message.author
    from_customer = author is not None and not author.is_agent
    # A reply by a person of the team. A message with no author is automatic (a rule's mail,
    # the chat's bot): it neither opens a new ticket nor is its first response, as the SLA
    # timers (``sla.subscribers``) do not count it as an agent's reply either.
    by_team = author is not None and author.is_agent
    category = ticket.status.category
    was = tally.key_of(ticket)
    if message.language and not ticket.language:
        ticket.language = message.language  # the first language detected stays the ticket's
        fields.append("language")
    new_status = None
    if (
        message.public
        and from_customer
        and category in (StatusCategory.PENDING, StatusCategory.SOLVED)
    ) or (message.public and by_team and category == StatusCategory.NEW):
        new_status = common.first_status_in(StatusCategory.OPEN)
    if message.public and by_team and ticket.first_response_at is None:
        ticket.first_response_at = now
        fields.append("first_response_at")
    if new_status is not None:
        events.append(
            audit.event(ticket, actor, "updated", field="status", old=ticket.status, new=new_status)
        )
        if category == StatusCategory.SOLVED:
            ticket.solved_at = None
            fields.append("solved_at")
        ticket.status = new_status
        ticket.version += 1
        fields += ["status", "version"]
    store.write_ticket(ticket, fields)
    tally.follow(ticket, was)
    audit.record(events)
    publish(
        MessageAdded(
            ticket_id=ticket.pk,
            message_id=message.pk,
            actor_id=actor.user_id,
            source=actor.source.value,
            public=message.public,
            direction=str(message.direction),
            source_detail=actor.detail,
            channel=str(message.channel),
        )
    )
    if events:
        publish(announce.ticket_updated(actor, ticket.pk, events))
