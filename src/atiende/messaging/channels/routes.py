"""The ways a reply can reach a ticket's customer: by email, or on a conversation they had
with one of our channel accounts (a WhatsApp number, a Telegram bot, an SMS number, a page).

A *route* is chosen per reply, in the reply's transaction: the composer and the API offer
`reachable` routes, defaulting to the one the customer last used (`default_route`); a
conversation chosen is written down as the reply's queued OUTBOUND ``ChannelMessage``
(``channels.services.replying``). After the commit both outbox handlers read only that
(`goes_on_conversation`): the mail and the channel send cannot disagree, so a reply never goes
out twice nor is lost, whatever the customer writes meanwhile. Reads only; the writers are
``channels.services.replying`` and ``sending``.

WhatsApp only carries free text until 24 hours after the customer's last message
(``providers.whatsapp.window_open``); later, only an approved template (`Template`), which
the account lists in its settings (``templates``: ``name`` or ``name:language``, separated by
commas or new lines).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Max, Q
from django.utils.translation import gettext as _

from atiende.messaging.channels import registry
from atiende.messaging.channels.providers import whatsapp
from atiende.messaging.models import ChannelAccount, ChannelDirection, ChannelMessage, Mailbox
from atiende.messaging.outbound.queue import deliverable
from atiende.tickets.models import Channel, Ticket
from atiende.tickets.selectors import latest_customer_message

EMAIL = "email"
CHANNEL_PREFIX = "channel:"
MAX_CONVERSATIONS = 10  # routes offered per customer: their most recent conversations
PROVIDER_LABELS = {
    "whatsapp": "WhatsApp",
    "telegram": "Telegram",
    "twilio_sms": "SMS",
    "messenger": "Messenger",
    "instagram": "Instagram",
}
# The ticket channels of the messaging apps: their conversations are answered where they are.
CONVERSATION_CHANNELS = frozenset(adapter.channel for adapter in registry.SENDERS.values())
# Doors a customer writes through that are no conversation to answer on: a reply goes by email.
OPEN_DOORS = (Channel.WEB, Channel.PORTAL, Channel.API)
_TEMPLATE_NAME = re.compile(r"[a-z0-9_]{1,512}")
_LANGUAGE = re.compile(r"[A-Za-z]{2,3}(?:_[A-Za-z0-9]{2,8})?")


@dataclass(frozen=True)
class Template:
    """An approved WhatsApp message template the account may send: name and language."""

    name: str
    language: str

    @property
    def value(self) -> str:
        return f"{self.name}:{self.language}"


@dataclass(frozen=True)
class Route:
    """Email to ``address``, or the conversation with ``address`` on ``account``."""

    kind: str  # EMAIL or "channel"
    address: str
    account: ChannelAccount | None = None
    last_inbound_at: datetime | None = None  # the customer's last message on this route
    on_ticket: bool = False  # a conversation of this very ticket (not another of theirs)

    @property
    def value(self) -> str:
        """What a form or the API names this route by: ``email`` or ``channel:<account id>``."""
        return EMAIL if self.account is None else f"{CHANNEL_PREFIX}{self.account.pk}"

    @property
    def provider(self) -> str:
        return self.account.provider if self.account is not None else EMAIL

    @property
    def channel(self) -> str:
        """The ``tickets.Channel`` value of a message sent this way."""
        adapter = registry.sender(self.provider) if self.account is not None else None
        return adapter.channel if adapter is not None else Channel.EMAIL

    @property
    def label(self) -> str:
        if self.account is None:
            return _("Email (%(address)s)") % {"address": self.address}
        return _("%(channel)s · %(account)s (%(address)s)") % {
            "channel": provider_label(self.provider),
            "account": self.account.name,
            "address": self.address,
        }

    def needs_template(self, now: datetime) -> bool:
        """Whether only an approved template can reach the customer now (WhatsApp's window)."""
        if self.provider != "whatsapp":
            return False
        return not whatsapp.window_open(self.last_inbound_at, now)


def provider_label(provider: str) -> str:
    return PROVIDER_LABELS.get(provider, provider)


def templates_of(account: ChannelAccount) -> list[Template]:
    """The approved templates ``account`` lists in ``settings["templates"]``; entries that are
    not ``name`` or ``name:language`` (Meta's name rules) are left out."""
    settings = account.settings if isinstance(account.settings, dict) else {}
    default = str(settings.get("template_language") or whatsapp.DEFAULT_TEMPLATE_LANGUAGE)
    found: list[Template] = []
    for entry in re.split(r"[,\n]", str(settings.get("templates") or "")):
        name, _sep, language = entry.strip().partition(":")
        name, language = name.strip(), (language.strip() or default)
        if _TEMPLATE_NAME.fullmatch(name) and _LANGUAGE.fullmatch(language):
            template = Template(name=name, language=language)
            if template not in found:
                found.append(template)
    return found


def email_route(ticket: Ticket) -> Route | None:
    """The requester's email, when mail can reach it (never one of our own mailboxes)."""
    requester = ticket.requester
    email = (requester.email or "").strip()
    if not email or not requester.is_active or not deliverable(email):
        return None
    if Mailbox.objects.filter(address__iexact=email).exists():
        return None
    return Route(kind=EMAIL, address=email)


def conversations(ticket: Ticket) -> list[Route]:
    """The requester's conversations on active sending accounts, most recent first (two
    queries, however many messages)."""
    rows = (
        ChannelMessage.objects.filter(
            message__ticket__requester_id=ticket.requester_id,
            account__active=True,
            account__provider__in=list(registry.SENDERS),
        )
        .exclude(address="")
        .values("account_id", "address")
        .annotate(
            newest=Max("id"),
            last_in=Max("created_at", filter=Q(direction=ChannelDirection.INBOUND)),
            here=Max("id", filter=Q(message__ticket_id=ticket.pk)),
        )
        .order_by("-newest")[:MAX_CONVERSATIONS]
    )
    found = list(rows)
    accounts = ChannelAccount.objects.in_bulk({row["account_id"] for row in found})
    return [
        Route(
            kind="channel",
            address=row["address"],
            account=accounts[row["account_id"]],
            last_inbound_at=row["last_in"],
            on_ticket=row["here"] is not None,
        )
        for row in found
        if row["account_id"] in accounts
    ]


def reachable(ticket: Ticket) -> list[Route]:
    """Every route a reply on ``ticket`` may take: the conversations, then email."""
    routes = conversations(ticket)
    email = email_route(ticket)
    return [*routes, email] if email is not None else routes


def default_route(ticket: Ticket, routes: list[Route]) -> Route | None:
    """The route the customer last used on this ticket: the conversation of their latest
    message here, or email when it came by email; a ticket with no such message (an agent
    opened it, a web form) answers on its newest conversation, else by email.

    A conversation on another of the customer's tickets is never a default (only chosen):
    a reply on a ticket of another channel (live chat, phone) is that channel's business.
    """
    email = next((route for route in routes if route.kind == EMAIL), None)
    latest = latest_customer_message(ticket.pk)
    if latest is not None and latest[1] not in OPEN_DOORS:
        link = (
            ChannelMessage.objects.filter(message_id=latest[0], direction=ChannelDirection.INBOUND)
            .values_list("account_id", "address")
            .first()
        )
        if link is None:
            return email if latest[1] == Channel.EMAIL else None
        return next(
            (r for r in routes if r.account is not None and (r.account.pk, r.address) == link),
            None,
        )
    here = next((route for route in routes if route.on_ticket), None)
    return here or email


def pick(routes: list[Route], value: str) -> Route | None:
    """The route named ``value`` (``email``, ``channel:<id>``) or, for a channel name
    (``whatsapp``, ``sms`` …), the most recent conversation on that channel."""
    for route in routes:
        if route.value == value:
            return route
    for route in routes:
        if route.account is not None and value in (route.channel, route.provider):
            return route
    return None


def goes_on_conversation(message_id: int) -> bool:
    """Whether reply ``message_id`` was given a conversation to go on in its transaction (its
    queued OUTBOUND row: ``channels.services.replying``). The one decision both outbox
    handlers read: the channel send sends it, the mail leaves it."""
    return ChannelMessage.objects.filter(
        message_id=message_id, direction=ChannelDirection.OUTBOUND
    ).exists()
