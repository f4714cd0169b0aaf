"""Telegram through the Bot API: webhook updates in, ``sendMessage`` & co. out.

Follows the Bot API as documented at https://core.telegram.org/bots/api (version 9):

* ``setWebhook(secret_token=…)`` makes Telegram send the secret back in the
  ``X-Telegram-Bot-Api-Secret-Token`` header of every update: that header is the only proof of
  origin Telegram gives (there is no body signature).
* An ``Update`` carries ``update_id`` and at most one of ``message``, ``edited_message``,
  ``channel_post``, ``callback_query``, ``my_chat_member`` …; a ``Message`` has ``message_id``
  (unique *within its chat* only), ``date`` (Unix time), ``chat`` and, in private chats,
  ``from``, plus one kind of content (``text``; ``photo`` / ``document`` / … with a
  ``caption``; ``location``; ``contact`` …).

Choices:

* Only **private chats** open conversations. A bot in a group sees other people's talk (or, in
  privacy mode, only commands), and a reply to the group would reach all its members: group,
  supergroup and channel messages are read as no event at all.
* Telegram has **no delivery or read receipts** for bots: ``read`` never yields a
  ``DeliveryUpdate``; a message is "sent" once ``send_result`` has its id.
* ``business_message`` (a bot connected to a Telegram Business account) is left out: answering
  needs the ``business_connection_id``, which ``OutboundMessage`` cannot carry.
* Attachments are referenced by ``file_id``; the intake downloads them with ``getFile``.

This module reads updates; building the ``sendMessage`` & co. requests and reading their
answers is ``telegram_send``, to which ``TelegramBot`` hands ``split``, ``send_request`` and
``send_result``.
"""

from __future__ import annotations

import hmac

from django.utils.translation import gettext as _

from atiende.messaging.channels.contract import (
    AccountConfig,
    Event,
    InboundMessage,
    Incoming,
    Media,
    OutboundMessage,
    PayloadError,
    ProviderRequest,
    ProviderResponse,
    Sender,
    SendResult,
    SignatureError,
)
from atiende.messaging.channels.providers import telegram_send
from atiende.messaging.channels.providers.fields import (
    Fields,
    as_object,
    get_str,
    need_int,
    need_number,
    need_object,
    need_str,
    time_of,
)
from atiende.messaging.channels.providers.payload import load_object

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 (a header name)
PRIVATE = "private"
# Content a customer can send that we do not turn into text or media: named so that the agent
# knows something arrived.
UNSHOWN_CONTENT = ("poll", "game", "invoice", "story", "paid_media", "giveaway", "checklist")


class TelegramBot:
    """The pure half of a Telegram bot (see the module docstring for the documented shapes).

    ``config.secrets``: ``bot_token`` (from @BotFather) and ``webhook_secret`` (the
    ``secret_token`` given to ``setWebhook``).
    """

    provider = "telegram"
    channel = "telegram"

    def verify(self, config: AccountConfig, incoming: Incoming) -> None:
        """Telegram echoes the webhook's secret token: compare it in constant time."""
        expected = config.secrets.get("webhook_secret", "")
        given = incoming.header(SECRET_HEADER)
        if not expected:
            raise SignatureError(_("The Telegram account has no webhook secret."))
        if not given:
            raise SignatureError(
                _("The request has no %(header)s header.") % {"header": SECRET_HEADER}
            )
        if not hmac.compare_digest(given.encode("utf-8", "replace"), expected.encode("utf-8")):
            raise SignatureError(_("The Telegram secret token does not match."))

    def read(self, config: AccountConfig, incoming: Incoming) -> list[Event]:
        """One update holds at most one message; other update kinds are no event."""
        update = load_object(incoming.body, "update")
        need_int(update, "update_id", "update", strings=False)
        for kind in ("message", "edited_message"):
            if kind in update:
                message = as_object(update[kind], kind)
                read = _message(message, kind, edited=kind == "edited_message")
                return [read] if read else []
        # channel_post, callback_query (we send no inline keyboards), my_chat_member (the
        # customer blocked or restarted the bot), message_reaction, business_message … and
        # kinds added to the API later: nothing a ticket needs.
        return []

    def split(self, message: OutboundMessage) -> list[OutboundMessage]:
        """Attachments in albums, a text too long to caption them first (``telegram_send``)."""
        return telegram_send.split(message)

    def send_request(self, config: AccountConfig, message: OutboundMessage) -> ProviderRequest:
        """``sendMessage``, ``sendPhoto``/… or ``sendMediaGroup`` (``telegram_send``)."""
        return telegram_send.send_request(config, message)

    def send_result(self, response: ProviderResponse) -> SendResult:
        """The sent message's id, or the error and whether to retry (``telegram_send``)."""
        return telegram_send.send_result(response)


# -- reading ------------------------------------------------------------------------------


def _message(message: Fields, path: str, *, edited: bool) -> InboundMessage | None:
    """A private chat's message; ``None`` for other chats (see the module docstring) and for
    service messages that carry nothing the customer wrote."""
    chat = need_object(message, "chat", path)
    chat_id = need_int(chat, "id", f"{path}.chat", strings=False)
    chat_type = need_str(chat, "type", f"{path}.chat", empty=True)
    message_id = need_int(message, "message_id", path, strings=False)
    date = need_int(message, "date", path, strings=False)
    if chat_type != PRIVATE:
        return None
    person = as_object(message["from"], f"{path}.from") if "from" in message else chat
    provider_id = f"{chat_id}:{message_id}"
    if edited:
        edit_date = need_int(message, "edit_date", path, strings=False)
        provider_id += f":edit:{edit_date}"
        date = edit_date
    text, media = _content(message, path)
    if not text and not media:
        return None  # a service message: pinned_message, write_access_allowed, …
    if edited:
        text = _("(Edited) %(text)s") % {"text": text}
    reply_to = ""
    if "reply_to_message" in message:
        replied = as_object(message["reply_to_message"], f"{path}.reply_to_message")
        replied_id = need_int(replied, "message_id", f"{path}.reply_to_message", strings=False)
        reply_to = f"{chat_id}:{replied_id}"
    return InboundMessage(
        provider_id=provider_id,
        sender=Sender(channel="telegram", address=str(chat_id), name=_name(person, path)),
        text=text,
        sent_at=time_of(date, f"{path}.date"),
        media=tuple(media),
        reply_to=reply_to,
    )


def _name(person: Fields, path: str) -> str:
    first = get_str(person, "first_name", path)
    last = get_str(person, "last_name", path)
    full = f"{first} {last}".strip()
    return full or get_str(person, "username", path)


def _content(message: Fields, path: str) -> tuple[str, list[Media]]:
    """The message's text (or caption, or a description) and its attachments."""
    caption = get_str(message, "caption", path)
    parts = [get_str(message, "text", path) or caption]
    media: list[Media] = []
    if "photo" in message:
        sizes = message["photo"]
        if not isinstance(sizes, list) or not sizes:
            raise PayloadError(
                _("%(field)s must be a non-empty list.") % {"field": f"{path}.photo"},
                field=f"{path}.photo",
            )
        photos = [as_object(size, f"{path}.photo[{n}]") for n, size in enumerate(sizes)]
        largest = max(photos, key=lambda size: _area(size, f"{path}.photo"))
        media.append(_file(largest, f"{path}.photo", "image/jpeg", caption))
    for key, default in (
        ("animation", "video/mp4"),
        ("video", "video/mp4"),
        ("video_note", "video/mp4"),
        ("voice", "audio/ogg"),
        ("audio", "audio/mpeg"),
        ("document", ""),
    ):
        if key in message and not (key == "document" and "animation" in message):
            # An animation also fills ``document`` for old clients: one attachment.
            media.append(
                _file(as_object(message[key], f"{path}.{key}"), f"{path}.{key}", default, caption)
            )
    if "sticker" in message:
        sticker = as_object(message["sticker"], f"{path}.sticker")
        kind = "image/webp"
        if sticker.get("is_animated") is True:
            kind = "application/x-tgsticker"
        elif sticker.get("is_video") is True:
            kind = "video/webm"
        media.append(_file(sticker, f"{path}.sticker", kind, ""))
        parts.append(_("Sticker %(emoji)s") % {"emoji": get_str(sticker, "emoji", path)})
    if "venue" in message:
        venue = as_object(message["venue"], f"{path}.venue")
        parts.append(f"{get_str(venue, 'title', path)}, {get_str(venue, 'address', path)}")
    elif "location" in message:
        parts.append(
            _location(as_object(message["location"], f"{path}.location"), f"{path}.location")
        )
    if "contact" in message:
        parts.append(_contact(as_object(message["contact"], f"{path}.contact"), f"{path}.contact"))
    for key in UNSHOWN_CONTENT:
        if key in message:
            parts.append(
                _("[The customer sent a Telegram %(kind)s, which cannot be shown here.]")
                % {"kind": key}
            )
    return "\n".join(part.strip() for part in parts if part.strip()), media


def _location(location: Fields, path: str) -> str:
    latitude = need_number(location, "latitude", path)
    longitude = need_number(location, "longitude", path)
    link = f"https://www.openstreetmap.org/?mlat={latitude}&mlon={longitude}"
    return _("Location: %(latitude)s, %(longitude)s %(link)s") % {
        "latitude": latitude,
        "longitude": longitude,
        "link": link,
    }


def _contact(contact: Fields, path: str) -> str:
    phone = need_str(contact, "phone_number", path, empty=True)
    first = need_str(contact, "first_name", path, empty=True)
    name = f"{first} {get_str(contact, 'last_name', path)}".strip()
    return _("Contact: %(name)s %(phone)s") % {"name": name, "phone": phone}


def _file(file: Fields, path: str, default_type: str, caption: str) -> Media:
    size = file.get("file_size", 0)
    return Media(
        reference=need_str(file, "file_id", path, empty=True),
        content_type=get_str(file, "mime_type", path) or default_type,
        filename=get_str(file, "file_name", path),
        size=size if isinstance(size, int) and not isinstance(size, bool) and size > 0 else 0,
        caption=caption,
    )


def _area(size: Fields, path: str) -> int:
    width = need_int(size, "width", path, strings=False)
    return width * need_int(size, "height", path, strings=False)
