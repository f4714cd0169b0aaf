"""Running a POST once per Idempotency-Key, for the configuration resources of issue 14."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Schema

from atiende.api import idempotency
from atiende.api.auth import actor
from atiende.core.actor import Actor


def once(
    request: HttpRequest, status: int, make: Callable[[Actor], Any], schema: type[Schema]
) -> HttpResponse:
    """Run ``make(caller)`` once per Idempotency-Key and answer ``status`` with ``schema``
    (a retry with the same key and body answers the stored answer, doing nothing twice)."""
    caller = actor(request)

    def handler() -> tuple[int, Schema]:
        return status, schema.from_orm(make(caller))

    assert caller.user is not None
    return idempotency.run(request, caller.user, handler)


def page(found: Any) -> dict[str, Any]:
    return {"items": found.items, "next_cursor": found.next_cursor}
