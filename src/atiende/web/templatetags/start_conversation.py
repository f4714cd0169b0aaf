"""``{% start_conversation_offers customer %}``: the customer page's block of the channels an
agent may write first on (SMS, WhatsApp with a template) and those where the customer must
write first, each with why — read here so the customer page's view needs no change. The page
passes the identities its panel read already (``known``), so the block reads only the
accounts and, per offer, whether a ticket holds the conversation."""

from __future__ import annotations

from typing import Any

from django import template

from atiende.accounts.models import Identity, User
from atiende.messaging.channels.services import starting
from atiende.web.common import actor

register = template.Library()


@register.inclusion_tag("web/start_conversation/_offers.html", takes_context=True)
def start_conversation_offers(
    context: template.Context, customer: User, known: list[Identity] | None = None
) -> dict[str, Any]:
    request = context.get("request")
    if request is None or not isinstance(customer, User) or customer.merged_into_id:
        return {"allowed": [], "refused": []}
    read = known if isinstance(known, list) else None  # a missing variable renders as ""
    offers = starting.offers(actor(request), customer, known=read)
    return {
        "customer": customer,
        "allowed": [offer for offer in offers if offer.allowed],
        "refused": [offer for offer in offers if not offer.allowed],
    }
