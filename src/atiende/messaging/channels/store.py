"""The channel intake's hot statements, built once (``core.rows``, decision 0003).

Every webhook finds its account by key, may look for a waiting processing task and INSERTs
the raw request; the ORM's Python for those three was a third of a webhook's CPU. Processing
then checks each message's provider id and claims it with its link row, written again once
the message exists. Only ``messaging.channels`` imports this module.
"""

from __future__ import annotations

from django.db import connections, router
from django.tasks.base import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult, get_date_max

from atiende.core import rows
from atiende.messaging.models import (
    ChannelAccount,
    ChannelDirection,
    ChannelMessage,
    ChannelPayload,
)

# The queue's READY tasks of one path that may run now: what ``DBTaskResult.objects.ready()``
# asks, written out (the queue's own partial index of READY rows serves it).
_TASK_WAITING = (
    f"SELECT 1 FROM {DBTaskResult._meta.db_table}"  # noqa: S608  (a model's table name)
    " WHERE status = %s AND task_path = %s AND (run_after = %s OR run_after <= %s) LIMIT 1"
)


def account_by_webhook_key(webhook_key: str) -> ChannelAccount | None:
    """The active account behind ``webhook_key``, or None."""
    return rows.first(ChannelAccount, webhook_key=webhook_key, active=True)


def insert_payload(payload: ChannelPayload) -> None:
    """INSERT a raw request as it arrived (the intake's one write)."""
    rows.insert(payload)


def insert_spooled(payload: ChannelPayload) -> bool:
    """INSERT a request taken in from the spool unless its key is already a row (a crash
    between the commit and the file's removal); whether it was inserted."""
    return rows.insert_unless(payload, unique=("spool_key",))


def task_waiting(task_path: str) -> bool:
    """Whether a task of ``task_path`` waits in the database queue, ready to run now."""
    db = connections[router.db_for_read(DBTaskResult)]
    adapt = db.ops.adapt_datetimefield_value
    params = [TaskResultStatus.READY.value, task_path, adapt(get_date_max()), adapt(timezone.now())]
    with rows.cursor(db) as cursor:
        cursor.execute(_TASK_WAITING, params)
        return cursor.fetchone() is not None


# ``provider_id <> ''`` repeats the unique index's condition: without it SQLite cannot use that
# partial index and scans every message of the account.
_INBOUND_SEEN = (
    f"SELECT 1 FROM {ChannelMessage._meta.db_table}"  # noqa: S608  (a model's table name)
    " WHERE account_id = %s AND direction = %s AND provider_id = %s AND provider_id <> ''"
    " LIMIT 1"
)


def inbound_seen(account_id: int, provider_id: str) -> bool:
    """Whether the account already has the customer's message with this provider id."""
    db = connections[router.db_for_read(ChannelMessage)]
    with rows.cursor(db) as cursor:
        cursor.execute(_INBOUND_SEEN, [account_id, ChannelDirection.INBOUND.value, provider_id])
        return cursor.fetchone() is not None


def insert_link(link: ChannelMessage) -> None:
    """INSERT a message's link row (a duplicate provider id raises ``IntegrityError``)."""
    rows.insert(link)


def link_message(link: ChannelMessage) -> None:
    """Write the ticket message a claimed link row now points at."""
    rows.update(link, ("message", "updated_at"))


_NEWEST_MESSAGES = (
    f"SELECT message_id FROM {ChannelMessage._meta.db_table}"  # noqa: S608  (a model's table)
    " WHERE account_id = %s AND address = %s AND message_id IS NOT NULL ORDER BY id DESC LIMIT %s"
)


def newest_message_ids(account_id: int, address: str, limit: int) -> list[int]:
    """The ticket messages of the newest ``limit`` messages with ``address`` on the account,
    either way, newest first (the index ``channel_message_thread`` serves it)."""
    db = connections[router.db_for_read(ChannelMessage)]
    with rows.cursor(db) as cursor:
        cursor.execute(_NEWEST_MESSAGES, [account_id, address, limit])
        return [int(row[0]) for row in cursor.fetchall()]
