"""Reply and set status: one use case, one transaction, whatever the door (web, API)."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction
from django.utils.translation import gettext as _

from atiende.core.actor import Actor
from atiende.tickets import store
from atiende.tickets.errors import StaleVersion
from atiende.tickets.locks import lock_visible_ticket
from atiende.tickets.models import Message
from atiende.tickets.services.messages import add_message
from atiende.tickets.services.updates import update_ticket


@transaction.atomic
def reply(
    actor: Actor,
    *,
    ticket_id: int,
    body: str,
    body_html: str = "",
    public: bool = True,
    channel: str | None = None,
    attachment_ids: Sequence[int] = (),
    mentions: Sequence[int] = (),
    status: str | None = None,
    version: int | None = None,
) -> Message:
    """Add a reply or note and, with ``status``, move the ticket there: both or neither.

    A refused status change (an unknown status, a transition the workflow forbids, a customer
    trying) rolls the message back too, so the customer never gets a reply that the agent
    meant to send with a status. ``version``, when given, is the ticket version the caller
    last saw; a newer one refuses the whole action with ``StaleVersion``.
    """
    if version is not None:
        ticket = lock_visible_ticket(actor, ticket_id)
        if ticket.version != version:
            raise StaleVersion(
                _("The ticket is at version %(current)d; you replied to version %(yours)d.")
                % {"current": ticket.version, "yours": version},
                extra={"ticket": ticket},
            )
    message = add_message(
        actor,
        ticket_id=ticket_id,
        body=body,
        body_html=body_html,
        public=public,
        channel=channel,
        attachment_ids=attachment_ids,
        mentions=mentions,
    )
    if status is not None:
        # The message may have moved the ticket already (an agent's first reply opens it):
        # the status applies to the state the reply left.
        update_ticket(actor, ticket_id=ticket_id, version=None, changes={"status": status})
    if actor.user_id is not None:
        # What was being written is sent: the sender's draft goes with the same commit.
        store.delete_draft(user_id=actor.user_id, ticket_id=ticket_id)
    return message
