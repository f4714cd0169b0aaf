"""Email's delivery states in the channel contract's terms, and the event each change publishes.

An ``OutboundEmail`` goes ``queued`` → ``sent``, or → ``failed`` with the reason (the SMTP
server's final answer, the attempts given up, or a DSN bounce that came back later); an agent's
retry puts a failed one back to ``queued``. Those are the contract's ``DeliveryState`` values
(``channels.contract``); mail never learns "delivered" or "read" (no receipts we trust).

`record` is where a state change of a mail is written: the row's update and, when the state
really changed and the mail carries a ticket message (an agent's reply), one
``MessageDeliveryChanged`` with the same payload a channel send publishes (``provider``
"email") — in the same transaction, so the live timeline (``realtime.subscribers``) hears of
every change exactly once, and of no non-change. What the delivery does (claims, retries,
backoff, SMTP) is untouched: it only calls `record` where it used to write the state.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from atiende.core.actor import Actor, Source
from atiende.core.event_types import MessageDeliveryChanged
from atiende.core.events import publish
from atiende.messaging.channels.contract import DeliveryState as ContractState
from atiende.messaging.models import DeliveryState, OutboundEmail
from atiende.tickets.selectors import ticket_id_of_message

PROVIDER = "email"
CONTRACT_STATES: dict[str, ContractState] = {
    DeliveryState.QUEUED: ContractState.QUEUED,
    DeliveryState.SENT: ContractState.SENT,
    DeliveryState.FAILED: ContractState.FAILED,
}


def contract_state(state: str) -> ContractState:
    """The contract's word for an email's delivery state."""
    return CONTRACT_STATES[state]


def record(outbound_id: int, state: str, *, actor: Actor | None = None, **fields: Any) -> bool:
    """Set the mail's ``state`` (and ``fields``: reason, sent_at, next_attempt_at …) and tell
    the ticket's readers when the state changed; whether it did. ``actor``: who changed it
    (an agent's retry); else the email channel itself."""
    with transaction.atomic():
        found = (
            # Only the mail's row: PostgreSQL refuses FOR UPDATE on the nullable side of the
            # outer join to its mailbox.
            OutboundEmail.objects.select_for_update(of=("self",))
            .filter(pk=outbound_id)
            .values_list("state", "ticket_message_id", "mailbox__address")
            .first()
        )
        if found is None:
            return False
        old, message_id, address = found
        OutboundEmail.objects.filter(pk=outbound_id).update(state=state, **fields)
        if old == state:
            return False
        if message_id is not None:
            announce(
                message_id=message_id,
                old=old,
                new=state,
                reason=str(fields.get("reason") or ""),
                address=address or "",
                actor=actor,
            )
    return True


def announce(
    *, message_id: int, old: str, new: str, reason: str, address: str, actor: Actor | None = None
) -> None:
    """``MessageDeliveryChanged`` for a reply's mail that moved (inside its transaction)."""
    ticket_id = ticket_id_of_message(message_id)
    if ticket_id is None:
        return
    publish(
        MessageDeliveryChanged(
            ticket_id=ticket_id,
            message_id=message_id,
            provider=PROVIDER,
            old_state=contract_state(old).value,
            new_state=contract_state(new).value,
            reason=reason,
            actor_id=actor.user_id if actor is not None else None,
            source=actor.source.value if actor is not None else Source.CHANNEL.value,
            source_detail=(actor.detail if actor is not None else "")
            or (f"email:{address}" if address else "email"),
        )
    )
