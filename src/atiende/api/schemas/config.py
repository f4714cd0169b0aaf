"""Ticket configuration schemas: tags, statuses, priorities, categories, custom fields."""

from __future__ import annotations

import datetime
from typing import Annotated, Any, Literal

from ninja import Schema
from pydantic import Field, StringConstraints

from atiende.api.schemas.accounts import PageIn
from atiende.api.schemas.common import BodyIn, Clean, Id, Page, Query, TagName, UpdateIn

StatusKey = Annotated[
    str, Clean, StringConstraints(min_length=1, max_length=40, pattern=r"^[a-z0-9][a-z0-9_-]*$")
]
FieldKey = Annotated[
    str, Clean, StringConstraints(min_length=1, max_length=60, pattern=r"^[a-z0-9][a-z0-9_-]*$")
]
ConfigName = Annotated[str, Clean, StringConstraints(max_length=100)]
Color = Annotated[str, Clean, StringConstraints(pattern=r"^#[0-9a-fA-F]{6}$")]
Option = Annotated[str, Clean, StringConstraints(max_length=200)]
Order = Annotated[int, Field(ge=0, le=2**31 - 1)]
StatusCategoryName = Literal["new", "open", "pending", "on_hold", "solved", "closed", "cancelled"]
FieldTypeName = Literal["text", "number", "date", "select", "multiselect", "checkbox"]
TargetName = Literal["ticket", "user", "organization"]


class TagOut(Schema):
    id: int
    name: str
    created_at: datetime.datetime


TagPage = Page[TagOut]


class TagFiltersIn(PageIn):
    q: Query = ""


class TagIn(BodyIn):
    name: TagName


class StatusDetailOut(Schema):
    id: int
    key: str
    name: str
    name_en: str
    name_es: str
    category: str
    order: int
    is_default: bool
    is_active: bool
    allowed_next: list[str]

    @staticmethod
    def resolve_allowed_next(obj: Any) -> list[str]:
        return sorted(status.key for status in obj.allowed_next.all())


StatusPage = Page[StatusDetailOut]


class StatusCreateIn(BodyIn):
    key: StatusKey
    name_en: ConfigName
    name_es: ConfigName = ""
    category: StatusCategoryName
    order: Order = 0
    is_default: bool = False
    is_active: bool = True
    allowed_next: list[StatusKey] = Field(default_factory=list, max_length=100)


class StatusUpdateIn(UpdateIn):
    """Only the fields present change; ``allowed_next`` replaces the list."""

    key: StatusKey | None = None
    name_en: ConfigName | None = None
    name_es: ConfigName | None = None
    category: StatusCategoryName | None = None
    order: Order | None = None
    is_default: bool | None = None
    is_active: bool | None = None
    allowed_next: list[StatusKey] | None = Field(default=None, max_length=100)


class PriorityDetailOut(Schema):
    id: int
    key: str
    name: str
    name_en: str
    name_es: str
    order: int
    color: str
    is_default: bool


PriorityPage = Page[PriorityDetailOut]


class PriorityCreateIn(BodyIn):
    key: StatusKey
    name_en: ConfigName
    name_es: ConfigName = ""
    order: Order = 0
    color: Color = "#6c757d"
    is_default: bool = False


class PriorityUpdateIn(UpdateIn):
    key: StatusKey | None = None
    name_en: ConfigName | None = None
    name_es: ConfigName | None = None
    order: Order | None = None
    color: Color | None = None
    is_default: bool | None = None


class CategoryOut(Schema):
    """A category; ``path`` names its ancestors from the root down to itself."""

    id: int
    name: str
    name_en: str
    name_es: str
    parent_id: int | None
    path: list[str]
    is_active: bool


CategoryPage = Page[CategoryOut]


class CategoryCreateIn(BodyIn):
    name_en: ConfigName
    name_es: ConfigName = ""
    parent_id: Id | None = None
    is_active: bool = True


class CategoryUpdateIn(UpdateIn):
    """Only the fields present change; ``parent_id: null`` makes it a top-level category."""

    nullable = frozenset({"parent_id"})

    name_en: ConfigName | None = None
    name_es: ConfigName | None = None
    parent_id: Id | None = None
    is_active: bool | None = None


class CustomFieldOut(Schema):
    id: int
    target: str
    key: str
    type: str
    name: str
    name_en: str
    name_es: str
    options: list[str]
    required: bool
    is_identifier: bool
    order: int
    is_active: bool


CustomFieldPage = Page[CustomFieldOut]


class CustomFieldFiltersIn(PageIn):
    target: TargetName | None = None


class CustomFieldCreateIn(BodyIn):
    target: TargetName
    key: FieldKey
    type: FieldTypeName
    name_en: ConfigName
    name_es: ConfigName = ""
    options: list[Option] = Field(default_factory=list, max_length=500)
    required: bool = False
    is_identifier: bool = False
    order: Order = 0
    is_active: bool = True


class CustomFieldUpdateIn(UpdateIn):
    """Only the fields present change; ``target``, ``key`` and ``type`` are fixed: sending
    them is a 422 naming them, like any unknown member."""

    name_en: ConfigName | None = None
    name_es: ConfigName | None = None
    options: list[Option] | None = Field(default=None, max_length=500)
    required: bool | None = None
    is_identifier: bool | None = None
    order: Order | None = None
    is_active: bool | None = None
