"""Shared schema pieces: cleaned text, bounded ids, problem documents, references."""

from __future__ import annotations

import datetime
import re
from typing import Annotated, Any, ClassVar, Generic, TypeVar

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Schema
from pydantic import (
    AfterValidator,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
)
from pydantic_core import PydanticCustomError

from atiende.core.text import clean_text

MAX_ID = 2**63 - 1


def _clean(value: Any) -> Any:
    return clean_text(value) if isinstance(value, str) else value


# RFC 3339 date-time, as the schema publishes it: a number ("0.5") is not a time.
DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}")


def _date_time_text(value: Any) -> Any:
    if isinstance(value, datetime.datetime):
        return value
    if not isinstance(value, str) or not DATE_TIME.match(value):
        raise PydanticCustomError(
            "date_time", _("Enter a date and time in ISO 8601, e.g. 2026-01-31T09:00:00Z.")
        )
    return value


def _aware(value: datetime.datetime) -> datetime.datetime:
    """Naive times are read as UTC; times that overflow after conversion are refused."""
    try:
        if timezone.is_naive(value):
            value = value.replace(tzinfo=datetime.UTC)
        return value.astimezone(datetime.UTC)
    except OverflowError:
        raise ValueError("date out of range") from None


# Every inbound string is stripped of NUL bytes and lone surrogates and has a published bound.
Clean = BeforeValidator(_clean)
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
Version = Annotated[int, Field(ge=1, le=2**31 - 1)]
Timestamp = Annotated[datetime.datetime, BeforeValidator(_date_time_text), AfterValidator(_aware)]
Name = Annotated[str, Clean, StringConstraints(max_length=200)]
Key = Annotated[str, Clean, StringConstraints(max_length=60)]
TagName = Annotated[str, Clean, StringConstraints(max_length=100)]
Email = Annotated[str, Clean, StringConstraints(min_length=3, max_length=254)]
LongText = Annotated[str, Clean, StringConstraints(max_length=10_000)]
Body = Annotated[str, Clean, StringConstraints(max_length=1_000_000)]
Query = Annotated[str, Clean, StringConstraints(max_length=500)]


def _publish_nullable(schema: dict[str, Any], cls: type) -> None:
    """Publish ``null`` only for the fields of an update body that accept it."""
    nullable: frozenset[str] = getattr(cls, "nullable", frozenset())
    for name, prop in schema.get("properties", {}).items():
        if name in nullable or "anyOf" not in prop:
            continue
        kept = [s for s in prop.pop("anyOf") if s.get("type") != "null"]
        if len(kept) == 1:
            prop.update(kept[0])
        else:
            prop["anyOf"] = kept
        if prop.get("default", ...) is None:
            del prop["default"]


class BodyIn(Schema):
    """A JSON request body: an object with no unknown members (422 naming each) and no
    coercion, so ``"1"`` is not a number and ``"true"`` not a boolean."""

    model_config = ConfigDict(extra="forbid", strict=True)


class UpdateIn(BodyIn):
    """A PATCH body: only the members sent change. ``null`` is a value only for the fields
    named in ``nullable`` (clearing a reference); elsewhere it is refused, and the published
    schema says so."""

    model_config = ConfigDict(json_schema_extra=_publish_nullable)
    nullable: ClassVar[frozenset[str]] = frozenset()

    @field_validator("*", mode="before")
    @classmethod
    def _refuse_null(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None and info.field_name not in cls.nullable:
            raise PydanticCustomError("null", _("May not be null: leave the field out to keep it."))
        return value


class FieldErrorOut(Schema):
    field: str
    message: str


class ProblemOut(Schema):
    """An RFC 9457 problem document."""

    type: str
    title: str
    status: int
    detail: str
    errors: list[FieldErrorOut] = []


class ConflictOut(ProblemOut):
    """A 409 carrying the record as it is now, when there is one."""

    current: dict[str, Any] | None = None


def errors(*codes: int) -> dict[int, type[Schema]]:
    """Documented error responses of an operation.

    400 (unparsable), 401 (no valid credentials), 413 (request too large) and 429 (over the
    rate limit) can answer any operation; ``codes`` adds the operation's own.
    """
    every = (400, 401, 413, 429, *codes)
    return {code: (ConflictOut if code == 409 else ProblemOut) for code in every}


class UserRef(Schema):
    id: int
    name: str
    email: str | None

    @staticmethod
    def resolve_name(obj: Any) -> str:
        return str(obj.display_name)


class NamedRef(Schema):
    id: int
    name: str


T = TypeVar("T")


class Page(Schema, Generic[T]):
    """One page of a list; pass ``next_cursor`` back as ``cursor`` for the next one."""

    items: list[T]
    next_cursor: str | None
