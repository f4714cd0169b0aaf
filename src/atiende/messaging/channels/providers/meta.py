"""Facebook Messenger and Instagram messaging: one webhook shape, one Send API.

Shapes, from developers.facebook.com/documentation/business-messaging/messenger-platform:

- webhooks/webhook-events/messages: ``{"object": "page", "entry": [{"id", "time",
  "messaging": [{"sender": {"id": PSID}, "recipient": {"id": PAGE_ID}, "timestamp": ms,
  "message": {"mid", "text", "attachments": [{"type", "payload": {"url"}}], "reply_to":
  {"mid"}}}]}]}``; message-echoes: our own sends come back with ``message.is_echo``;
  message-deliveries: ``delivery: {"mids": [...], "watermark": ms}`` (``mids`` may be absent);
  message-reads: ``read: {"watermark": ms}``; messaging_postbacks: ``postback: {"mid",
  "title", "payload"}``.
- instagram-messaging/webhooks: the same events under ``"object": "instagram"``, with
  ``read: {"mid"}`` (messaging_seen) naming the message read, ``is_deleted`` and
  ``is_unsupported`` flags on ``message``.
- Send API (messenger-platform/reference/send-api, instagram .../send-message): ``POST
  /{version}/{PAGE_ID or me}/messages`` with ``recipient.id``, ``messaging_type: RESPONSE`` and
  ``message.text`` or ``message.attachment: {"type", "payload": {"url"}}``; the answer is
  ``{"recipient_id", "message_id"}``. The page token goes in an ``Authorization: Bearer``
  header rather than the documented ``access_token`` query parameter, which the Graph API
  accepts alike and which would leak into access logs.

Watermarks: a delivery without ``mids`` or a Messenger read (which carries only a
watermark, "every message before this time") names no message, and an update with an empty
``provider_id`` could match any unsent row; both are skipped. Messenger reads are therefore
not reported until the contract can say "everything sent to this PSID before T".

Settings: ``page_id`` (or the Instagram account id; ``me`` when unset), ``verify_token``,
optional ``api_version``; secrets: ``app_secret``, ``access_token`` (a page token).
"""

from __future__ import annotations

from datetime import datetime

from django.utils.translation import gettext as _

from atiende.messaging.channels.contract import (
    AccountConfig,
    DeliveryState,
    DeliveryUpdate,
    Event,
    InboundMessage,
    Incoming,
    Media,
    MessageRejected,
    OutboundMessage,
    PayloadError,
    ProviderRequest,
    ProviderResponse,
    Sender,
    SendResult,
)
from atiende.messaging.channels.providers import graph
from atiende.messaging.channels.providers.fields import (
    Fields as JSONObject,
)
from atiende.messaging.channels.providers.fields import (
    get_list,
    get_object,
    get_str,
    need_int,
    need_object,
    need_str,
    objects,
    time_of,
)
from atiende.messaging.channels.providers.outbound import check_length, require_content

__all__ = ["Instagram", "Messenger", "handshake"]

handshake = graph.handshake
MEDIA_TYPES = ("image", "video", "audio", "file")
SEND_TYPES = {"image": "image", "video": "video", "audio": "audio", "document": "file"}
# Timestamps are milliseconds; the postback reference shows seconds, as a string.
_MILLIS_FROM = 10**11


class _MetaMessaging(graph.GraphWebhooks):
    """The common half of Messenger and Instagram; subclasses name the webhook object."""

    provider = ""
    channel = "social"
    webhook_object = ""
    sender_channel = ""
    text_limit = 0  # characters a text may have; 0: not documented, not checked

    def split(self, message: OutboundMessage) -> list[OutboundMessage]:
        """``message`` as messages ``send_request`` takes: text, or one attachment."""
        return graph.split_outbound(message)

    def read(self, config: AccountConfig, incoming: Incoming) -> list[Event]:
        payload = graph.load(incoming.body)
        if payload.get("object") != self.webhook_object:
            raise PayloadError(
                _("“object” is not %(value)s.") % {"value": self.webhook_object}, field="object"
            )
        events: list[Event] = []
        for i, entry in enumerate(objects(payload, "entry", "", required=True)):
            for j, event in enumerate(objects(entry, "messaging", f"entry[{i}]")):
                events.extend(self._event(event, f"entry[{i}].messaging[{j}]"))
        return events

    def send_request(self, config: AccountConfig, message: OutboundMessage) -> ProviderRequest:
        body = {
            "recipient": {"id": message.to},
            "messaging_type": "RESPONSE",
            "message": _content(message, self.text_limit),
        }
        page = config.settings.get("page_id", "") or "me"
        return graph.messages_request(config, page, body)

    def send_result(self, response: ProviderResponse) -> SendResult:
        body = graph.success_body(response)
        if body is None:
            return graph.failure(response)
        mid = body.get("message_id")
        if isinstance(mid, str) and mid:
            return SendResult(provider_id=mid)
        return graph.failure(response, "the answer carries no message_id")

    # --- reading ----------------------------------------------------------------------------

    def _event(self, event: JSONObject, where: str) -> list[Event]:
        if "message" in event:
            message = self._message(event, where)
            return [] if message is None else [message]
        if "postback" in event:
            return [self._postback(event, where)]
        if "delivery" in event:
            return _delivery(event, where)
        if "read" in event:
            return _read(event, where)
        return []  # reactions, referrals, opt-ins, handovers: not a customer's text

    def _sender(self, event: JSONObject, where: str) -> Sender:
        sender = need_object(event, "sender", where)
        at = f"{where}.sender"
        address = get_str(sender, "id", at) or need_str(sender, "user_ref", at)
        return Sender(channel=self.sender_channel, address=address)

    def _message(self, event: JSONObject, where: str) -> InboundMessage | None:
        at = f"{where}.message"
        message = need_object(event, "message", where)
        if message.get("is_echo") is True or message.get("is_deleted") is True:
            return None  # our own send coming back; an unsent Instagram message
        lines = [get_str(message, "text", at)]
        media: list[Media] = []
        for k, attachment in enumerate(objects(message, "attachments", at)):
            medium, line = _attachment(attachment, f"{at}.attachments[{k}]")
            if medium is not None:
                media.append(medium)
            lines.append(line)
        reply = get_object(message, "reply_to", at) or {}
        story = get_object(reply, "story", f"{at}.reply_to")
        if story is not None:
            url = get_str(story, "url", f"{at}.reply_to.story")
            lines.insert(0, _("Replied to a story: %(url)s") % {"url": url})
        if message.get("is_unsupported") is True or not (any(lines) or media):
            lines.append(_("(unsupported message type: %(type)s)") % {"type": "unknown"})
        return InboundMessage(
            provider_id=need_str(message, "mid", at),
            sender=self._sender(event, where),
            text="\n".join(line for line in lines if line),
            sent_at=_time(event, "timestamp", where),
            media=tuple(media),
            reply_to=get_str(reply, "mid", f"{at}.reply_to"),
        )

    def _postback(self, event: JSONObject, where: str) -> InboundMessage:
        """A tapped button or menu item: its title is what the customer "said"."""
        at = f"{where}.postback"
        postback = need_object(event, "postback", where)
        title = get_str(postback, "title", at) or get_str(postback, "payload", at)
        sender = self._sender(event, where)
        sent_at = _time(event, "timestamp", where)
        # ``mid`` arrived with v11; before it, the sender and the time identify the tap.
        fallback = f"postback:{sender.address}:{int(sent_at.timestamp() * 1000)}"
        return InboundMessage(
            provider_id=get_str(postback, "mid", at) or fallback,
            sender=sender,
            text=title,
            sent_at=sent_at,
        )


class Messenger(_MetaMessaging):
    provider = "messenger"
    webhook_object = "page"
    sender_channel = "facebook"
    text_limit = 2000  # Send API reference: "UTF-8 and has a 2000 character limit"


class Instagram(_MetaMessaging):
    provider = "instagram"
    webhook_object = "instagram"
    sender_channel = "instagram"


def _time(data: JSONObject, key: str, where: str) -> datetime:
    number = need_int(data, key, where)
    return time_of(number, f"{where}.{key}", millis=number >= _MILLIS_FROM)


def _attachment(attachment: JSONObject, where: str) -> tuple[Media | None, str]:
    """A downloadable medium, or a line of text for shares, links and unsupported kinds."""
    kind = get_str(attachment, "type", where)
    payload = get_object(attachment, "payload", where) or {}
    url = get_str(payload, "url", f"{where}.payload")
    if kind in MEDIA_TYPES and url:
        return Media(reference=url), ""
    title = get_str(payload, "title", f"{where}.payload") or get_str(attachment, "title", where)
    if url or title:
        return None, " ".join(part for part in (title, url) if part)
    return None, _("(unsupported message type: %(type)s)") % {"type": kind or "unknown"}


def _delivery(event: JSONObject, where: str) -> list[Event]:
    delivery = need_object(event, "delivery", where)
    at = f"{where}.delivery"
    mids = get_list(delivery, "mids", at)
    if not mids:
        return []  # a watermark alone names no message (module docstring)
    when = _time(delivery, "watermark", at)
    updates: list[Event] = []
    for k, mid in enumerate(mids):
        if not isinstance(mid, str) or not mid:
            field = f"{at}.mids[{k}]"
            raise PayloadError(_("“%(field)s” is not text.") % {"field": field}, field=field)
        updates.append(DeliveryUpdate(provider_id=mid, state=DeliveryState.DELIVERED, at=when))
    return updates


def _read(event: JSONObject, where: str) -> list[Event]:
    read = need_object(event, "read", where)
    mid = get_str(read, "mid", f"{where}.read")
    if not mid:
        return []  # Messenger's watermark-only read (module docstring)
    at = _time(event, "timestamp", where) if "timestamp" in event else None
    return [DeliveryUpdate(provider_id=mid, state=DeliveryState.READ, at=at)]


def _content(message: OutboundMessage, text_limit: int) -> dict[str, object]:
    """``message.text`` or one ``attachment``: never both (see ``split``)."""
    if message.template:
        raise MessageRejected(_("Messenger and Instagram have no templates to send"))
    require_content(message)
    if not message.media:
        if text_limit:
            check_length(message.text, text_limit, "Messenger")
        return {"text": message.text}
    if len(message.media) > 1 or message.text or message.media[0].caption:
        raise MessageRejected(_("a message carries text or one attachment: split it first"))
    medium = message.media[0]
    kind = SEND_TYPES[graph.media_kind(medium.content_type)]
    return {"attachment": {"type": kind, "payload": {"url": medium.reference}}}
