"""Checking a new order of ordered configuration (SLA policies, triggers)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.utils.translation import gettext as _

from atiende.core.errors import ErrorCollector, Invalid


def check_order_ids(ids: Sequence[Any], existing: set[int]) -> list[int]:
    """Refuse a new order that repeats, misses or invents an id, naming each bad part: the
    first matching rule wins, so a partial order would be ambiguous."""
    if not isinstance(ids, list | tuple):
        raise Invalid.field("ids", _("Give a list of ids."))
    errors = ErrorCollector()
    seen: set[int] = set()
    for index, value in enumerate(ids):
        if isinstance(value, bool) or not isinstance(value, int) or value not in existing:
            errors.add(f"ids[{index}]", _("Unknown id: %(id)s") % {"id": value})
        elif value in seen:
            errors.add(f"ids[{index}]", _("This id is given twice."))
        else:
            seen.add(value)
    missing = sorted(existing - seen)
    if missing:
        errors.add(
            "ids",
            _("Every one must be listed; missing: %(ids)s")
            % {"ids": ", ".join(str(m) for m in missing)},
        )
    errors.raise_if_any()
    return [int(i) for i in ids]


def moved_one_place(ids: Sequence[int], chosen: int, *, up: bool) -> list[int] | None:
    """``ids`` with ``chosen`` swapped with its neighbour before (``up``) or after it (the
    same list at either end); None when ``chosen`` is not there."""
    order = list(ids)
    if chosen not in order:
        return None
    index = order.index(chosen)
    other = index - 1 if up else index + 1
    if 0 <= other < len(order):
        order[index], order[other] = order[other], order[index]
    return order
