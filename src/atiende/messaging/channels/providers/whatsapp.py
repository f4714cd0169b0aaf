"""WhatsApp Business Cloud API: webhooks in, ``/{phone_number_id}/messages`` out.

Shapes, from developers.facebook.com/documentation/business-messaging/whatsapp:

- webhooks/reference/messages (and its per-type pages text, image, audio, video, document,
  sticker, location, contacts, interactive, button, reaction, unsupported, status, errors):
  ``{"object": "whatsapp_business_account", "entry": [{"id", "changes": [{"field":
  "messages", "value": {"messaging_product", "metadata": {"phone_number_id"}, "contacts":
  [{"wa_id", "profile": {"name"}}], "messages": [...], "statuses": [...]}}]}]}``; every
  message has ``from``, ``id``, ``timestamp`` (unix seconds, a string), ``type`` and an object
  named after its type, ``context.id`` when it answers one of ours.
- reference/whatsapp-business-phone-number/message-api: ``POST /{Version}/{Phone-Number-ID}/
  messages`` with a bearer token; the answer's ``messages[0].id`` is the ``wamid``;
  messages/contextual-replies: ``context.message_id``.
- support/error-codes: which codes are throttling (see ``graph.RETRY_CODES``).

Settings: ``phone_number_id``, ``verify_token``, optional ``api_version`` and
``template_language``; secrets: ``app_secret`` (signature), ``access_token`` (sending).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

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
    get_int,
    get_list,
    get_number,
    get_object,
    get_str,
    need_object,
    need_str,
    need_time,
    objects,
)
from atiende.messaging.channels.providers.outbound import check_length, require_content

__all__ = ["SERVICE_WINDOW", "WhatsAppCloud", "handshake", "window_open"]

handshake = graph.handshake
# Free-form messages may be sent until 24 hours after the customer's last message; later only
# an approved template (messages/send-messages, "Customer service windows").
SERVICE_WINDOW = timedelta(hours=24)
MEDIA_TYPES = ("image", "audio", "video", "document", "sticker")
CAPTIONED = frozenset({"image", "video", "document"})
STATES = {
    "sent": DeliveryState.SENT,
    "delivered": DeliveryState.DELIVERED,
    "read": DeliveryState.READ,
    "failed": DeliveryState.FAILED,
}
DEFAULT_TEMPLATE_LANGUAGE = "es"
# The Cloud API reference's maxima: a text body 4096 characters, a media caption 1024.
TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
# The types each media message plays (media reference, "Supported media types").
MESSAGE_TYPES = {
    "image": frozenset({"image/jpeg", "image/png"}),
    "video": frozenset({"video/mp4", "video/3gpp"}),
    "audio": frozenset({"audio/aac", "audio/amr", "audio/mpeg", "audio/mp4", "audio/ogg"}),
}


def window_open(last_customer_message_at: datetime | None, now: datetime) -> bool:
    """Whether a free-form (non-template) message can still reach the customer."""
    if last_customer_message_at is None:
        return False
    return now - last_customer_message_at < SERVICE_WINDOW


class WhatsAppCloud(graph.GraphWebhooks):
    provider = "whatsapp"
    channel = "whatsapp"

    def split(self, message: OutboundMessage) -> list[OutboundMessage]:
        """``message`` as messages ``send_request`` takes: one attachment each."""
        return graph.split_outbound(message, CAPTIONED)

    def read(self, config: AccountConfig, incoming: Incoming) -> list[Event]:
        payload = graph.load(incoming.body)
        if payload.get("object") != "whatsapp_business_account":
            raise PayloadError(
                _("“object” is not %(value)s.") % {"value": "whatsapp_business_account"},
                field="object",
            )
        ours = config.settings.get("phone_number_id", "")
        events: list[Event] = []
        for i, entry in enumerate(objects(payload, "entry", "", required=True)):
            for j, change in enumerate(objects(entry, "changes", f"entry[{i}]")):
                where = f"entry[{i}].changes[{j}]"
                field = need_str(change, "field", where)
                value = need_object(change, "value", where)
                if field != "messages":
                    continue  # template, quality and account updates: not conversations
                events.extend(_read_value(value, f"{where}.value", ours))
        return events

    def send_request(self, config: AccountConfig, message: OutboundMessage) -> ProviderRequest:
        body: dict[str, object] = {
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": message.to,
            **_content(config, message),
        }
        if message.reply_to:
            body["context"] = {"message_id": message.reply_to}
        phone = config.settings.get("phone_number_id", "")
        return graph.messages_request(config, phone, body)

    def send_result(self, response: ProviderResponse) -> SendResult:
        body = graph.success_body(response)
        if body is None:
            return graph.failure(response)
        sent = body.get("messages")
        first = sent[0] if isinstance(sent, list) and sent else None
        wamid = first.get("id") if isinstance(first, dict) else None
        if isinstance(wamid, str) and wamid:
            return SendResult(provider_id=wamid)
        return graph.failure(response, "the answer carries no messages[0].id")


# --- reading --------------------------------------------------------------------------------


def _read_value(value: JSONObject, where: str, ours: str) -> list[Event]:
    metadata = get_object(value, "metadata", where) or {}
    number = get_str(metadata, "phone_number_id", f"{where}.metadata")
    if ours and number and number != ours:
        # Another number of the same Meta app: not this account's conversation.
        return []
    names: dict[str, str] = {}
    for k, contact in enumerate(objects(value, "contacts", where)):
        at = f"{where}.contacts[{k}]"
        profile = get_object(contact, "profile", at) or {}
        names[get_str(contact, "wa_id", at)] = get_str(profile, "name", f"{at}.profile")
    events: list[Event] = [
        _message(message, f"{where}.messages[{k}]", names)
        for k, message in enumerate(objects(value, "messages", where))
    ]
    for k, status in enumerate(objects(value, "statuses", where)):
        update = _status(status, f"{where}.statuses[{k}]")
        if update is not None:
            events.append(update)
    return events


def _message(message: JSONObject, where: str, names: Mapping[str, str]) -> InboundMessage:
    sender = need_str(message, "from", where)
    kind = need_str(message, "type", where)
    context = get_object(message, "context", where) or {}
    reply_to = get_str(context, "id", f"{where}.context")
    text = ""
    media: tuple[Media, ...] = ()
    at = f"{where}.{kind}"
    if kind == "text":
        text = need_str(need_object(message, kind, where), "body", at)
    elif kind in MEDIA_TYPES:
        medium = _media(need_object(message, kind, where), at)
        text, media = medium.caption, (medium,)
    elif kind == "reaction":
        reaction = need_object(message, kind, where)
        reply_to = get_str(reaction, "message_id", at) or reply_to
        emoji = get_str(reaction, "emoji", at)
        text = _("Reacted with %(emoji)s") % {"emoji": emoji} if emoji else _("Removed a reaction")
    elif kind == "contacts":
        text = _contacts(message, where)
    elif kind in _READERS:
        text = _READERS[kind](need_object(message, kind, where), at)
    else:
        text = _unsupported(message, kind, where)
    return InboundMessage(
        provider_id=need_str(message, "id", where),
        sender=Sender(channel="whatsapp", address=sender, name=names.get(sender, "")),
        text=text,
        sent_at=need_time(message, "timestamp", where),
        media=media,
        reply_to=reply_to,
    )


def _media(body: JSONObject, where: str) -> Media:
    return Media(
        reference=need_str(body, "id", where),
        content_type=get_str(body, "mime_type", where),
        filename=get_str(body, "filename", where),
        caption=get_str(body, "caption", where),
    )


def _location(body: JSONObject, where: str) -> str:
    latitude = get_number(body, "latitude", where)
    longitude = get_number(body, "longitude", where)
    lines = [_("Shared a location")]
    lines += [get_str(body, key, where) for key in ("name", "address")]
    if latitude is not None and longitude is not None:
        lines.append(f"https://www.openstreetmap.org/?mlat={latitude}&mlon={longitude}")
    lines.append(get_str(body, "url", where))
    return "\n".join(line for line in lines if line)


def _contacts(message: JSONObject, where: str) -> str:
    """Shared contact cards (``message.contacts`` is a list, unlike the other types)."""
    lines: list[str] = []
    for k, card in enumerate(objects(message, "contacts", where)):
        at = f"{where}.contacts[{k}]"
        name = get_str(get_object(card, "name", at) or {}, "formatted_name", f"{at}.name")
        lines.append(_("Shared a contact: %(name)s") % {"name": name or "?"})
        for n, phone in enumerate(objects(card, "phones", at)):
            lines.append(get_str(phone, "phone", f"{at}.phones[{n}]"))
        for n, email in enumerate(objects(card, "emails", at)):
            lines.append(get_str(email, "email", f"{at}.emails[{n}]"))
    return "\n".join(line for line in lines if line)


def _interactive(body: JSONObject, where: str) -> str:
    kind = get_str(body, "type", where)
    reply = get_object(body, kind, where) if kind else None
    if reply is None:
        return _("(unsupported message type: %(type)s)") % {"type": f"interactive/{kind}"}
    at = f"{where}.{kind}"
    if kind == "nfm_reply":  # a WhatsApp Flow's answer
        return get_str(reply, "body", at) or get_str(reply, "response_json", at)
    title = get_str(reply, "title", at)
    description = get_str(reply, "description", at)
    return "\n".join(part for part in (title, description) if part)


def _button(body: JSONObject, where: str) -> str:
    """A quick-reply button of a template message."""
    return get_str(body, "text", where) or get_str(body, "payload", where)


def _system(body: JSONObject, where: str) -> str:
    return get_str(body, "body", where)


def _order(body: JSONObject, where: str) -> str:
    items = get_list(body, "product_items", where)
    text = get_str(body, "text", where)
    summary = _("Sent an order of %(count)d items") % {"count": len(items)}
    return "\n".join(part for part in (summary, text) if part)


_READERS = {
    "location": _location,
    "interactive": _interactive,
    "button": _button,
    "system": _system,
    "order": _order,
}


def _unsupported(message: JSONObject, kind: str, where: str) -> str:
    """Kept as a line that says so: a customer's message is never dropped."""
    inner = get_object(message, "unsupported", where) or {}
    named = get_str(inner, "type", f"{where}.unsupported") or kind
    errors = objects(message, "errors", where)
    title = get_str(errors[0], "title", f"{where}.errors[0]") if errors else ""
    text = _("(unsupported message type: %(type)s)") % {"type": named}
    return f"{text} {title}" if title else text


def _status(status: JSONObject, where: str) -> DeliveryUpdate | None:
    name = need_str(status, "status", where)
    state = STATES.get(name)
    if state is None:
        return None  # "deleted", "played", ...: nothing the ticket shows
    reasons = []
    for k, error in enumerate(objects(status, "errors", where)):
        at = f"{where}.errors[{k}]"
        code = get_int(error, "code", at)
        title = get_str(error, "title", at) or get_str(error, "message", at)
        details = get_str(get_object(error, "error_data", at) or {}, "details", f"{at}.error_data")
        words = [str(code) if code is not None else "", title]
        if details and details != title:
            words.append(f"({details})")
        reasons.append(" ".join(word for word in words if word))
    return DeliveryUpdate(
        provider_id=need_str(status, "id", where),
        state=state,
        at=need_time(status, "timestamp", where),
        reason="; ".join(reasons),
    )


# --- sending --------------------------------------------------------------------------------


def _content(config: AccountConfig, message: OutboundMessage) -> dict[str, object]:
    """The ``type`` and its object; one attachment per message (see ``graph.split_outbound``)."""
    if message.template:
        return {"type": "template", "template": _template(config, message)}
    require_content(message)
    if len(message.media) > 1:
        raise MessageRejected(_("WhatsApp sends one attachment per message: split it first"))
    if not message.media:
        check_length(message.text, TEXT_LIMIT, "WhatsApp")
        return {"type": "text", "text": {"body": message.text}}
    medium = message.media[0]
    kind = media_kind(medium.content_type)
    caption = medium.caption or message.text
    if caption and kind not in CAPTIONED:
        raise MessageRejected(
            _("a WhatsApp %(kind)s carries no caption: split it first") % {"kind": kind}
        )
    check_length(caption, CAPTION_LIMIT, "WhatsApp")
    # A URL WhatsApp fetches, or the id of a file uploaded first (``providers.uploads``).
    is_link = medium.reference.startswith(("https://", "http://"))
    body: dict[str, object] = {"link" if is_link else "id": medium.reference}
    if caption:
        body["caption"] = caption
    if kind == "document" and medium.filename:
        body["filename"] = medium.filename
    return {"type": kind, kind: body}


def media_kind(content_type: str) -> str:
    """The message type WhatsApp plays ``content_type`` as (``MESSAGE_TYPES``); any other
    file goes as a ``document``."""
    kind = content_type.split(";")[0].strip().lower()
    return next((name for name, types in MESSAGE_TYPES.items() if kind in types), "document")


def _template(config: AccountConfig, message: OutboundMessage) -> dict[str, object]:
    language = (
        message.template_language
        or config.settings.get("template_language", "")
        or DEFAULT_TEMPLATE_LANGUAGE
    )
    template: dict[str, object] = {"name": message.template, "language": {"code": language}}
    if message.template_params:
        parameters = [{"type": "text", "text": value} for value in message.template_params]
        template["components"] = [{"type": "body", "parameters": parameters}]
    return template
