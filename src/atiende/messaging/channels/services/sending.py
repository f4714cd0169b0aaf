"""Sending an agent's public reply on the customer's channel: the outbox handler's work.

``channels.subscribers`` promises the send in the reply's transaction (an outbox row keyed
by the message), where the route is decided too: a reply to go on a conversation has its
queued OUTBOUND ``ChannelMessage`` from that commit on (``replying``). After the commit, `send`
reads that row — none: the reply is not a channel's (email, or nobody) — claims it and one
row per further provider message the reply is split into (keyed by the effect and the part:
a redelivered row finds its claim and never sends a part twice), and sends each part not yet
sent through the adapter, recording the provider's id (``sent``) or the failure and its
reason (``failed``).

- A provider that cannot carry the message (``MessageRejected``), refuses it (4xx) or an
  account without its settings: ``failed`` at once, with the reason; no retry.
- 429, 5xx, a time-out or no answer: `Retry` is raised, and the outbox tries again after its
  backoff or the ``Retry-After`` the provider asked for, whichever is longer; on the last
  attempt the part is ``failed`` with the provider's last words.
- A text longer than the provider takes is sent in several messages, cut between
  paragraphs, lines or words (``TEXT_LIMITS``); then each attachment as a part of its own
  (``outgoing_media``: uploaded, or a signed link). A file the provider cannot take (too big,
  refused) fails that part alone: the text and the other files still go.
- WhatsApp outside its 24-hour window sends only an approved template: a free text is
  ``failed`` with the reason, not sent for Meta to refuse.

A crash between the provider's answer and writing it down sends that part again on the next
delivery (at least once: the provider's id is only known from its answer).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from atiende.core.actor import Source
from atiende.core.event_types import MessageDeliveryChanged
from atiende.core.events import publish
from atiende.messaging.channels import registry
from atiende.messaging.channels.contract import (
    DELIVERY_ORDER,
    Adapter,
    DeliveryState,
    MessageRejected,
    OutboundMessage,
)
from atiende.messaging.channels.providers import telegram_send, twilio, whatsapp
from atiende.messaging.channels.services import outgoing_media
from atiende.messaging.channels.services.reasons import MAX_REASON
from atiende.messaging.channels.transport import TransportError, perform
from atiende.messaging.models import (
    ChannelAccount,
    ChannelDeliveryState,
    ChannelDirection,
    ChannelMessage,
)
from atiende.outbox.delivery import MAX_ATTEMPTS
from atiende.outbox.registry import RetryLater
from atiende.tickets.models import Direction, Message
from atiende.tickets.selectors import message_to_deliver, ticket_id_of_message

logger = logging.getLogger(__name__)

# The longest text one provider message carries (their API references); longer text is sent
# in parts. Telegram counts UTF-16 code units; `text_parts` measures so for every provider.
TEXT_LIMITS = {
    "whatsapp": whatsapp.TEXT_LIMIT,
    "telegram": telegram_send.TEXT_LIMIT,
    "twilio_sms": twilio.BODY_LIMIT,
    "messenger": 2000,
    "instagram": 1000,
}


class Retry(RetryLater):
    """The provider could not take the message now; the outbox tries again later."""


@dataclass(frozen=True)
class Outcome:
    sent: int = 0
    failed: int = 0


def send(effect_key: str, message_id: int, *, attempt: int = 1) -> Outcome:
    """Send reply ``message_id`` on its route, once per part; see the module docstring."""
    message = message_to_deliver(message_id)
    if message is None or not message.public or message.direction != Direction.OUTBOUND:
        return Outcome()
    if message.author_id is not None and message.author_id == message.ticket.requester_id:
        return Outcome()
    rows = _claim(effect_key, message)
    if not rows:
        return Outcome()  # no conversation decided at the reply: the mail handler's business
    first = rows[0]
    account = first.account
    adapter = registry.sender(account.provider)
    refusal = _refusal(account, adapter, first)
    if refusal:
        return _fail_all(rows, refusal)
    assert adapter is not None
    try:
        parts = _reply_parts(adapter, account.provider, message, first)
        rows = _claim_parts(effect_key, rows, len(parts))
    except MessageRejected as error:
        return _fail_all(rows, str(error))
    return _send_parts(adapter, account, list(zip(parts, rows, strict=True)), attempt)


def outbound_parts(
    adapter: Adapter, provider: str, message: OutboundMessage
) -> list[OutboundMessage]:
    """``message`` as the provider messages it is sent in: long text cut (`TEXT_LIMITS`),
    then each piece as the adapter splits it; only the first answers ``reply_to``."""
    limit = TEXT_LIMITS.get(provider, 0)
    if message.template or not limit or _length(message.text) <= limit:
        return adapter.split(message)
    pieces = text_parts(message.text, limit)
    parts: list[OutboundMessage] = []
    for index, piece in enumerate(pieces):
        last = index == len(pieces) - 1
        part = OutboundMessage(
            to=message.to,
            text=piece,
            media=message.media if last else (),
            reply_to=message.reply_to if index == 0 else "",
        )
        parts.extend(adapter.split(part))
    return parts


def text_parts(text: str, limit: int) -> list[str]:
    """``text`` in pieces of at most ``limit`` (UTF-16 units), cut after a paragraph, else a
    line, else a word; a word longer than ``limit`` is cut where it must be."""
    pieces: list[str] = []
    rest = text.strip()
    while _length(rest) > limit:
        window = _prefix(rest, limit)
        cut = next(
            (at for at in map(window.rfind, ("\n\n", "\n", " ")) if at > len(window) // 2),
            len(window),
        )
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].strip()
    if rest:
        pieces.append(rest)
    return pieces


def _length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _prefix(text: str, limit: int) -> str:
    """The longest start of ``text`` within ``limit`` UTF-16 units."""
    end = min(len(text), limit)
    while _length(text[:end]) > limit:
        end -= 1
    return text[:end]


def _outbound(message: Message, first: ChannelMessage) -> OutboundMessage:
    if first.template:
        params = tuple(line.strip() for line in _template_values(message) if line.strip())
        return OutboundMessage(
            to=first.address,
            template=first.template,
            template_language=first.template_language,
            template_params=params,
        )
    return OutboundMessage(to=first.address, text=message.body_text.strip())


def _reply_parts(
    adapter: Adapter, provider: str, message: Message, first: ChannelMessage
) -> list[OutboundMessage]:
    """The text's parts, then one part per attachment (``outgoing_media``); a template goes
    alone (``replying`` refuses attachments with one)."""
    outbound = _outbound(message, first)
    files = [] if first.template else outgoing_media.file_parts(message, first.address)
    if files and not outbound.text:
        return files
    return [*outbound_parts(adapter, provider, outbound), *files]


def _template_values(message: Message) -> Sequence[str]:
    """A template reply's parameters: the lines after its first (the template's label)."""
    return message.body_text.splitlines()[1:]


def _refusal(account: ChannelAccount, adapter: Adapter | None, first: ChannelMessage) -> str:
    """Why nothing can be sent to ``first``'s address on ``account`` now; ``""`` when it can."""
    if adapter is None:
        return _("%(account)s cannot send messages.") % {"account": account.name}
    if not account.active:
        return _("The channel account %(account)s is switched off.") % {"account": account.name}
    if account.provider == "whatsapp" and not first.template:
        last_in = (
            ChannelMessage.objects.filter(
                account=account, address=first.address, direction=ChannelDirection.INBOUND
            )
            .order_by("-created_at")
            .values_list("created_at", flat=True)
            .first()
        )
        if not whatsapp.window_open(last_in, timezone.now()):
            return window_closed_reason()
    return ""


def window_closed_reason() -> str:
    return _(
        "The customer last wrote on WhatsApp more than 24 hours ago: WhatsApp only carries "
        "an approved template now."
    )


def _claim(effect_key: str, message: Message) -> list[ChannelMessage]:
    """The outbound rows of ``message`` (written with the reply, the route it takes), claimed
    for this effect; none when the reply goes no conversation's way."""
    with transaction.atomic():
        rows = list(
            ChannelMessage.objects.select_for_update(of=("self",))
            .select_related("account")
            .filter(message=message, direction=ChannelDirection.OUTBOUND)
            .order_by("part", "id")
        )
        for row in rows:
            if not row.effect_key:
                row.effect_key = effect_key
                row.save(update_fields=["effect_key", "updated_at"])
        return rows


def _claim_parts(effect_key: str, rows: list[ChannelMessage], count: int) -> list[ChannelMessage]:
    """One row per part: the parts after the first are written once, on the first delivery."""
    if len(rows) >= count:
        return rows[:count]
    first = rows[0]
    with transaction.atomic():
        for part in range(len(rows), count):
            ChannelMessage.objects.get_or_create(
                effect_key=effect_key,
                part=part,
                defaults={
                    "account_id": first.account_id,
                    "message_id": first.message_id,
                    "direction": ChannelDirection.OUTBOUND,
                    "address": first.address,
                    "state": ChannelDeliveryState.QUEUED,
                },
            )
    return list(ChannelMessage.objects.filter(effect_key=effect_key).order_by("part")[:count])


def _send_parts(
    adapter: Adapter,
    account: ChannelAccount,
    parts: list[tuple[OutboundMessage, ChannelMessage]],
    attempt: int,
) -> Outcome:
    config = registry.config_for(account)
    sent = failed = 0
    for index, (part, row) in enumerate(parts):
        if row.provider_id or row.state != ChannelDeliveryState.QUEUED:
            continue  # sent (or given up) on an earlier delivery
        rest = [later for _part, later in parts[index:]]
        try:
            part = outgoing_media.prepare(account.provider, config, part)
            request = adapter.send_request(config, part)
            response = perform(request, timeout=outgoing_media.timeout_for(part))
        except outgoing_media.FileNotSent as error:
            move(row, DeliveryState.FAILED, reason=str(error))  # this file only: the rest go
            failed += 1
            continue
        except (outgoing_media.UploadRetry, TransportError) as error:
            _retry_or_fail(rest, str(error), getattr(error, "retry_after", 0), attempt)
            return Outcome(sent=sent, failed=len(rest))
        except MessageRejected as error:
            return _fail_all(rest, str(error), sent=sent)
        except ValueError as error:
            reason = _("The channel account's settings are incomplete: %(error)s") % {
                "error": error
            }
            return _fail_all(rest, reason, sent=sent)
        result = adapter.send_result(response)
        if result.ok:
            move(row, DeliveryState.SENT, provider_id=result.provider_id)
            sent += 1
        elif result.retry:
            _retry_or_fail(rest, result.error, result.retry_after, attempt)
            return Outcome(sent=sent, failed=len(rest))
        elif part.media:  # a file the provider refused: the parts after it still go
            move(row, DeliveryState.FAILED, reason=result.error or _("The provider refused it."))
            failed += 1
        else:
            return _fail_all(rest, result.error or _("The provider refused it."), sent=sent)
    return Outcome(sent=sent, failed=failed)


def _retry_or_fail(rows: list[ChannelMessage], error: str, wait: int, attempt: int) -> None:
    """Ask the outbox for another attempt (after ``wait`` seconds at least), or on the last
    one give up: the rows say why."""
    if attempt >= MAX_ATTEMPTS:
        _fail_all(rows, error)
        return
    logger.warning("channel send, attempt %d: %s", attempt, error)
    raise Retry(error, after=timedelta(seconds=max(0, wait)))


def _fail_all(rows: list[ChannelMessage], reason: str, *, sent: int = 0) -> Outcome:
    first, *later = rows
    move(first, DeliveryState.FAILED, reason=reason)
    for row in later:
        move(row, DeliveryState.FAILED, reason=_("Not sent: an earlier part failed."))
    return Outcome(sent=sent, failed=len(rows))


def move(
    row: ChannelMessage, state: DeliveryState, *, reason: str = "", provider_id: str = ""
) -> bool:
    """Move ``row`` forward to ``state`` (never back) and tell the ticket's readers."""
    with transaction.atomic():
        locked = ChannelMessage.objects.select_for_update().select_related("account").get(pk=row.pk)
        old = DeliveryState(locked.state)
        if DELIVERY_ORDER[state] <= DELIVERY_ORDER[old] and not provider_id:
            return False
        fields = ["updated_at"]
        if DELIVERY_ORDER[state] > DELIVERY_ORDER[old]:
            locked.state = ChannelDeliveryState(state.value)
            fields.append("state")
        if provider_id:
            locked.provider_id = provider_id
            fields.append("provider_id")
        if reason:
            locked.reason = reason[:MAX_REASON]
            fields.append("reason")
        locked.save(update_fields=fields)
        announce(locked, old)
    row.state, row.provider_id, row.reason = locked.state, locked.provider_id, locked.reason
    return True


def announce(row: ChannelMessage, old: DeliveryState) -> None:
    """``MessageDeliveryChanged`` for a row that moved (inside its transaction)."""
    if row.message_id is None or row.state == old:
        return
    ticket_id = ticket_id_of_message(row.message_id)
    if ticket_id is None:
        return
    publish(
        MessageDeliveryChanged(
            ticket_id=ticket_id,
            message_id=row.message_id,
            provider=row.account.provider,
            old_state=str(old),
            new_state=str(row.state),
            reason=row.reason,
            actor_id=None,
            source=Source.CHANNEL.value,
            source_detail=f"{row.account.provider}:{row.account_id}",
        )
    )
