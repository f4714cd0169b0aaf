"""Writing first to a customer on a messaging channel: where it can be done, and doing it.

``channels.services.starting`` decides: SMS with free text, WhatsApp with an approved template
(free text only within 24 hours of the customer's last message), never Telegram, Messenger or
Instagram (the customer must write first).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema
from pydantic import Field

from atiende.accounts.selectors import get_user
from atiende.api import idempotency
from atiende.api.auth import actor
from atiende.api.errors import render_extra
from atiende.api.schemas.common import Body, BodyIn, Id, errors
from atiende.api.schemas.tickets import MessageOut, TicketOut
from atiende.api.tickets import ticket_out
from atiende.core.errors import Forbidden
from atiende.messaging.channels.services import starting

router = Router(tags=["conversation"])

render_extra("conversation_ticket_id", lambda request, ticket_id: {"ticket_id": ticket_id})


class ConversationOfferOut(Schema):
    identity_id: int
    channel: str = Field(description="The identity's channel: ``sms``, ``whatsapp`` …")
    address: str = Field(description="The identity's value (the number, the chat id …).")
    account_id: int | None = Field(description="``null``: no active account of its provider.")
    allowed: bool
    refusal: str = Field(description="Why a conversation cannot start there; empty if it can.")
    needs_template: bool = Field(description="WhatsApp outside its window: a template only.")
    templates: list[str] = Field(description="The account's approved templates (name:language).")
    open_ticket_id: int | None = Field(description="The open ticket holding this conversation.")


class ConversationStartIn(BodyIn):
    account_id: Id = Field(description="The channel account to write on (SMS or WhatsApp).")
    identity_id: Id | None = Field(
        default=None,
        description="Which of the customer's identities on that channel; default the first.",
    )
    subject: str = Field(default="", max_length=starting.MAX_SUBJECT)
    body: Body = Field(default="", description="The message; a template's values, one a line.")
    template: str = Field(
        default="",
        max_length=600,
        description="An approved WhatsApp template (``name`` or ``name:language``).",
    )


class ConversationStartedOut(Schema):
    ticket: TicketOut
    message: MessageOut


@router.get(
    "/users/{user_id}/conversation-offers",
    response={200: list[ConversationOfferOut], **errors(403, 404, 422)},
)
def list_offers(request: HttpRequest, user_id: Id) -> list[dict[str, Any]]:
    """Where an agent may write first to this customer, and where not and why (staff)."""
    caller = actor(request)
    if caller.user is None or not caller.user.is_agent:
        raise Forbidden()
    customer = get_user(caller, user_id)
    return [
        {
            "identity_id": offer.identity.pk,
            "channel": offer.identity.channel,
            "address": offer.identity.value,
            "account_id": offer.account.pk if offer.account is not None else None,
            "allowed": offer.allowed,
            "refusal": offer.refusal,
            "needs_template": offer.needs_template,
            "templates": [template.value for template in offer.templates],
            "open_ticket_id": offer.open_ticket_id,
        }
        for offer in starting.offers(caller, customer)
    ]


@router.post(
    "/users/{user_id}/conversations",
    response={201: ConversationStartedOut, **errors(403, 404, 409, 422)},
)
def start_conversation(
    request: HttpRequest, user_id: Id, payload: ConversationStartIn
) -> HttpResponse:
    """Open a ticket with this customer whose first message goes out on ``account_id``
    (agents). 422 naming ``account_id`` where the provider does not let a business write
    first, ``template`` for WhatsApp free text outside its window; 409 (with ``ticket_id``)
    when an open ticket already holds the conversation."""
    caller = actor(request)

    def handler() -> tuple[int, dict[str, Any]]:
        message = starting.start_conversation(caller, customer_id=user_id, **payload.model_dump())
        started = {
            "ticket": ticket_out(caller, message.ticket_id),
            "message": MessageOut.from_orm(message).model_dump(),
        }
        return 201, started

    assert caller.user is not None
    return idempotency.run(request, caller.user, handler)
