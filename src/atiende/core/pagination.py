"""Keyset (cursor) pagination: stable pages on big tables without OFFSET scans."""

from __future__ import annotations

import base64
import binascii
import datetime
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from atiende.core.errors import Invalid

M = TypeVar("M")


@dataclass(frozen=True)
class SortKey:
    """Order by ``path`` (a model field path), ties broken by primary key in the same direction."""

    path: str
    descending: bool
    kind: type = int  # int, str or datetime.datetime: how cursor values are decoded

    @property
    def name(self) -> str:
        """The sort a cursor belongs to: a cursor only continues the order it came from."""
        return ("-" if self.descending else "") + self.path

    def order_by(self) -> tuple[str, str]:
        sign = "-" if self.descending else ""
        return (f"{sign}{self.path}", f"{sign}pk")


@dataclass(frozen=True)
class Page(Generic[M]):
    items: Sequence[M]
    next_cursor: str | None


def encode_cursor(key: SortKey, value: Any, pk: int) -> str:
    if isinstance(value, datetime.datetime):
        value = value.isoformat()
    raw = json.dumps([key.name, value, pk], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, key: SortKey) -> tuple[Any, int]:
    """The (value, pk) a cursor carries; a tampered cursor, or one from another sort, is a
    clear 422, never a 500 nor a page of another order."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        name, value, pk = json.loads(raw)
        if name != key.name:
            raise ValueError
        if not isinstance(pk, int) or isinstance(pk, bool) or not 0 <= pk < 2**63:
            raise ValueError
        if key.kind is datetime.datetime:
            value = datetime.datetime.fromisoformat(value)
            if value.tzinfo is None:
                raise ValueError
        elif key.kind is int:
            if not isinstance(value, int) or isinstance(value, bool) or abs(value) >= 2**63:
                raise ValueError
        elif not isinstance(value, key.kind):
            raise ValueError
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError, OverflowError):
        raise Invalid.field("cursor", _("The cursor is not valid for this list.")) from None
    return value, pk


def paginate(
    queryset: QuerySet[Any, M], key: SortKey, *, limit: int, cursor: str | None
) -> Page[M]:
    """One page of ``queryset`` (instances or ``values()`` rows) ordered by ``key``, plus the
    cursor of the next page."""
    if cursor:
        value, pk = decode_cursor(cursor, key)
        op = "lt" if key.descending else "gt"
        queryset = queryset.filter(
            Q(**{f"{key.path}__{op}": value}) | Q(**{key.path: value, f"pk__{op}": pk})
        )
    rows = list(queryset.order_by(*key.order_by())[: limit + 1])
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        last = rows[-1]
        next_cursor = encode_cursor(key, *_position(last, key.path))
    return Page(items=rows, next_cursor=next_cursor)


def _position(row: Any, path: str) -> tuple[Any, int]:
    """The sort value and primary key of a row: a model instance or a ``values()`` dict."""
    if isinstance(row, dict):
        return row[path], row["id"]
    pk = row.pk
    for part in path.split("__"):
        row = getattr(row, part)
    return row, pk
