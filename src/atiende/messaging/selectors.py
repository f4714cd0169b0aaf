"""Reads of the email channel for the workspace and the API: the quarantine, a message's
original email and its deliveries. Views call these instead of the models."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from django.db.models import OuterRef, QuerySet, Subquery
from django.utils.translation import gettext as _

from atiende.core.actor import Actor
from atiende.core.errors import Invalid, NotFound
from atiende.core.permissions import require_admin, require_staff
from atiende.messaging import subscribers
from atiende.messaging.channels.contract import DELIVERY_ORDER
from atiende.messaging.models import (
    ChannelDeliveryState,
    ChannelDirection,
    ChannelMessage,
    InboundMessage,
    InboundState,
    OutboundEmail,
)
from atiende.messaging.outbound.states import contract_state
from atiende.tickets.models import Message, Ticket

QUARANTINE_FIELDS = (
    "pk",
    "received_at",
    "sender",
    "subject",
    "size",
    "reason",
    "recipient",
    "source",
    "state",
    "auto_generated",
    "ticket",
    "mailbox__address",
)
# Mail on no ticket: quarantined (failed or held) or ignored (our own, a duplicate, a bounce
# for mail we never sent). Both are listed, so nothing disappears where no one can see it.
HELD = (InboundState.QUARANTINED, InboundState.IGNORED)


def quarantined(actor: Actor, *, state: str | None = None) -> QuerySet[InboundMessage]:
    """The quarantine list (admins): held mail, or only ``state`` (one of `HELD`); only what
    a row of the list shows, no raw bytes."""
    require_admin(actor)
    if state is not None and state not in HELD:
        raise Invalid.field(
            "state", _("Choose one of: %(choices)s.") % {"choices": ", ".join(HELD)}
        )
    return (
        InboundMessage.objects.filter(state__in=(state,) if state else HELD)
        .select_related("mailbox")
        .only(*QUARANTINE_FIELDS)
    )


def get_inbound(actor: Actor, inbound_id: int, *, with_raw: bool = False) -> InboundMessage:
    """One stored inbound message (admins: a quarantined mail may be anyone's)."""
    require_admin(actor)
    rows = InboundMessage.objects.select_related("mailbox", "ticket")
    if not with_raw:
        rows = rows.defer("raw")
    found = rows.filter(pk=inbound_id).first()
    if found is None:
        raise NotFound(_("Inbound message not found."))
    return found


def inbound_of(actor: Actor, message: Message) -> InboundMessage:
    """The email a ticket message came in as. ``message`` was read through the ticket gate
    (``tickets.selectors.visible_messages``) for this staff ``actor``."""
    require_staff(actor)
    found = InboundMessage.objects.filter(ticket_message=message).first()
    if found is None:
        raise NotFound(_("This message did not come in by email."))
    return found


def latest_delivery(actor: Actor, message: Message) -> OutboundEmail:
    """The latest email a ticket message went out as (read through the gate, as above)."""
    require_staff(actor)
    latest = (
        OutboundEmail.objects.filter(ticket_message=message).order_by("-created_at", "-pk").first()
    )
    if latest is None:
        raise NotFound(_("This message was not sent by email."))
    return latest


def reply_recipients(actor: Actor, ticket: Ticket) -> list[str]:
    """The addresses a public reply on ``ticket`` (read through the gate) would be mailed to."""
    require_staff(actor)
    return subscribers.reply_recipients(ticket)


def with_email_state(messages: QuerySet[Message]) -> QuerySet[Message]:
    """Messages annotated, in the same query, with their email: ``email_inbound_id`` for one
    that came in by email, and the latest outbound email's ``email_delivery_id`` /
    ``_state`` / ``_reason`` for one that went out. No query per message."""
    latest = OutboundEmail.objects.filter(ticket_message=OuterRef("pk")).order_by(
        "-created_at", "-pk"
    )
    inbound = InboundMessage.objects.filter(ticket_message=OuterRef("pk")).values("pk")[:1]
    return messages.annotate(
        email_inbound_id=Subquery(inbound),
        email_delivery_id=Subquery(latest.values("pk")[:1]),
        email_delivery_state=Subquery(latest.values("state")[:1]),
        email_delivery_reason=Subquery(latest.values("reason")[:1]),
    )


def last_inbound_was_automatic(ticket_id: int) -> bool:
    """Whether the latest mail received on ``ticket_id`` was machine-generated (an
    auto-reply, bulk mail, a bounce): rules and auto-replies never answer it (mail loops)."""
    latest = (
        InboundMessage.objects.filter(ticket_id=ticket_id)
        .order_by("-received_at", "-pk")
        .values_list("auto_generated", flat=True)
        .first()
    )
    return bool(latest)


@dataclass(frozen=True)
class ChannelDelivery:
    """How a ticket message travelled on a messaging channel, for the timeline: the provider
    (``whatsapp``, ``telegram``, ``twilio_sms``, ``messenger``, ``instagram``; ``email`` for a
    mail, `email_delivery`), the account,
    and for one we sent the state of all its parts together (the least advanced; failed when
    any part failed, with that part's reason)."""

    provider: str
    account: str
    outbound: bool
    state: str
    reason: str = ""


def email_delivery(message: object) -> ChannelDelivery | None:
    """A timeline message's email in the channel contract's terms (provider ``email``): the
    state of the latest mail it went out as, from the annotations of `with_email_state` (no
    query); ``None`` for a message that went out by no mail."""
    state = getattr(message, "email_delivery_state", None)
    if not state:
        return None
    reason = str(getattr(message, "email_delivery_reason", "") or "")
    return ChannelDelivery(
        "email", "", outbound=True, state=contract_state(state).value, reason=reason
    )


def channel_deliveries(message_ids: Collection[int]) -> dict[int, ChannelDelivery]:
    """The channel side of ``message_ids`` (messages already read through the ticket gate),
    by message id, in one query however many messages and parts."""
    if not message_ids:
        return {}
    rows = (
        ChannelMessage.objects.filter(message_id__in=list(message_ids))
        .order_by("message_id", "part", "id")
        .values_list(
            "message_id", "account__provider", "account__name", "direction", "state", "reason"
        )
    )
    grouped: dict[int, list[tuple[str, str, str, str, str]]] = {}
    for message_id, *rest in rows:
        grouped.setdefault(message_id, []).append(tuple(rest))  # type: ignore[arg-type]
    return {message_id: _delivery_of(parts) for message_id, parts in grouped.items()}


def email_inbound_ids(message_ids: Collection[int]) -> set[int]:
    """Which of ``message_ids`` (messages already read through the ticket gate) came in by
    email, in one query however many."""
    if not message_ids:
        return set()
    found = InboundMessage.objects.filter(ticket_message_id__in=list(message_ids))
    return {pk for pk in found.values_list("ticket_message_id", flat=True) if pk is not None}


def _delivery_of(parts: list[tuple[str, str, str, str, str]]) -> ChannelDelivery:
    provider, account, direction, _state, _reason = parts[0]
    if direction != ChannelDirection.OUTBOUND:
        return ChannelDelivery(provider, account, outbound=False, state="")
    failed = [part for part in parts if part[3] == ChannelDeliveryState.FAILED]
    if failed:
        return ChannelDelivery(provider, account, True, ChannelDeliveryState.FAILED, failed[0][4])
    order = {state.value: rank for state, rank in DELIVERY_ORDER.items()}
    least = min((part[3] for part in parts), key=lambda state: order.get(state, 0))
    return ChannelDelivery(provider, account, outbound=True, state=least)
