"""A savepoint for callers that undo a part of a change and keep the rest (automation rules).

A rule's actions run inside the change that set them off; when one of them fails, the rule
alone is undone. Its ticket writes roll back with the savepoint, and so must the inbox-count
moves they made (``tally.deferred`` keeps them until the outer change ends): this block drops
them with the savepoint, or hands them to the outer change when it ends well.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import transaction

from atiende.tickets import tally


@contextmanager
def savepoint() -> Iterator[None]:
    with transaction.atomic(), tally.deferred():
        yield
