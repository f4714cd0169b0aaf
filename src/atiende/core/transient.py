"""Database errors that say "try again", not "this input is bad".

PostgreSQL aborts one of two transactions that wait for each other (a deadlock: two importers
creating the same two new customers in opposite orders) or that cannot be serialised. The
victim's work is sound; it must be redone from the start of its transaction, never
quarantined as if the message were at fault.
"""

from __future__ import annotations

from django.db import OperationalError

# deadlock_detected, serialization_failure
RETRY_SQLSTATES = frozenset({"40P01", "40001"})
ATTEMPTS = 5


def is_transient(exc: BaseException) -> bool:
    """True for a deadlock or serialisation failure, whose transaction may simply be redone."""
    if not isinstance(exc, OperationalError):
        return False
    return getattr(exc.__cause__, "sqlstate", None) in RETRY_SQLSTATES
