"""Which kinds the open transaction has written and not yet committed.

A process keeps each kind's vectors in memory (``matrix``) and reloads what changed since;
rows a transaction wrote but may still roll back must never enter that shared copy. Writers
mark their transaction here; a reader in that same transaction computes its answer from the
table directly instead.
"""

from __future__ import annotations

from django.db import router, transaction

from atiende.semantic.models import Embedding


class _Written:
    """A commit callback that does nothing: found among the connection's pending callbacks
    while the transaction is open, gone once it commits or rolls back (with the savepoint it
    was registered in)."""

    def __init__(self) -> None:
        self.kinds: set[str] = set()

    def __call__(self) -> None:
        return None


def mark_written(kind: str) -> None:
    alias = router.db_for_write(Embedding)
    connection = transaction.get_connection(alias)
    open_savepoints = set(connection.savepoint_ids)
    for savepoints, callback, _robust in reversed(connection.run_on_commit):
        if isinstance(callback, _Written) and set(savepoints) <= open_savepoints:
            callback.kinds.add(kind)
            return
    marker = _Written()
    marker.kinds.add(kind)
    transaction.on_commit(marker, using=alias)


def written_in_transaction(kind: str) -> bool:
    """Whether the open transaction has written ``kind`` and not yet committed."""
    connection = transaction.get_connection(router.db_for_read(Embedding))
    if not connection.in_atomic_block:
        return False
    return any(
        isinstance(callback, _Written) and kind in callback.kinds
        for _savepoints, callback, _robust in connection.run_on_commit
    )
