"""An agent's reply sent the way they chose: on a conversation of the customer's, or by email.

`reply` is ``tickets.services.reply`` with a route (``routes``): ``via`` names it
(``email``, ``channel:<account id>``, or a channel name), else the one the customer last used
on the ticket. In the same transaction it writes the message (its ``channel`` says the way)
and, for a conversation, the queued OUTBOUND ``ChannelMessage`` that names the account and
the address: the send after the commit (``sending``) reads the route from it, and the
timeline shows "queued" at once.

WhatsApp's 24-hour window is checked here, where the agent can still change the reply: outside
it a free text is refused (``Invalid`` on ``body``) and only an approved template of the
account (``routes.templates_of``) may be sent; its parameters are the lines of the text.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from atiende.core.actor import Actor
from atiende.core.errors import Invalid
from atiende.messaging.channels import routes
from atiende.messaging.channels.services.sending import window_closed_reason
from atiende.messaging.models import ChannelDeliveryState, ChannelDirection, ChannelMessage
from atiende.tickets import services as tickets
from atiende.tickets.models import Channel, Message
from atiende.tickets.selectors import get_ticket


@transaction.atomic
def reply(
    actor: Actor,
    *,
    ticket_id: int,
    body: str,
    body_html: str = "",
    public: bool = True,
    via: str = "",
    template: str = "",
    channel: str | None = None,
    attachment_ids: Sequence[int] = (),
    mentions: Sequence[int] = (),
    status: str | None = None,
    version: int | None = None,
) -> Message:
    """Reply (or note) as ``tickets.services.reply`` does, sent the way ``via`` says."""
    write = partial(
        tickets.reply,
        actor,
        ticket_id=ticket_id,
        attachment_ids=attachment_ids,
        mentions=mentions,
        status=status,
        version=version,
    )
    via = via.strip()
    staff = actor.user is not None and actor.user.is_agent
    if (via or template) and not (public and staff):
        raise Invalid.field("via", _("Only an agent's public reply is sent to the customer."))
    if not public or not staff:
        # A note, or a customer's own message (the portal, the API): sent to nobody.
        return write(body=body, body_html=body_html, public=public, channel=channel)
    if not via and channel not in (None, *routes.OPEN_DOORS, *routes.CONVERSATION_CHANNELS):
        # A reply logged as given by phone, in person …: written as before, sent by nobody
        # but the mail (``email``) as ever.
        return write(body=body, body_html=body_html, channel=channel)
    ticket = get_ticket(actor, ticket_id)
    reachable = routes.reachable(ticket)
    wanted = via or (channel if channel in routes.CONVERSATION_CHANNELS else "")
    if wanted:
        route = routes.pick(reachable, wanted)
        if route is None:
            raise Invalid.field("via", _("The customer cannot be reached that way."))
    else:
        route = routes.default_route(ticket, reachable)
    if route is None or route.account is None:
        if template:
            raise Invalid.field("template", _("Templates are sent on WhatsApp only."))
        written = Channel.EMAIL if route is not None and via else channel
        return write(body=body, body_html=body_html, channel=written)
    chosen = _template(route, template)
    if chosen is None and route.needs_template(timezone.now()):
        raise Invalid.field("body", window_closed_reason())
    if chosen is not None and attachment_ids:
        raise Invalid.field("template", _("A WhatsApp template carries no attachments."))
    if chosen is not None:
        values = [line.strip() for line in body.splitlines() if line.strip()]
        label = _("WhatsApp template “%(name)s” (%(language)s)") % {
            "name": chosen.name,
            "language": chosen.language,
        }
        body, body_html = "\n".join([label, *values]), ""
    message = write(body=body, body_html=body_html, channel=route.channel)
    ChannelMessage.objects.create(
        account=route.account,
        message=message,
        direction=ChannelDirection.OUTBOUND,
        address=route.address,
        state=ChannelDeliveryState.QUEUED,
        template=chosen.name if chosen is not None else "",
        template_language=chosen.language if chosen is not None else "",
    )
    return message


def _template(route: routes.Route, value: str) -> routes.Template | None:
    """The account's template named ``value`` (``name`` or ``name:language``)."""
    if not value.strip():
        return None
    if route.account is None or route.provider != "whatsapp":
        raise Invalid.field("template", _("Templates are sent on WhatsApp only."))
    name, _sep, language = value.strip().partition(":")
    for template in routes.templates_of(route.account):
        if template.name == name and (not language or template.language == language):
            return template
    raise Invalid.field(
        "template", _("%(name)s is not an approved template of this account.") % {"name": name}
    )
