"""Input and output of ``POST /tickets/bulk``: one change, many tickets, one result each."""

from __future__ import annotations

from typing import Literal

from ninja import Schema
from pydantic import Field

from atiende.api.schemas.common import BodyIn, Id, Key, TagName
from atiende.tickets.services.bulk import MAX_BULK_IDS


class BulkIn(BodyIn):
    """``action`` names what to do; only the fields that action needs are read."""

    ids: list[Id] = Field(
        min_length=1,
        max_length=MAX_BULK_IDS,
        description="Ticket ids, in the order the results should come back (duplicates once).",
    )
    action: Literal["assign", "status", "priority", "tags", "merge", "close"]
    assignee_id: Id | None = Field(
        default=None, description="For `assign`: the agent; absent or null unassigns."
    )
    status: Key | None = Field(default=None, description="For `status`: the status key.")
    priority: Key | None = Field(default=None, description="For `priority`: the priority key.")
    add_tags: list[TagName] = Field(default_factory=list, max_length=100)
    remove_tags: list[TagName] = Field(default_factory=list, max_length=100)
    merge_target_id: Id | None = Field(
        default=None, description="For `merge`: the ticket the others are merged into."
    )


class BulkTicketOut(Schema):
    """One ticket's outcome. ``number`` is null for a ticket you cannot see (or that does not
    exist: the two look the same); ``code`` and ``message`` say why a ticket failed."""

    ticket_id: int
    number: int | None
    ok: bool
    changed: bool
    code: str | None
    message: str | None


class BulkOut(Schema):
    updated: int
    unchanged: int
    failed: int
    results: list[BulkTicketOut]
