"""Every domain event's payload, declared once: the contract between a change and its readers.

Subscribers, rules, SLA timers, webhooks and metrics read these, so they live in one module at
the bottom of the dependency graph (``core``): every app can publish or read an event without
importing another app, and this file is the whole catalogue (``EVENT_TYPES``) a webhook
document or a schema test walks. Payloads are frozen dataclasses of ids and plain JSON values
(``core.event_schema`` checks each field's runtime type and the JSON round trip).

Every event names the acting user (``actor_id``, ``None`` for the system), the door the change
came through (``source``: a ``core.actor.Source`` value) and ``source_detail`` (the rule id,
the mailbox or channel id, the job; ``Actor.detail``).
"""

from __future__ import annotations

from dataclasses import dataclass

# A value as the audit trail snapshots it (``tickets.audit.snapshot``): ids and names, never
# model instances.
type JSONValue = bool | int | float | str | list[JSONValue] | dict[str, JSONValue] | None


@dataclass(frozen=True)
class FieldChange:
    """One changed field: its name and its old and new value (``None`` when there was none)."""

    field: str
    old: JSONValue
    new: JSONValue


@dataclass(frozen=True)
class TicketCreated:
    """A new ticket; it carries its first values so readers need not load it back."""

    ticket_id: int
    number: int
    actor_id: int | None
    source: str
    channel: str
    subject: str = ""
    requester_id: int | None = None
    group_id: int | None = None
    assignee_id: int | None = None
    status_id: int | None = None
    priority_id: int | None = None
    source_detail: str = ""
    # Rules whose changes were applied as the ticket was opened (its values above already
    # hold them; its history names each rule): they have fired for this event.
    rules_applied: tuple[int, ...] = ()
    # Rules found not to hold for the ticket as it was opened: the written ticket is the one
    # they were checked against, so they are not checked again for this event.
    rules_declined: tuple[int, ...] = ()


@dataclass(frozen=True)
class TicketUpdated:
    """Fields of a ticket changed. ``fields`` names them (in order, once each); ``changes``
    gives each one's old and new value, one entry per audit record."""

    ticket_id: int
    actor_id: int | None
    source: str
    fields: tuple[str, ...]
    changes: tuple[FieldChange, ...] = ()
    source_detail: str = ""


@dataclass(frozen=True)
class TicketDeleted:
    """A ticket was deleted for good (with its conversation and history): only this says so."""

    ticket_id: int
    number: int
    actor_id: int | None
    source: str
    source_detail: str = ""


@dataclass(frozen=True)
class MessageAdded:
    ticket_id: int
    message_id: int
    actor_id: int | None
    source: str
    public: bool
    direction: str
    source_detail: str = ""
    channel: str = ""  # the message's ``tickets.Channel`` value (the way it came or goes)


@dataclass(frozen=True)
class AgentsMentioned:
    """Agents named with @ in a message; each is notified."""

    ticket_id: int
    message_id: int
    actor_id: int | None
    user_ids: tuple[int, ...]
    source: str
    source_detail: str = ""


@dataclass(frozen=True)
class TicketsMerged:
    """``source_id``'s conversation moved into ``target_id`` (``source`` is the door)."""

    source_id: int
    target_id: int
    actor_id: int | None
    source: str
    source_detail: str = ""


@dataclass(frozen=True)
class TicketLinked:
    source_id: int
    target_id: int
    kind: str
    actor_id: int | None
    source: str
    source_detail: str = ""


@dataclass(frozen=True)
class TicketUnlinked:
    """A link between two tickets was removed (``link_id`` no longer exists)."""

    link_id: int
    source_id: int
    target_id: int
    kind: str
    actor_id: int | None
    source: str
    source_detail: str = ""


@dataclass(frozen=True)
class CustomersMerged:
    """``source_id`` was folded into ``target_id``: its tickets and identities now belong there."""

    source_id: int
    target_id: int
    actor_id: int | None
    ticket_ids: tuple[int, ...]
    identity_ids: tuple[int, ...]
    source: str
    source_detail: str = ""


# --- SLA (issue 14, the sla app): a timer's warning, breach and escalation levels ---------


@dataclass(frozen=True)
class SlaWarning:
    """A target (``first_reply``, ``next_reply``, ``periodic_update``, ``resolution``) of
    ``policy_id`` will be breached at ``due_at`` (ISO 8601): the policy's warning time before."""

    ticket_id: int
    policy_id: int
    target: str
    due_at: str
    source: str
    actor_id: int | None = None
    source_detail: str = ""


@dataclass(frozen=True)
class SlaBreached:
    """A target of ``policy_id`` was not met by ``due_at`` (ISO 8601)."""

    ticket_id: int
    policy_id: int
    target: str
    due_at: str
    source: str
    actor_id: int | None = None
    source_detail: str = ""


@dataclass(frozen=True)
class SlaEscalated:
    """Escalation ``level`` (1–4) of a target was reached: ``actions`` (the automation action
    vocabulary) are to run on the ticket; the automation app subscribes and runs them."""

    ticket_id: int
    policy_id: int
    target: str
    level: int
    actions: tuple[JSONValue, ...]
    source: str
    actor_id: int | None = None
    source_detail: str = ""


EVENT_TYPES: tuple[type, ...] = (
    TicketCreated,
    TicketUpdated,
    TicketDeleted,
    MessageAdded,
    AgentsMentioned,
    TicketsMerged,
    TicketLinked,
    TicketUnlinked,
    CustomersMerged,
    SlaWarning,
    SlaBreached,
    SlaEscalated,
)


# --- assignment (issue 14): agent availability --------------------------------------------


@dataclass(frozen=True)
class AgentAvailabilityChanged:
    """An agent's availability for new tickets changed: ``status`` is what they chose
    (online / away / offline), ``available`` whether assignment may now give them tickets;
    ``reason`` says what changed it ("status", "seen" after idling, "out_of_office",
    "returned", "capacity")."""

    user_id: int
    status: str
    available: bool
    reason: str
    actor_id: int | None
    source: str
    source_detail: str = ""


EVENT_TYPES = (*EVENT_TYPES, AgentAvailabilityChanged)


# --- knowledge base (issue 15) ------------------------------------------------------------


@dataclass(frozen=True)
class ArticlePublished:
    """A translation's text was published (first time, a new version, a restore, a scheduled
    publication): search indexes and suggestions read it from here."""

    translation_id: int
    article_id: int
    language: str
    version: int
    visibility: str
    actor_id: int | None
    source: str
    source_detail: str = ""


@dataclass(frozen=True)
class ArticleWithdrawn:
    """A published translation is no longer readable: archived, unpublished or deleted
    (``reason``); indexes drop it."""

    translation_id: int
    article_id: int
    language: str
    reason: str
    actor_id: int | None
    source: str
    source_detail: str = ""


EVENT_TYPES = (*EVENT_TYPES, ArticlePublished, ArticleWithdrawn)


# --- knowledge base: authoring (issue 15, the kb app) -------------------------------------


@dataclass(frozen=True)
class ArticleVerificationDue:
    """An article's verify-by date passed: its owner is told once per date."""

    article_id: int
    translation_id: int | None
    title: str
    owner_id: int
    verify_by: str  # ISO date
    actor_id: int | None
    source: str
    source_detail: str = ""


EVENT_TYPES = (*EVENT_TYPES, ArticleVerificationDue)


# --- surveys (issue 15): satisfaction ratings ----------------------------------------------


@dataclass(frozen=True)
class TicketRated:
    """A customer rated a ticket's resolution episode (or changed their rating: ``old_rating``
    is the rating it replaced). Ratings are labels: "good"/"bad" or "1"…"5"."""

    ticket_id: int
    request_id: int
    episode: int
    rating: str
    old_rating: str | None
    actor_id: int | None
    source: str
    source_detail: str = ""


EVENT_TYPES = (*EVENT_TYPES, TicketRated)


# --- channels (issue 16): how far a message sent on a messaging channel got ---------------


@dataclass(frozen=True)
class MessageDeliveryChanged:
    """A message sent on a messaging channel (WhatsApp, Telegram, SMS, Messenger, Instagram)
    or by email moved from ``old_state`` to ``new_state`` (queued, sent, delivered, read,
    failed): the send's answer, the provider's receipt, a mail's bounce or an agent's retry of
    a failed mail. ``reason`` is the provider's (or mail server's) words on a failure;
    ``provider`` names the channel account's provider, ``"email"`` for a mail."""

    ticket_id: int
    message_id: int
    provider: str
    old_state: str
    new_state: str
    actor_id: int | None
    source: str
    reason: str = ""
    source_detail: str = ""


EVENT_TYPES = (*EVENT_TYPES, MessageDeliveryChanged)


# --- live chat (issue 16): a chat becomes the team's --------------------------------------


@dataclass(frozen=True)
class ChatQueued:
    """A chat's ticket now waits for the team: opened on a widget without a bot (``reason``
    empty), or handed over by the bot (``reason``: "asked", "keyword", "second_miss",
    "no_kb", "bot_off"). Assignment takes it from here; while the bot still answers a chat,
    its ticket is nobody's and counts against no one's chat capacity."""

    ticket_id: int
    session_id: int
    widget_id: int
    reason: str
    actor_id: int | None
    source: str
    source_detail: str = ""


EVENT_TYPES = (*EVENT_TYPES, ChatQueued)
