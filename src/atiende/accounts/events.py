"""Domain events about people. Ids and plain values only, so they cross process boundaries."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CustomersMerged:
    """``source`` was folded into ``target``: its tickets and identities now belong there."""

    source_id: int
    target_id: int
    actor_id: int | None
    ticket_ids: tuple[int, ...]
    identity_ids: tuple[int, ...]
