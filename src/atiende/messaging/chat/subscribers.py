"""An agent's public reply on a chat's ticket: the chat is now handled by that agent.

In the reply's transaction (one UPDATE of at most the chat rows of that ticket), so the state
the widget and the workspace read is never behind the transcript. The reply itself reaches
the visitor through the live event log (``relay``), like every live event.

A chat the bot still answered is nobody's (assignment waits for the bot's hand-over): the
agent who answers it takes it over, so it is assigned to them when it has no assignee —
rather than left for the backlog to give to someone else while they chat.
"""

from __future__ import annotations

import logging

from django.db import transaction

from atiende.accounts.models import User
from atiende.core.actor import Actor, Source
from atiende.core.errors import AtiendeError
from atiende.core.events import subscribe
from atiende.messaging.models import ChatHandler, ChatSession, ChatState
from atiende.tickets import services as tickets
from atiende.tickets.events import MessageAdded
from atiende.tickets.models import Direction
from atiende.tickets.workload import routing_facts

logger = logging.getLogger(__name__)


@subscribe(MessageAdded, in_transaction=True)
def chat_taken_up(event: MessageAdded) -> None:
    if not event.public or event.direction != Direction.OUTBOUND or event.actor_id is None:
        return
    chats = ChatSession.objects.filter(ticket_id=event.ticket_id)
    from_bot = chats.filter(handled_by=ChatHandler.BOT).exists()
    chats.filter(state=ChatState.WAITING).update(
        state=ChatState.ACTIVE, agent_id=event.actor_id, handled_by=ChatHandler.AGENT
    )
    if from_bot:
        chats.filter(handled_by=ChatHandler.BOT).update(handled_by=ChatHandler.AGENT)
        _assign_to_replier(event, event.actor_id)


def _assign_to_replier(event: MessageAdded, agent_id: int) -> None:
    """The chat's ticket to the agent who took it from the bot, if it is still nobody's; a
    refusal (the agent is not of the ticket's group…) leaves it for the backlog."""
    facts = routing_facts(event.ticket_id)
    agent = User.objects.filter(pk=agent_id, is_active=True).first()
    if facts is None or facts.assignee_id is not None or agent is None:
        return
    actor = Actor(user=agent, source=Source(event.source), detail=event.source_detail)
    try:
        with transaction.atomic():
            tickets.assign_ticket(actor, ticket_id=event.ticket_id, assignee_id=agent.pk)
    except AtiendeError as refused:
        logger.info("chat ticket %s not given to %s: %s", event.ticket_id, agent_id, refused)
