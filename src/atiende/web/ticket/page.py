"""Reads for the ticket page: the timeline, the header's values and choices, links, agents.

Every ticket read goes through ``tickets.selectors`` (``get_ticket``, ``visible_messages``,
``ticket_events``, ``visible_tickets``); each function issues a fixed number of queries, however
long the conversation, so the page stays bounded.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from django.db.models import Q, QuerySet
from django.utils.safestring import SafeString, mark_safe

from atiende.accounts.models import Group, Role, User
from atiende.automation.sources import source_names
from atiende.core.actor import Actor
from atiende.core.html import display_html, text_to_html
from atiende.messaging.selectors import ChannelDelivery, channel_deliveries, with_email_state
from atiende.tickets import config_cache, visibility
from atiende.tickets.custom_fields import definitions
from atiende.tickets.models import (
    Attachment,
    Category,
    CustomField,
    CustomFieldTarget,
    CustomFieldType,
    Message,
    Priority,
    Status,
    StatusCategory,
    Ticket,
    TicketEvent,
    TicketLink,
)
from atiende.tickets.selectors import (
    ticket_events,
    ticket_links,
    visible_messages,
    visible_tickets,
)
from atiende.web.ticket.history import describe

TIMELINE_LIMIT = 50
HIDDEN_ACTIONS = ("timer_started",)


@dataclass(frozen=True)
class TimelineItem:
    """A message or an event, in the order they happened."""

    at: datetime.datetime
    message: Message | None = None
    event: TicketEvent | None = None
    text: str = ""
    html: SafeString = field(default_factory=lambda: SafeString(""))
    blocked_images: bool = False
    delivery: ChannelDelivery | None = None  # a message on a messaging channel: how it went

    @property
    def is_message(self) -> bool:
        return self.message is not None


@dataclass(frozen=True)
class Timeline:
    items: list[TimelineItem]
    has_earlier: bool
    earliest: datetime.datetime | None
    last_message_id: int


def message_html(message: Message) -> SafeString:
    """The stored HTML, sanitized again on the way out, remote images held back."""
    return shown_html(message.body_html or text_to_html(message.body_text))[0]


def shown_html(source: str, *, remote_images: bool = False) -> tuple[SafeString, bool]:
    """(safe HTML, whether remote images were held back): stored data is never trusted, and
    a remote image loads only when the agent asks for it (it tells the sender who opened)."""
    shown = display_html(source, remote_images=remote_images)
    return mark_safe(shown.html), shown.blocked_images  # noqa: S308  # cleaned by nh3


def message_item(message: Message) -> TimelineItem:
    html, blocked = shown_html(message.body_html or text_to_html(message.body_text))
    return TimelineItem(at=message.created_at, message=message, html=html, blocked_images=blocked)


def timeline(
    actor: Actor,
    ticket: Ticket,
    *,
    before: datetime.datetime | None = None,
    limit: int = TIMELINE_LIMIT,
    custom_names: dict[str, str] | None = None,
) -> Timeline:
    """The latest ``limit`` messages and events (before ``before``), oldest first."""
    messages = with_email_state(  # each message's email state, in the same query
        visible_messages(actor, ticket)
        .select_related("author")
        .prefetch_related("attachments")
        .order_by("-created_at", "-id")
    )
    events = ticket_events(actor, ticket).exclude(action__in=HIDDEN_ACTIONS)
    events = events.order_by("-created_at", "-id")
    if before is not None:
        messages = messages.filter(created_at__lt=before)
        events = events.filter(created_at__lt=before)
    listed = list(events[: limit + 1])
    names = value_names(listed)
    sources = source_names({e.source_detail for e in listed if e.source_detail})
    items = [message_item(m) for m in messages[: limit + 1]]
    on_channels = channel_deliveries([item.message.pk for item in items if item.message])
    items = [
        replace(item, delivery=on_channels.get(item.message.pk)) if item.message else item
        for item in items
    ]
    items += [
        TimelineItem(at=e.created_at, event=e, text=describe(e, custom_names, names, sources))
        for e in listed
    ]
    items.sort(key=lambda item: item.at, reverse=True)
    shown = list(reversed(items[:limit]))
    last_message_id = max((i.message.pk for i in shown if i.message is not None), default=0)
    return Timeline(
        items=shown,
        has_earlier=len(items) > limit,
        earliest=shown[0].at if shown else None,
        last_message_id=last_message_id,
    )


def value_names(events: Iterable[TicketEvent] = ()) -> dict[str, str]:
    """Status and priority names in the reader's language, by ``"<field>:<key>"``, and the
    categories ``events`` mention by ``"category#<id>"`` (one query, only when there are)."""
    names = {f"status:{s.key}": s.name for s in config_cache.statuses()}
    names.update({f"priority:{p.key}": p.name for p in config_cache.priorities()})
    ids = {
        value["id"]
        for event in events
        if event.field == "category"
        for value in (event.old_value, event.new_value)
        if isinstance(value, dict) and isinstance(value.get("id"), int)
    }
    if ids:
        found = Category.objects.filter(pk__in=ids).only("id", "name_en", "name_es")
        names.update({f"category#{c.pk}": c.name for c in found})
    return names


def newer_public_message(actor: Actor, ticket: Ticket, *, after_id: int) -> Message | None:
    """The newest public message someone else added after the one the agent last saw."""
    user_id = actor.user_id
    newer = visible_messages(actor, ticket).filter(public=True, pk__gt=after_id)
    if user_id is not None:
        newer = newer.exclude(author_id=user_id)
    return newer.select_related("author").order_by("-id").first()


def last_message_id(actor: Actor, ticket: Ticket) -> int:
    """The newest message the agent can see: what the composer has "seen" when rendered."""
    newest = visible_messages(actor, ticket).order_by("-id").values_list("pk", flat=True).first()
    return newest or 0


def pending_attachments(actor: Actor, ticket: Ticket, ids: list[int]) -> list[Attachment]:
    """Uploads of this agent on this ticket not yet sent, to show again in a kept composer."""
    # ``ticket`` is in memory: the visibility rule is tested on it, not asked again in SQL.
    if not ids or not visibility.scope_for(actor.user).admits_ticket(ticket):
        return []
    found = Attachment.objects.filter(pk__in=ids, ticket=ticket, message__isnull=True)
    if actor.user is not None:
        found = found.filter(uploaded_by=actor.user)
    return list(found.order_by("id"))


def agents_by_id(ids: list[int]) -> list[User]:
    if not ids:
        return []
    return list(
        User.objects.filter(pk__in=ids, is_active=True, role__in=(Role.AGENT, Role.ADMIN))[:20]
    )


@dataclass(frozen=True)
class CustomValue:
    key: str
    name: str
    value: str


def custom_field_defs() -> list[CustomField]:
    return sorted(definitions(CustomFieldTarget.TICKET).values(), key=lambda f: (f.order, f.pk))


def custom_values(ticket: Ticket, defs: list[CustomField]) -> list[CustomValue]:
    """The ticket's custom field values as text, in the configured order."""
    values = []
    for definition in defs:
        raw = ticket.custom_fields.get(definition.key)
        if raw in (None, "", []):
            text = ""
        elif definition.type == CustomFieldType.MULTISELECT and isinstance(raw, list):
            text = ", ".join(str(v) for v in raw)
        elif definition.type == CustomFieldType.CHECKBOX:
            text = "✓" if raw else "✗"
        else:
            text = str(raw)
        values.append(CustomValue(key=definition.key, name=definition.name, value=text))
    return values


def next_statuses(ticket: Ticket) -> list[Status]:
    """The statuses the ticket may move to now, the current one first."""
    current = ticket.status
    if current.category == StatusCategory.CLOSED:
        return [current]
    allowed = config_cache.allowed_next(current.pk)
    if not allowed:
        allowed = [s for s in config_cache.statuses() if s.is_active]
    return [current] + [s for s in allowed if s.pk != current.pk]


def first_status(ticket: Ticket, category: StatusCategory) -> Status | None:
    """The first status of ``category`` the ticket may move to (for "Solve", "send + pending")."""
    for status in next_statuses(ticket):
        if status.category == category and status.pk != ticket.status_id:
            return status
    return None


def priorities() -> list[Priority]:
    return config_cache.priorities()


def groups() -> list[Group]:
    return list(Group.objects.filter(is_active=True).order_by("name"))


def categories() -> list[Category]:
    return list(Category.objects.filter(is_active=True).order_by("name_en"))


def agents_for(group_id: int | None) -> QuerySet[User]:
    """Active agents who may work a ticket of ``group_id``: its members and admins (everyone
    when there is no group)."""
    agents = User.objects.filter(is_active=True, role__in=(Role.AGENT, Role.ADMIN))
    if group_id is not None:
        agents = agents.filter(Q(role=Role.ADMIN) | Q(groups=group_id)).distinct()
    return agents.order_by("name", "id")


def mentionable(ticket: Ticket, q: str, *, limit: int = 8) -> list[User]:
    """Agents who can see the ticket (``visibility.staff_seeing``) whose name or email starts
    with ``q``."""
    agents = User.objects.filter(
        visibility.staff_seeing(group_id=ticket.group_id, assignee_id=ticket.assignee_id)
    ).distinct()
    if q.strip():
        word = q.strip()
        agents = agents.filter(
            Q(name__istartswith=word) | Q(name__icontains=f" {word}") | Q(email__istartswith=word)
        )
    return list(agents.order_by("name", "id")[:limit])


@dataclass(frozen=True)
class LinkView:
    kind: str
    ticket: Ticket


@dataclass(frozen=True)
class Related:
    links: list[LinkView]
    merged_from: list[Ticket]
    merged_into: Ticket | None


def related(actor: Actor, ticket: Ticket) -> Related:
    """Links whose other end the agent can see, and merges in both directions."""
    links: QuerySet[TicketLink] = ticket_links(actor, ticket).select_related("source", "target")
    views = []
    for link in links:
        other = link.target if link.source_id == ticket.pk else link.source
        label = link.get_kind_display()
        views.append(LinkView(kind=str(label), ticket=other))
    merged_from = list(visible_tickets(actor).filter(merged_into=ticket).order_by("number")[:50])
    merged_into = None
    if ticket.merged_into_id is not None:
        merged_into = visible_tickets(actor).filter(pk=ticket.merged_into_id).first()
    return Related(links=views, merged_from=merged_from, merged_into=merged_into)
