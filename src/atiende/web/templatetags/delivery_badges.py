"""``{% channel_delivery delivery %}``: how a message travelled on a messaging channel — the
provider (WhatsApp, Telegram, SMS, Messenger, Instagram) and, for one we sent, how far it got.

The state is a word, never a colour alone: "Queued", "Sent", "Delivered", "Read", or "Not
delivered: <the provider's reason>" (the reason also in the title, for a long one cut by the
layout). The icons repeat the word for the eye and are hidden from screen readers.
"""

from __future__ import annotations

from collections.abc import Callable

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from atiende.messaging.channels.routes import provider_label
from atiende.messaging.selectors import ChannelDelivery

register = template.Library()

STATES: dict[str, tuple[str, Callable[[], str], Callable[[], str]]] = {
    "queued": ("…", lambda: _("Queued"), lambda: _("Waiting to be sent to the provider")),
    "sent": ("✓", lambda: _("Sent"), lambda: _("The provider accepted the message")),
    "delivered": ("✓✓", lambda: _("Delivered"), lambda: _("It reached the customer's device")),
    "read": ("✓✓", lambda: _("Read"), lambda: _("The customer read it")),
}


@register.simple_tag
def channel_delivery(delivery: object) -> SafeString:
    """Nothing for a message that did not travel on a messaging channel (or a page that did
    not read it: an unset variable is ``""``)."""
    if not isinstance(delivery, ChannelDelivery):
        return SafeString("")
    provider = format_html(
        '<span class="channel-provider" data-provider="{}">{}</span> <span class="muted">{}</span>',
        delivery.provider,
        provider_label(delivery.provider),
        delivery.account,
    )
    if not delivery.outbound:
        return format_html('<p class="channel-delivery">{}</p>', provider)
    if delivery.state == "failed":
        reason = delivery.reason or _("no reason given")
        state = format_html(
            '<span class="delivery-state" data-state="failed" title="{}">'
            '<span aria-hidden="true">✗</span> {}</span>',
            reason,
            _("Not delivered: %(reason)s") % {"reason": reason},
        )
    else:
        icon, word, title = STATES.get(delivery.state, ("•", lambda: delivery.state, lambda: ""))
        state = format_html(
            '<span class="delivery-state" data-state="{}" title="{}">'
            '<span aria-hidden="true">{}</span> {}</span>',
            delivery.state,
            title(),
            icon,
            word(),
        )
    return format_html('<p class="channel-delivery">{} · {}</p>', provider, state)
