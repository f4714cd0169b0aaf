"""Messages that a channel delivers on behalf of a person (an email reply, a chat line).

`add_message` acts as its actor and checks what that actor can see; a channel has already
decided who may write (the requester, a follower, an agent who sees the ticket) and posts as
that person, with attachments the channel stored itself. Same validation, same status rules,
same events as `add_message` (it reuses its parts); only the visibility check differs.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence

from django.db import transaction
from django.utils.translation import gettext as _

from atiende.accounts.models import User
from atiende.core.actor import Actor
from atiende.core.errors import Forbidden
from atiende.core.html import sanitize_html
from atiende.core.text import clean_text
from atiende.tickets import tally
from atiende.tickets.errors import TicketClosed
from atiende.tickets.locks import lock_visible_ticket
from atiende.tickets.models import Message, StatusCategory
from atiende.tickets.services.messages import after_message, claim_attachments, write_message

CLOSED = (StatusCategory.CLOSED, StatusCategory.CANCELLED)


def _require_channel(actor: Actor) -> Actor:
    """The channel's own identity (no user): what stored the attachments and locks tickets."""
    if actor.user is not None and not actor.user.is_agent:
        raise Forbidden(_("Only a channel can post on someone's behalf."))
    return Actor(user=None, source=actor.source, detail=actor.detail)


def channel_batch() -> contextlib.AbstractContextManager[None]:
    """Around many channel changes in one transaction (an import batch) and around each one's
    savepoint: the tally moves are summed and written as the batch's last statements, so two
    importers on PostgreSQL wait for each other's shared tally rows only at commit, not for a
    whole batch. A block that raises drops its moves (its savepoint rolled its writes back)."""
    return tally.deferred()


# No savepoint of its own: a caller that goes on after a refusal (`TicketClosed`) wraps the call
# in its own atomic block, as the email intake does; a savepoint here would be a second one.
@transaction.atomic(savepoint=False)
@tally.deferred()
def add_channel_message(
    channel: Actor,
    *,
    ticket_id: int,
    author: User,
    body: str,
    body_html: str = "",
    public: bool = True,
    channel_name: str,
    attachment_ids: Sequence[int] = (),
    external_id: str = "",
) -> Message:
    """Post ``author``'s message that arrived through ``channel``; reopens like a reply does.

    Raises `TicketClosed` for a closed or merged ticket: the channel opens a follow-up.
    """
    system = _require_channel(channel)
    ticket = lock_visible_ticket(system, ticket_id)
    if ticket.merged_into_id is not None or (public and ticket.status.category in CLOSED):
        raise TicketClosed(_("The ticket is closed; open a new ticket instead."))
    actor = Actor(user=author, source=channel.source, detail=channel.detail)
    message = write_message(
        actor,
        ticket,
        author=author,
        body=body,
        body_html=body_html,
        public=public,
        channel=channel_name,
        attachment_ids=(),
        external_id=external_id,
    )
    if attachment_ids:
        claim_attachments(system, ticket, message, attachment_ids)
    after_message(actor, ticket, message)
    return message


@transaction.atomic
def attach_to_message(
    channel: Actor, *, message_id: int, attachment_ids: Sequence[int], body_html: str = ""
) -> Message:
    """Give a just-opened ticket's first message the files the channel stored after opening it.

    ``body_html`` replaces the message's HTML when given (``cid:`` image references rewritten
    to the stored files' URLs, which exist only now).
    """
    system = _require_channel(channel)
    message = Message.objects.select_related("ticket").get(pk=message_id)
    ticket = lock_visible_ticket(system, message.ticket_id)
    if attachment_ids:
        claim_attachments(system, ticket, message, attachment_ids)
    if body_html:
        message.body_html = sanitize_html(clean_text(body_html))
        message.save(update_fields=["body_html"])
    return message
