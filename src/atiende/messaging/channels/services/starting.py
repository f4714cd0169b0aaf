"""An agent writes first: a new conversation with a customer on a messaging channel.

Only where the provider lets a business write first (`FIRST_WRITERS`):

- **SMS** (Twilio): free text, to a number with its country code — Twilio sends only to E.164
  numbers, and the customer's answer comes back from that form, so it threads here;
- **WhatsApp**: an approved template of the account (``routes.templates_of``) — Meta refuses
  free text from a business outside the 24 hours after the customer's last message, so free
  text only while that window is open;
- **Telegram, Messenger, Instagram**: never — a bot or a page may only answer people who wrote
  to it first; the customer page says so.

The conversation is a new ticket in the account's group, assigned to the agent, opened with an
internal note that says who started it where; the agent's message is then a public reply
written with its OUTBOUND ``ChannelMessage`` (account, address) in the same transaction, as
``replying.reply`` writes a chosen route: the send after the commit is ``sending``'s, and the
customer's answer threads into the ticket by (account, address)
(``conversations.open_conversation``). The address has the form the provider sends back:
WhatsApp's ``wa_id`` is the number without "+" (identities keep it with "+").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from atiende.accounts.models import Identity, Role, User
from atiende.accounts.selectors import get_user
from atiende.core.actor import Actor
from atiende.core.errors import Conflict, Forbidden, Invalid
from atiende.messaging.channels import routes
from atiende.messaging.channels.services.conversations import open_conversation
from atiende.messaging.models import (
    ChannelAccount,
    ChannelDeliveryState,
    ChannelDirection,
    ChannelMessage,
)
from atiende.tickets import services as tickets
from atiende.tickets.models import Message
from atiende.tickets.visibility import group_ids

# The identity channel each messaging provider reaches a customer by.
PROVIDER_IDENTITY = {
    "whatsapp": "whatsapp",
    "twilio_sms": "sms",
    "telegram": "telegram",
    "messenger": "facebook",
    "instagram": "instagram",
}
IDENTITY_PROVIDERS = {channel: provider for provider, channel in PROVIDER_IDENTITY.items()}
FIRST_WRITERS = frozenset({"whatsapp", "twilio_sms"})
MAX_SUBJECT = 200


@dataclass(frozen=True)
class Offer:
    """One way to write first to the customer: their ``identity`` on ``account``; ``refusal``
    says why not (empty when it can be done)."""

    identity: Identity
    account: ChannelAccount | None
    address: str
    refusal: str = ""
    needs_template: bool = False
    templates: tuple[routes.Template, ...] = field(default=())
    open_ticket_id: int | None = None

    @property
    def allowed(self) -> bool:
        return not self.refusal

    @property
    def value(self) -> str:
        """What a form names this offer by: ``<identity id>:<account id>``."""
        return f"{self.identity.pk}:{self.account.pk if self.account else 0}"

    @property
    def channel_label(self) -> str:
        return routes.provider_label(IDENTITY_PROVIDERS.get(self.identity.channel, ""))

    @property
    def label(self) -> str:
        if self.account is None:
            return f"{self.channel_label} ({self.identity.value})"
        return _("%(channel)s · %(account)s (%(address)s)") % {
            "channel": self.channel_label,
            "account": self.account.name,
            "address": self.identity.value,
        }


def offers(actor: Actor, customer: User, *, known: Sequence[Identity] | None = None) -> list[Offer]:
    """Every messaging identity of ``customer`` against every active account of its provider
    that ``actor`` works with, each with whether a conversation can start there (and why
    not); an identity with no such account is one refused offer.

    ``known``: the customer's identities when the caller has read them already (the customer
    page lists them), so they are not read again."""
    candidates: Sequence[Identity] = (
        known
        if known is not None
        else list(Identity.objects.filter(user=customer, channel__in=list(IDENTITY_PROVIDERS)))
    )
    identities = sorted(
        (i for i in candidates if i.user_id == customer.pk and i.channel in IDENTITY_PROVIDERS),
        key=lambda i: (i.channel, i.pk),
    )
    if not identities:
        return []
    accounts = list(
        ChannelAccount.objects.filter(
            active=True, provider__in={IDENTITY_PROVIDERS[i.channel] for i in identities}
        ).select_related("group")
    )
    found: list[Offer] = []
    for identity in identities:
        provider = IDENTITY_PROVIDERS[identity.channel]
        usable = [a for a in accounts if a.provider == provider and works_with(actor, a)]
        if not usable:
            found.append(_refused(identity, provider))
        found.extend(offer(identity, account) for account in usable)
    return found


def offer(identity: Identity, account: ChannelAccount) -> Offer:
    """Whether a conversation with ``identity`` can start on ``account`` now."""
    address = address_of(identity)
    provider = account.provider
    if provider not in FIRST_WRITERS:
        return Offer(identity, account, address, refusal=write_first_reason(provider))
    if provider == "twilio_sms" and not address.startswith("+"):
        refusal = _("SMS needs the number with its country code (+…); edit the identity.")
        return Offer(identity, account, address, refusal=refusal)
    holding = open_conversation(account, address)
    if holding is not None:
        refusal = _("A ticket already holds this conversation: answer there.")
        return Offer(identity, account, address, refusal=refusal, open_ticket_id=holding)
    templates = tuple(routes.templates_of(account)) if provider == "whatsapp" else ()
    needs = _route(account, address).needs_template(timezone.now())
    if needs and not templates:
        refusal = _(
            "WhatsApp lets a business write first only with an approved template, and this "
            "account lists none (its “templates” setting)."
        )
        return Offer(identity, account, address, refusal=refusal, needs_template=True)
    return Offer(identity, account, address, needs_template=needs, templates=templates)


def _refused(identity: Identity, provider: str) -> Offer:
    """An identity no account of its provider can write to for this agent."""
    if provider not in FIRST_WRITERS:
        reason = write_first_reason(provider)
    else:
        reason = _("No active %(channel)s account of a group you work in.") % {
            "channel": routes.provider_label(provider)
        }
    return Offer(identity, None, address_of(identity), refusal=reason)


def write_first_reason(provider: str) -> str:
    if provider == "telegram":
        return _("Telegram bots cannot write first: the customer must write to the bot.")
    if provider in ("messenger", "instagram"):
        return _(
            "%(channel)s lets a page answer only people who wrote to it first: the customer "
            "must write first."
        ) % {"channel": routes.provider_label(provider)}
    return _("%(channel)s cannot start a conversation.") % {
        "channel": routes.provider_label(provider)
    }


def address_of(identity: Identity) -> str:
    """The identity as the provider names the customer (``ChannelMessage.address``)."""
    if identity.channel == "whatsapp":
        return identity.value.lstrip("+")  # Meta's wa_id: the number without "+"
    return identity.value


def works_with(actor: Actor, account: ChannelAccount) -> bool:
    """Whether ``actor`` may open and answer tickets in the account's group."""
    user = actor.user
    if user is None or not user.is_active or not user.is_agent:
        return False
    if user.is_admin or account.group_id is None:
        return True
    return account.group_id in group_ids(user)  # read once per request (the gate's memo)


def start_conversation(
    actor: Actor,
    *,
    customer_id: int,
    account_id: int,
    body: str,
    body_html: str = "",
    identity_id: int | None = None,
    subject: str = "",
    template: str = "",
) -> Message:
    """Open a ticket with ``customer`` whose first public message goes out on ``account``;
    the agent's message, or with ``template`` the approved template whose values are the
    lines of ``body``. Refusals are ``Invalid`` naming the field (``account_id``,
    ``identity_id``, ``template``), ``Conflict`` when an open ticket already holds the
    conversation."""
    agent = actor.user
    if agent is None or not agent.is_agent or not agent.is_active:
        raise Forbidden(_("Only agents start conversations."))
    customer = get_user(actor, customer_id, field="customer_id")
    if customer.role != Role.CUSTOMER:
        raise Invalid.field("customer_id", _("Conversations start with customers only."))
    if not customer.is_active:
        raise Invalid.field("customer_id", _("The customer is suspended."))
    account = ChannelAccount.objects.filter(pk=account_id, active=True).first()
    if account is None or account.provider not in PROVIDER_IDENTITY:
        raise Invalid.field("account_id", _("No active messaging account has this id."))
    if not works_with(actor, account):
        raise Invalid.field(
            "account_id", _("You do not work in this account's group: its tickets are not yours.")
        )
    identity = _identity(customer, account, identity_id)
    found = offer(identity, account)
    if found.open_ticket_id is not None:
        raise Conflict(found.refusal, extra={"conversation_ticket_id": found.open_ticket_id})
    if not found.allowed:
        raise Invalid.field("account_id", found.refusal)
    chosen = _template(account, template)
    if chosen is None and found.needs_template:
        raise Invalid.field(
            "template",
            _("WhatsApp lets a business write first only with an approved template: choose one."),
        )
    route = _route(account, found.address)
    if chosen is not None:
        values = [line.strip() for line in body.splitlines() if line.strip()]
        label = _("WhatsApp template “%(name)s” (%(language)s)") % {
            "name": chosen.name,
            "language": chosen.language,
        }
        body, body_html = "\n".join([label, *values]), ""
    title = " ".join(subject.split())[:MAX_SUBJECT] or _(
        "%(channel)s conversation with %(name)s"
    ) % {"channel": found.channel_label, "name": customer.display_name or identity.value}
    note = _("%(agent)s started this conversation on %(route)s.") % {
        "agent": agent.display_name,
        "route": found.label,
    }
    with transaction.atomic():
        ticket = tickets.open_ticket(
            actor,
            subject=title,
            body=note,
            requester=customer,
            public=False,
            channel=route.channel,
            group_id=account.group_id,
            assignee_id=agent.pk,
        )
        message = tickets.reply(
            actor, ticket_id=ticket.pk, body=body, body_html=body_html, channel=route.channel
        )
        ChannelMessage.objects.create(
            account=account,
            message=message,
            direction=ChannelDirection.OUTBOUND,
            address=found.address,
            state=ChannelDeliveryState.QUEUED,
            template=chosen.name if chosen is not None else "",
            template_language=chosen.language if chosen is not None else "",
        )
    return message


def _identity(customer: User, account: ChannelAccount, identity_id: int | None) -> Identity:
    channel = PROVIDER_IDENTITY[account.provider]
    mine = Identity.objects.filter(user=customer, channel=channel).order_by("pk")
    found = mine.filter(pk=identity_id).first() if identity_id is not None else mine.first()
    if found is not None:
        return found
    if identity_id is not None:
        raise Invalid.field(
            "identity_id", _("The customer has no such identity on this account's channel.")
        )
    raise Invalid.field(
        "account_id",
        _("The customer has no %(channel)s identity: add their address first.")
        % {"channel": routes.provider_label(account.provider)},
    )


def _route(account: ChannelAccount, address: str) -> routes.Route:
    """The conversation as a reply route, with the customer's last message on it (the
    WhatsApp window)."""
    last_in = ChannelMessage.objects.filter(
        account=account, address=address, direction=ChannelDirection.INBOUND
    ).aggregate(last=Max("created_at"))["last"]
    return routes.Route(kind="channel", address=address, account=account, last_inbound_at=last_in)


def _template(account: ChannelAccount, value: str) -> routes.Template | None:
    """The account's approved template named ``value`` (``name`` or ``name:language``)."""
    if not value.strip():
        return None
    if account.provider != "whatsapp":
        raise Invalid.field("template", _("Templates are sent on WhatsApp only."))
    name, _sep, language = value.strip().partition(":")
    for template in routes.templates_of(account):
        if template.name == name and (not language or template.language == language):
            return template
    raise Invalid.field(
        "template", _("%(name)s is not an approved template of this account.") % {"name": name}
    )
