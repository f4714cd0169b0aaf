"""Ticket, message, attachment and link schemas: separate input and output shapes."""

from __future__ import annotations

import datetime
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
    channel: str
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
        request = (context or {}).get("request")
        user = getattr(request, "auth", None) if request is not None else None
        if user is not None and not getattr(user, "is_agent", False):
            return None  # customers hear about their mail, not our servers' replies
        if obj.direction != "out":
            return None
        return latest_delivery(obj)


def latest_delivery(message: Any) -> Any:
    """The message's latest outbound email (prefetch ``outbound_emails`` for lists)."""
    rows = list(message.outbound_emails.all())
    return max(rows, key=lambda row: (row.created_at, row.pk), default=None)


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
