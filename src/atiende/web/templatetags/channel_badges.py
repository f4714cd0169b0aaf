"""``{% channel_badge message.channel %}``: where a message came from, as an icon and a word.

The word is the channel's translated label (``tickets.models.Channel``); the icon only repeats
it for the eye (``aria-hidden``), so a screen reader hears the word once. A value the model
does not know (data from an older version, an import) shows as itself with a neutral icon
rather than failing the page.
"""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from atiende.tickets.models import Channel

register = template.Library()

ICONS: dict[str, str] = {
    Channel.EMAIL: "✉",
    Channel.WEB: "🌐",
    Channel.PORTAL: "🏠",
    Channel.CHAT: "💬",
    Channel.WHATSAPP: "🟢",
    Channel.TELEGRAM: "✈",
    Channel.SMS: "📱",
    Channel.SOCIAL: "👥",
    Channel.PHONE: "📞",
    Channel.IN_PERSON: "🧑",
    Channel.API: "⚙",
    Channel.ALERT: "🚨",
}
UNKNOWN_ICON = "•"


def channel_label(value: str) -> str:
    """The translated label of a channel value; an unknown value as it is."""
    try:
        return str(Channel(value).label)
    except ValueError:
        return value


@register.simple_tag
def channel_badge(value: str) -> SafeString:
    return format_html(
        '<span class="channel-badge" data-channel="{}"><span class="channel-icon" '
        'aria-hidden="true">{}</span> {}</span>',
        value,
        ICONS.get(value, UNKNOWN_ICON),
        channel_label(value),
    )
