"""What the sending adapters share before building a request: refusing what a provider
cannot carry (``MessageRejected``, never a silent cut) and splitting what it carries only in
parts."""

from __future__ import annotations

from dataclasses import replace

from django.utils.translation import gettext as _

from atiende.messaging.channels.contract import MessageRejected, OutboundMessage


def require_content(message: OutboundMessage) -> None:
    """Refuse a message with neither text nor attachments (a template is content too)."""
    if not (message.text or message.media or message.template):
        raise MessageRejected(_("The message has neither text nor attachments."))


def check_length(text: str, limit: int, provider: str, *, utf16: bool = False) -> None:
    """Refuse ``text`` longer than ``limit`` characters — UTF-16 code units when ``utf16``
    (Telegram counts so) — rather than let the provider cut it or fail."""
    length = len(text.encode("utf-16-le")) // 2 if utf16 else len(text)
    if length > limit:
        raise MessageRejected(
            _("The message is %(length)d characters long; %(provider)s takes at most %(limit)d.")
            % {"length": length, "provider": provider, "limit": limit}
        )


def check_media_count(message: OutboundMessage, limit: int, provider: str) -> None:
    if len(message.media) > limit:
        raise MessageRejected(
            _("%(provider)s sends at most %(limit)d attachments in one message.")
            % {"provider": provider, "limit": limit}
        )


def media_batches(message: OutboundMessage, limit: int) -> list[OutboundMessage]:
    """``message`` with its attachments in batches of at most ``limit``: the text and
    ``reply_to`` go with the first batch. ``[message]`` when it has no more than ``limit``."""
    if len(message.media) <= limit:
        return [message]
    return [
        replace(
            message,
            media=tuple(message.media[start : start + limit]),
            text=message.text if start == 0 else "",
            reply_to=message.reply_to if start == 0 else "",
        )
        for start in range(0, len(message.media), limit)
    ]
