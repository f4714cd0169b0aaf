"""The customer panel beside a ticket's conversation: who this is and what else they asked.

Every ticket read goes through ``visible_tickets``, so an agent sees only the customer's
tickets they may open. The panel costs a fixed handful of queries however many tickets the
customer has: a count and one capped list (``tickets.selectors.customer_conversations``: every
channel, open ones first, then by latest message).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from atiende.accounts.models import Identity, IdentityChannel, Organization, User
from atiende.core.actor import Actor
from atiende.tickets.models import (
    ACTIVE_CATEGORIES,
    Channel,
    CustomField,
    CustomFieldTarget,
    CustomFieldType,
    Ticket,
)
from atiende.tickets.selectors import customer_conversations, visible_tickets

PANEL_TICKETS = 20
# A glyph per channel, shown beside its (always present) text label.
CHANNEL_ICONS: dict[str, str] = {
    Channel.EMAIL: "✉",
    Channel.WEB: "⌨",
    Channel.PORTAL: "⌂",
    Channel.CHAT: "❝",
    Channel.WHATSAPP: "✆",
    Channel.TELEGRAM: "✈",
    Channel.SMS: "✉",
    Channel.SOCIAL: "#",
    Channel.PHONE: "☎",
    Channel.IN_PERSON: "☺",
    Channel.API: "⚙",
    Channel.ALERT: "⚠",
}
# The same for the addresses a person is known by.
IDENTITY_ICONS: dict[str, str] = {
    IdentityChannel.EMAIL: "✉",
    IdentityChannel.PHONE: "☎",
    IdentityChannel.WHATSAPP: "✆",
    IdentityChannel.TELEGRAM: "✈",
    IdentityChannel.SMS: "✉",
    IdentityChannel.FACEBOOK: "ⓕ",
    IdentityChannel.INSTAGRAM: "◎",
    IdentityChannel.X: "✕",
    IdentityChannel.CHAT: "❝",
    IdentityChannel.ALERT: "⚠",
}


@dataclass(frozen=True)
class FieldValue:
    """A custom field as shown: its definition's label and a readable value."""

    key: str
    label: str
    value: str


@dataclass(frozen=True)
class TicketRow:
    """One ticket in a customer's or organization's history."""

    id: int
    number: int
    subject: str
    status: str
    status_category: str
    channel: str
    channel_label: str
    icon: str
    created_at: datetime.datetime
    # The latest message (its opening for a ticket without one): when they last spoke.
    last_activity: datetime.datetime
    is_open: bool
    requester: str
    current: bool


@dataclass(frozen=True)
class IdentityRow:
    """One address of the customer as shown: its channel's glyph and label, and the address
    (``_identity_value.html`` makes phones ``tel:`` and emails ``mailto:`` links)."""

    pk: int
    channel: str
    channel_label: str
    icon: str
    value: str
    verified: bool


def ticket_rows(
    tickets: Iterable[Ticket], *, current_ticket_id: int | None = None
) -> list[TicketRow]:
    """Rows for tickets read with ``select_related("status", "requester")``."""
    return [
        TicketRow(
            id=t.pk,
            number=t.number,
            subject=t.subject,
            status=t.status.name,
            status_category=t.status.category,
            channel=t.channel,
            channel_label=t.get_channel_display(),
            icon=CHANNEL_ICONS.get(t.channel, "•"),
            created_at=t.created_at,
            last_activity=t.last_message_at or t.created_at,
            is_open=t.status.category in ACTIVE_CATEGORIES,
            requester=t.requester.display_name,
            current=t.pk == current_ticket_id,
        )
        for t in tickets
    ]


def known_identities(customer: User) -> list[Identity]:
    """Every address the customer is known by, on every channel (one query)."""
    return list(Identity.objects.filter(user=customer).order_by("channel", "value", "pk"))


def identity_rows(identities: list[Identity]) -> list[IdentityRow]:
    """The customer's identities as the panel shows them."""
    return [
        IdentityRow(
            pk=identity.pk,
            channel=identity.channel,
            channel_label=identity.get_channel_display(),
            icon=IDENTITY_ICONS.get(identity.channel, "•"),
            value=identity.value,
            verified=identity.verified_at is not None,
        )
        for identity in identities
    ]


def field_values(target: CustomFieldTarget, values: dict[str, Any]) -> list[FieldValue]:
    """The record's custom fields in the configured order, labelled; unknown keys by key."""
    if not values:
        return []
    shown: list[FieldValue] = []
    defined = CustomField.objects.filter(target=target, key__in=list(values))
    for definition in defined:
        raw = values.get(definition.key)
        if raw in (None, "", []):
            continue
        shown.append(FieldValue(definition.key, definition.name, _readable(definition, raw)))
    known = {f.key for f in defined}
    shown += [
        FieldValue(key, key, str(raw))
        for key, raw in sorted(values.items())
        if key not in known and raw not in (None, "", [])
    ]
    return shown


def _readable(definition: CustomField, raw: Any) -> str:
    if definition.type == CustomFieldType.CHECKBOX:
        return _("Yes") if raw else _("No")
    if isinstance(raw, list):
        return ", ".join(str(v) for v in raw)
    return str(raw)


def customer_panel(
    actor: Actor, customer: User, *, current_ticket_id: int | None = None
) -> dict[str, Any]:
    """Context for ``web/customers/_panel.html``: who the customer is, every address they are
    known by and their conversations on every channel."""
    theirs = visible_tickets(actor).filter(requester=customer)
    open_count = theirs.filter(status__category__in=ACTIVE_CATEGORIES).count()
    latest = list(customer_conversations(actor, customer)[: PANEL_TICKETS + 1])
    organization: Organization | None = None
    if customer.organization_id is not None:
        organization = customer.organization
    identities = known_identities(customer)
    merged_into: User | None = None
    if customer.merged_into_id is not None:
        merged_into = User.objects.filter(pk=customer.merged_into_id).first()
    return {
        "customer": customer,
        "organization": organization,
        "merged_into": merged_into,
        "identities": identity_rows(identities),
        "known_identities": identities,  # the start-a-conversation block reads them too
        "fields": field_values(CustomFieldTarget.USER, customer.custom_fields),
        "open_count": open_count,
        "tickets": ticket_rows(latest[:PANEL_TICKETS], current_ticket_id=current_ticket_id),
        "more": len(latest) > PANEL_TICKETS,
        "current_ticket_id": current_ticket_id,
    }
