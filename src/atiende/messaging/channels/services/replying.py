"""An agent's reply sent the way they chose: on a conversation of the customer's, or by email.

`reply` is ``tickets.services.reply`` with a route (``routes``): ``via`` names it
(``email``, ``channel:<account id>``, or a channel name), else the one the customer last used
on the ticket. In the same transaction it writes the message (its ``channel`` says the way)
and, for a conversation, the queued OUTBOUND ``ChannelMessage`` that names the account and
the address, and the timeline shows "queued" at once.

That row is the route's one decision: a reply has it (a conversation) or not (email, or
nobody to reach) from its commit on, and both outbox handlers read only that — the channel
send (``sending``) sends on the row's conversation, the mail (``messaging.subscribers``) is
not sent when a row exists. A reply written without a chosen route (a rule's, a macro's,
``tickets.services.reply`` directly: written as ``web`` or ``api``) gets its row, when the
customer last wrote on a conversation, from `settle_route` in the same transaction. Nothing
after the commit decides again, so a customer writing another way meanwhile changes nothing.

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
from atiende.tickets.models import Channel, Direction, Message
from atiende.tickets.selectors import get_ticket, message_to_deliver


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
    _write_route(message, route, chosen)
    return message


def settle_route(message_id: int) -> None:
    """Decide the route of public reply ``message_id``, written through a door that names
    none (``web``, ``api``): the customer's last-used way on the ticket
    (``routes.default_route``). A conversation is written down as the queued OUTBOUND row;
    email or nobody leaves none. Runs in the reply's transaction (``channels.subscribers``).
    """
    message = message_to_deliver(message_id)
    if message is None or not message.public or message.direction != Direction.OUTBOUND:
        return
    ticket = message.ticket
    if message.author_id is not None and message.author_id == ticket.requester_id:
        return  # a staff member replying on their own ticket: nobody to send it to
    # Only a conversation needs writing down, so email is not looked up (two queries in all
    # when the customer has no conversation).
    conversations = routes.conversations(ticket)
    route = routes.default_route(ticket, conversations) if conversations else None
    if route is not None and route.account is not None:
        _write_route(message, route, None)


def _write_route(message: Message, route: routes.Route, template: routes.Template | None) -> None:
    """The reply's route, decided: its queued OUTBOUND row on the conversation."""
    assert route.account is not None
    ChannelMessage.objects.create(
        account=route.account,
        message=message,
        direction=ChannelDirection.OUTBOUND,
        address=route.address,
        state=ChannelDeliveryState.QUEUED,
        template=template.name if template is not None else "",
        template_language=template.language if template is not None else "",
    )


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
