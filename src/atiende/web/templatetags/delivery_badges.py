"""``{% channel_delivery delivery message %}``: how a message travelled — on a messaging
channel (WhatsApp, Telegram, SMS, Messenger, Instagram: the provider and account) or by
email — and, for one we sent, how far it got. One template (``web/ticket/_delivery.html``)
for every channel: the states are the channel contract's (``queued``, ``sent``,
``delivered``, ``read``, ``failed``), so a mail reply and a WhatsApp reply show alike and
refresh alike on ``message.delivery``.

The state is a word, never a colour alone: "Queued", "Sent", "Delivered", "Read", or "Not
delivered: <the provider's reason>" (the reason also in the title, for a long one cut by the
layout); email keeps its own words ("Email sent", "Email not delivered: …") and a failed mail
offers Retry. The icons repeat the word for the eye and are hidden from screen readers.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import template
from django.utils.translation import gettext as _

from atiende.messaging.channels.routes import provider_label
from atiende.messaging.selectors import ChannelDelivery, email_delivery

register = template.Library()

Words = tuple[str, Callable[[], str], Callable[[], str]]
STATES: dict[str, Words] = {
    "queued": ("…", lambda: _("Queued"), lambda: _("Waiting to be sent to the provider")),
    "sent": ("✓", lambda: _("Sent"), lambda: _("The provider accepted the message")),
    "delivered": ("✓✓", lambda: _("Delivered"), lambda: _("It reached the customer's device")),
    "read": ("✓✓", lambda: _("Read"), lambda: _("The customer read it")),
}
EMAIL_STATES: dict[str, Words] = {
    "queued": ("…", lambda: _("Email queued"), lambda: _("Waiting to be sent")),
    "sent": ("✓", lambda: _("Email sent"), lambda: _("Our mail server handed it on")),
}


@register.inclusion_tag("web/ticket/_delivery.html")
def channel_delivery(
    delivery: object, message: object = None, retried: bool = False
) -> dict[str, Any]:
    """Nothing for a message that travelled neither on a messaging channel nor by email (or a
    page that did not read it: an unset variable is ``""``). ``message``: the timeline's
    message, annotated with its email (``messaging.selectors.with_email_state``)."""
    if not isinstance(delivery, ChannelDelivery):
        delivery = email_delivery(message) if message else None
    if delivery is None:
        return {"shown": False}
    email = delivery.provider == "email"
    context: dict[str, Any] = {
        "shown": True,
        "delivery": delivery,
        "email": email,
        "message": message,
        "provider_label": provider_label(delivery.provider),
    }
    if delivery.state == "failed":
        reason = delivery.reason or _("no reason given")
        failed = (
            f"{_('Email not delivered:')} {reason}"
            if email
            else _("Not delivered: %(reason)s") % {"reason": reason}
        )
        return context | {"icon": "✗", "word": failed, "title": reason}
    icon, word, title = (EMAIL_STATES if email else STATES).get(
        delivery.state, ("•", lambda: delivery.state, lambda: "")
    )
    if email and retried and delivery.state == "queued":
        return context | {
            "icon": icon,
            "word": _("Email queued to be sent again"),
            "title": title(),
        }
    return context | {"icon": icon, "word": word(), "title": title()}
