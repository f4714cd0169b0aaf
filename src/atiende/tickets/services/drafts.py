"""Drafts: what an agent is writing on a ticket, saved as they type and restored on return.

A draft belongs to one agent and one ticket the agent can see; nobody else reads it (the only
selector is ``tickets.selectors.my_draft``). It is no change to the ticket, so it writes no
history and publishes no event. Sending a reply or note (``tickets.services.reply``) deletes
the sender's draft in the same transaction.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from atiende.core.actor import Actor
from atiende.core.errors import Invalid
from atiende.core.permissions import require_staff
from atiende.tickets import store
from atiende.tickets.models import Message
from atiende.tickets.selectors import get_ticket
from atiende.tickets.services.messages import MAX_BODY


@transaction.atomic
def save_draft(
    actor: Actor, *, ticket_id: int, body: str, public: bool, written_after: int | None = None
) -> bool:
    """Keep ``body`` as the actor's draft on the ticket; an empty body deletes the draft.

    ``written_after`` is the newest message the composer had seen when the text was typed. If
    the actor has posted on the ticket since, the save was sent before that message and
    arrived after it (a slow request racing the send): it is dropped, and ``False`` says so,
    so that a sent text never comes back as a draft.
    """
    require_staff(actor)
    user_id = actor.user_id
    if user_id is None:
        raise Invalid(_("Only a person can keep a draft."))
    ticket = get_ticket(actor, ticket_id)  # missing and invisible alike: TicketNotFound
    body = body.replace("\x00", "")
    if len(body) > MAX_BODY:
        raise Invalid.field(
            "body", _("The message is longer than %(max)d characters.") % {"max": MAX_BODY}
        )
    if (
        written_after is not None
        and Message.objects.filter(
            ticket_id=ticket.pk, author_id=user_id, pk__gt=written_after
        ).exists()
    ):
        return False
    if not body.strip():
        store.delete_draft(user_id=user_id, ticket_id=ticket.pk)
        return True
    store.save_draft(
        user_id=user_id, ticket_id=ticket.pk, body=body, public=public, now=timezone.now()
    )
    return True


@transaction.atomic
def discard_draft(actor: Actor, *, ticket_id: int) -> None:
    """Delete the actor's draft on the ticket (none is fine)."""
    require_staff(actor)
    if actor.user_id is not None:
        store.delete_draft(user_id=actor.user_id, ticket_id=get_ticket(actor, ticket_id).pk)
