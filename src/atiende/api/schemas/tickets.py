"""Ticket, message, attachment and link schemas: separate input and output shapes."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Annotated, Any, Literal

from ninja import Schema
from pydantic import Field, StringConstraints, model_validator

from atiende.api.body_format import BodyFormat
from atiende.api.schemas.common import (
    Body,
    BodyIn,
    Clean,
    Email,
    Id,
    Key,
    LongText,
    Name,
    NamedRef,
    Page,
    Query,
    TagName,
    Timestamp,
    UpdateIn,
    UserRef,
    Version,
)
from atiende.messaging.outbound.states import contract_state
from atiende.messaging.selectors import ChannelDelivery, channel_deliveries, email_inbound_ids
from atiende.tickets.models import Channel, Direction

Subject = Annotated[str, Clean, StringConstraints(max_length=255)]
CustomFieldFilter = Annotated[str, Clean, StringConstraints(min_length=3, max_length=300)]
ChannelName = Annotated[str, Clean, StringConstraints(max_length=16)]
TicketTypeName = Literal["question", "incident", "problem", "task"]
SortName = Literal[
    "created_at", "-created_at", "updated_at", "-updated_at", "number", "-number", "priority",
    "-priority",
]  # fmt: skip


class StatusOut(Schema):
    id: int
    key: str
    name: str
    category: str


class PriorityOut(Schema):
    id: int
    key: str
    name: str
    color: str
    order: int


class TicketOut(Schema):
    id: int
    number: int
    subject: str
    status: StatusOut
    priority: PriorityOut
    type: str
    channel: str
    requester: UserRef
    organization: NamedRef | None
    group: NamedRef | None
    assignee: UserRef | None
    category: NamedRef | None
    tags: list[str]
    custom_fields: dict[str, Any]
    resolution: str
    merged_into_id: int | None
    first_response_at: datetime.datetime | None
    solved_at: datetime.datetime | None
    closed_at: datetime.datetime | None
    last_message_at: datetime.datetime | None
    first_response_due_at: datetime.datetime | None
    next_response_due_at: datetime.datetime | None
    resolution_due_at: datetime.datetime | None
    version: int
    created_at: datetime.datetime
    updated_at: datetime.datetime

    @staticmethod
    def resolve_tags(obj: Any) -> list[str]:
        return sorted(tag.name for tag in obj.tags.all())


TicketPage = Page[TicketOut]


class RequesterIn(BodyIn):
    email: Email
    name: Name = ""


class TicketCreateIn(BodyIn):
    subject: Subject
    body: Body
    body_html: Body = ""
    format: BodyFormat = Field(
        default="text",
        description=(
            "How ``body`` is written: ``text`` (with an optional ``body_html``), ``markdown`` "
            "(rendered to safe HTML and a plain-text part, as the agent composer does) or "
            "``html`` (sanitized)."
        ),
    )
    public: bool = True
    requester: RequesterIn | None = None
    requester_id: Id | None = None
    priority: Key | None = None
    status: Key | None = None
    type: TicketTypeName = "question"
    group_id: Id | None = None
    assignee_id: Id | None = None
    category_id: Id | None = None
    tags: list[TagName] = Field(default_factory=list, max_length=100)
    channel: ChannelName | None = None
    custom_fields: dict[Key, Any] = Field(default_factory=dict)

    @model_validator(mode="after")
    def one_requester(self) -> TicketCreateIn:
        if self.requester is not None and self.requester_id is not None:
            raise ValueError("give either requester or requester_id, not both")
        return self


class TicketUpdateIn(UpdateIn):
    """Only the fields present are changed; ``version`` is the one the caller last saw."""

    nullable = frozenset({"group_id", "assignee_id", "category_id"})

    version: Version
    subject: Subject | None = None
    status: Key | None = None
    priority: Key | None = None
    type: TicketTypeName | None = None
    group_id: Id | None = None
    assignee_id: Id | None = None
    category_id: Id | None = None
    requester_id: Id | None = None
    tags: list[TagName] | None = Field(default=None, max_length=100)
    custom_fields: dict[Key, Any] | None = None
    resolution: LongText | None = None


class TicketFiltersIn(Schema):
    status: list[Key] = Field(default_factory=list)
    status_category: list[Key] = Field(default_factory=list)
    priority: list[Key] = Field(default_factory=list)
    group_id: Id | None = None
    assignee_id: Id | None = None
    unassigned: bool = False
    requester_id: Id | None = None
    organization_id: Id | None = None
    tag: list[TagName] = Field(default_factory=list)
    channel: list[ChannelName] = Field(default_factory=list)
    created_after: Timestamp | None = None
    created_before: Timestamp | None = None
    updated_after: Timestamp | None = None
    updated_before: Timestamp | None = None
    q: Query = ""
    custom_field: list[CustomFieldFilter] = Field(
        default_factory=list,
        description="Custom field filters as key:value, e.g. plan:gold; all must hold.",
    )
    sort: SortName = "-created_at"
    limit: int = Field(default=25, ge=1, le=100)
    cursor: Query | None = None


class AttachmentOut(Schema):
    id: int
    filename: str
    content_type: str
    size: int
    sha256: str
    message_id: int | None
    url: str

    @staticmethod
    def resolve_url(obj: Any) -> str:
        return f"/api/v1/attachments/{obj.pk}"


class DeliveryOut(Schema):
    """How the email of an outgoing message is doing: ``queued`` (waiting or retrying),
    ``sent``, or ``failed`` with the ``reason`` (then it can be retried)."""

    id: int
    state: Literal["queued", "sent", "failed"]
    reason: str
    attempts: int
    sent_at: datetime.datetime | None


class MessageOut(Schema):
    id: int
    ticket_id: int
    author: UserRef | None
    public: bool
    direction: str
    channel: str = Field(
        description="Where the message was written or came in, one of: "
        + ", ".join(f"``{value}``" for value in Channel.values)
        + ". A reply written in the workspace or through the API says ``web`` or ``api`` "
        "(or the channel it was sent on); ``provider`` says how it travelled."
    )
    provider: str | None = Field(
        default=None,
        description="How the message travelled to or from the customer: ``email`` (it came "
        "in as a mail, or went out as one), or the messaging account's provider "
        "(``whatsapp``, ``telegram``, ``twilio_sms``, ``messenger``, ``instagram``); "
        "``null`` when it travelled through none (an internal note, a message written in "
        "the portal, the workspace or the API and sent to nobody, a live chat, a logged "
        "call, an alert).",
    )
    delivery_state: Literal["queued", "sent", "delivered", "read", "failed"] | None = Field(
        default=None,
        description="For a message we sent through ``provider``: how far it got (email only "
        "reaches ``sent`` or ``failed``; ``delivery`` has the mail's details). ``null`` for "
        "a message that came in, or that was sent through no provider (staff only).",
    )
    body_text: str
    body_html: str
    attachments: list[AttachmentOut]
    delivery: DeliveryOut | None = Field(
        default=None,
        description="The email that carried this message to the customer, if one was sent "
        "(staff only).",
    )
    created_at: datetime.datetime

    @staticmethod
    def resolve_attachments(obj: Any) -> list[Any]:
        return list(obj.attachments.all())

    @staticmethod
    def resolve_delivery(obj: Any, context: Any = None) -> Any:
        if not _for_staff(context):
            return None  # customers hear about their mail, not our servers' replies
        if obj.direction != "out":
            return None
        return latest_delivery(obj)

    @staticmethod
    def resolve_provider(obj: Any) -> str | None:
        travelled = transport(obj)
        return travelled.provider if travelled is not None else None

    @staticmethod
    def resolve_delivery_state(obj: Any, context: Any = None) -> str | None:
        if not _for_staff(context):
            return None
        travelled = transport(obj)
        if travelled is None or not travelled.outbound:
            return None
        return travelled.state or None


def _for_staff(context: Any) -> bool:
    """Whether the answer is for staff (or for no request at all: a service's own use)."""
    request = (context or {}).get("request")
    user = getattr(request, "auth", None) if request is not None else None
    return user is None or bool(getattr(user, "is_agent", False))


def latest_delivery(message: Any) -> Any:
    """The message's latest outbound email (prefetch ``outbound_emails`` for lists)."""
    rows = list(message.outbound_emails.all())
    return max(rows, key=lambda row: (row.created_at, row.pk), default=None)


TRANSPORT = "_api_transport"  # what `note_transports` found, on the message instance


def note_transports(messages: Sequence[Any]) -> None:
    """Work out how each message of a page travelled (`transport`), for all at once: one
    query for the channel side, one for which came in by email (when any could have); the
    mail a message went out as is its ``outbound_emails`` (prefetch them for lists). The
    messages were read through the ticket gate."""
    channels = channel_deliveries([message.pk for message in messages])
    maybe_mail = [
        message.pk
        for message in messages
        if message.pk not in channels and message.direction == Direction.INBOUND
    ]
    mailed_in = email_inbound_ids(maybe_mail)
    for message in messages:
        found = channels.get(message.pk)
        if found is None and message.direction == Direction.OUTBOUND:
            mail = latest_delivery(message)
            if mail is not None:
                state = contract_state(mail.state).value
                found = ChannelDelivery("email", "", outbound=True, state=state, reason=mail.reason)
        elif found is None and message.pk in mailed_in:
            found = ChannelDelivery("email", "", outbound=False, state="")
        setattr(message, TRANSPORT, found)


def transport(message: Any) -> ChannelDelivery | None:
    """How ``message`` travelled: the channel's provider (and, for one we sent, the state of
    all its parts), else its email, else ``None``. Read for this message alone unless
    `note_transports` did it for its page."""
    if not hasattr(message, TRANSPORT):
        note_transports([message])
    found: ChannelDelivery | None = getattr(message, TRANSPORT)
    return found


MessagePage = Page[MessageOut]


class MessageCreateIn(BodyIn):
    body: Body = ""
    body_html: Body = ""
    format: BodyFormat = Field(
        default="text",
        description=(
            "How ``body`` is written: ``text`` (with an optional ``body_html``), ``markdown`` "
            "(rendered to safe HTML and a plain-text part, as the agent composer does) or "
            "``html`` (sanitized)."
        ),
    )
    public: bool = True
    channel: ChannelName | None = None
    attachment_ids: list[Id] = Field(default_factory=list, max_length=50)
    mentions: list[Id] = Field(
        default_factory=list, max_length=20, description="Ids of agents to notify."
    )
    status: Key | None = Field(
        default=None,
        description="Also move the ticket to this status (staff): both happen or neither.",
    )
    version: Version | None = Field(
        default=None, description="The ticket version you replied to; a newer one gives 409."
    )
    via: str = Field(
        default="",
        max_length=40,
        description=(
            "How a public reply reaches the customer: ``email``, ``channel:<account id>`` (a "
            "conversation they had on that WhatsApp, Telegram, SMS, Messenger or Instagram "
            "account) or a channel name (``whatsapp``, ``sms`` …: their latest conversation "
            "there). Empty: the way the customer last wrote on this ticket. 422 when the "
            "customer cannot be reached that way."
        ),
    )
    template: str = Field(
        default="",
        max_length=600,
        description=(
            "An approved WhatsApp template of the account (``name`` or ``name:language``), the "
            "only thing WhatsApp carries 24 hours after the customer's last message; the "
            "lines of ``body`` fill its parameters. A free text outside that window is 422."
        ),
    )


class MergeIn(BodyIn):
    target_id: Id


class LinkIn(BodyIn):
    target_id: Id
    kind: Literal["related", "duplicate", "parent"]


class LinkOut(Schema):
    id: int
    source_id: int
    target_id: int
    kind: str
    created_at: datetime.datetime


class EventOut(Schema):
    id: int
    action: str
    field: str
    old_value: Any
    new_value: Any
    actor: UserRef | None
    source: str
    source_detail: str
    created_at: datetime.datetime
