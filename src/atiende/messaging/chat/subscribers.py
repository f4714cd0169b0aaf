"""An agent's public reply on a chat's ticket: the chat is now handled by that agent.

In the reply's transaction (one UPDATE of at most the chat rows of that ticket), so the state
the widget and the workspace read is never behind the transcript. The reply itself reaches
the visitor through the live event log (``relay``), like every live event.
"""

from __future__ import annotations

from atiende.core.events import subscribe
from atiende.messaging.models import ChatHandler, ChatSession, ChatState
from atiende.tickets.events import MessageAdded
from atiende.tickets.models import Direction


@subscribe(MessageAdded, in_transaction=True)
def chat_taken_up(event: MessageAdded) -> None:
    if not event.public or event.direction != Direction.OUTBOUND or event.actor_id is None:
        return
    ChatSession.objects.filter(ticket_id=event.ticket_id, state=ChatState.WAITING).update(
        state=ChatState.ACTIVE, agent_id=event.actor_id, handled_by=ChatHandler.AGENT
    )
