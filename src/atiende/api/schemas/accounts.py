"""User, identity, organization, group and API token schemas."""

from __future__ import annotations

import datetime
from typing import Annotated, Any, Literal

from ninja import Schema
from pydantic import Field, StringConstraints

from atiende.accounts.selectors import sees_private_fields
from atiende.api.schemas.common import (
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
    UpdateIn,
    UserRef,
)

RoleName = Literal["admin", "agent", "customer"]
# "" = not chosen: the person follows their browser, and mail uses the instance default.
LocaleName = Literal["", "en", "es"]
ChannelName = Literal[
    "email", "phone", "whatsapp", "telegram", "sms", "facebook", "instagram", "x", "chat"
]  # fmt: skip
TimeZone = Annotated[str, Clean, StringConstraints(max_length=64)]
Phone = Annotated[str, Clean, StringConstraints(max_length=40)]
GroupName = Annotated[str, Clean, StringConstraints(max_length=150)]
Domain = Annotated[str, Clean, StringConstraints(max_length=253)]
Address = Annotated[str, Clean, StringConstraints(max_length=254)]
TokenName = Annotated[str, Clean, StringConstraints(max_length=100)]
# Custom field values are checked against their definitions; strings are cleaned here.
CustomValues = dict[Key, Annotated[Any, Clean]]
Limit = Annotated[int, Field(ge=1, le=100)]


class PageIn(Schema):
    limit: Limit = 50
    cursor: Query | None = None


class SearchPageIn(PageIn):
    q: Query = ""


def _viewer(context: Any) -> Any:
    request = (context or {}).get("request")
    return getattr(request, "auth", None)


class UserOut(Schema):
    """A person. ``notes`` and ``custom_fields`` are null unless the caller is staff."""

    id: int
    email: str | None
    name: str
    display_name: str
    role: str
    locale: str
    time_zone: str
    is_active: bool
    phone: str
    organization: NamedRef | None
    group_ids: list[int]
    notes: str | None
    custom_fields: dict[str, Any] | None
    email_verified_at: datetime.datetime | None
    created_at: datetime.datetime
    updated_at: datetime.datetime

    @staticmethod
    def resolve_group_ids(obj: Any) -> list[int]:
        return sorted(group.pk for group in obj.groups.all())

    @staticmethod
    def resolve_notes(obj: Any, context: Any) -> str | None:
        return str(obj.notes) if sees_private_fields(_viewer(context)) else None

    @staticmethod
    def resolve_custom_fields(obj: Any, context: Any) -> dict[str, Any] | None:
        return dict(obj.custom_fields) if sees_private_fields(_viewer(context)) else None


UserPage = Page[UserOut]


class UserFiltersIn(SearchPageIn):
    role: RoleName | None = None
    organization_id: Id | None = None
    group_id: Id | None = None


class UserCreateIn(BodyIn):
    email: Email
    name: Name = ""
    role: RoleName = "customer"
    locale: LocaleName = ""
    time_zone: TimeZone = "UTC"
    phone: Phone = ""
    notes: LongText = ""
    organization_id: Id | None = None
    group_ids: list[Id] = Field(default_factory=list, max_length=100)
    custom_fields: CustomValues = Field(default_factory=dict)


class UserUpdateIn(UpdateIn):
    """Only the fields present change; ``organization_id: null`` removes the organization."""

    nullable = frozenset({"organization_id"})

    email: Email | None = None
    name: Name | None = None
    role: RoleName | None = None
    is_active: bool | None = None
    locale: LocaleName | None = None
    time_zone: TimeZone | None = None
    phone: Phone | None = None
    notes: LongText | None = None
    organization_id: Id | None = None
    group_ids: list[Id] | None = Field(default=None, max_length=100)
    custom_fields: CustomValues | None = None


class IdentityIn(BodyIn):
    channel: ChannelName
    value: Address


class IdentityOut(Schema):
    id: int
    user_id: int
    channel: str
    value: str
    verified_at: datetime.datetime | None
    created_at: datetime.datetime


IdentityPage = Page[IdentityOut]


class OrganizationOut(Schema):
    id: int
    name: str
    domains: list[str]
    shared_tickets: bool
    notes: str
    custom_fields: dict[str, Any]
    created_at: datetime.datetime
    updated_at: datetime.datetime

    @staticmethod
    def resolve_domains(obj: Any) -> list[str]:
        return sorted(d.domain for d in obj.domains.all())


OrganizationPage = Page[OrganizationOut]


class OrganizationCreateIn(BodyIn):
    name: Name
    domains: list[Domain] = Field(default_factory=list, max_length=100)
    shared_tickets: bool = False
    notes: LongText = ""
    custom_fields: CustomValues = Field(default_factory=dict)


class OrganizationUpdateIn(UpdateIn):
    """Only the fields present change; ``domains`` replaces the whole list."""

    name: Name | None = None
    domains: list[Domain] | None = Field(default=None, max_length=100)
    shared_tickets: bool | None = None
    notes: LongText | None = None
    custom_fields: CustomValues | None = None


class GroupOut(Schema):
    id: int
    name: str
    description: str
    email: str
    is_active: bool
    member_ids: list[int]
    created_at: datetime.datetime

    @staticmethod
    def resolve_member_ids(obj: Any) -> list[int]:
        return sorted(member.pk for member in obj.members.all())


GroupPage = Page[GroupOut]


class GroupCreateIn(BodyIn):
    name: GroupName
    description: LongText = ""
    email: Address = ""
    is_active: bool = True
    member_ids: list[Id] = Field(default_factory=list, max_length=1000)


class GroupUpdateIn(UpdateIn):
    """Only the fields present change; ``member_ids`` replaces the whole membership."""

    name: GroupName | None = None
    description: LongText | None = None
    email: Address | None = None
    is_active: bool | None = None
    member_ids: list[Id] | None = Field(default=None, max_length=1000)


class TokenOut(Schema):
    """A token as listed: never the token itself, only its first characters."""

    id: int
    name: str
    prefix: str
    user: UserRef
    created_at: datetime.datetime
    last_used_at: datetime.datetime | None
    revoked_at: datetime.datetime | None


class TokenCreatedOut(TokenOut):
    """The new token; ``token`` is shown in this answer only. Store it now."""

    token: str

    @staticmethod
    def resolve_token(obj: Any, context: Any) -> str:
        return str(context["token"])


TokenPage = Page[TokenOut]


class TokenFiltersIn(PageIn):
    user_id: Id | None = None


class TokenCreateIn(BodyIn):
    name: TokenName
    user_id: Id | None = None
