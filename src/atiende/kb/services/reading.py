"""What a reader's visit leaves behind: a view of the translation, a reader of the day.

Both are counters written with one ``INSERT … ON CONFLICT … DO UPDATE`` (SQLite and
PostgreSQL alike): two readers opening the same article at the same instant both count, and
neither can fail on the other's row. Staff previews are never counted (the caller passes the
actor; staff and the system are skipped here, in one place).
"""

from __future__ import annotations

from datetime import date

from django.db import connection
from django.utils import timezone
from django.utils.crypto import salted_hmac

from atiende.core.actor import Actor
from atiende.core.permissions import is_staff
from atiende.kb.models import ArticleViewDay, ReaderDay

READER_SALT = "atiende.kb.reader"


def reader_key(*, user_id: int | None, session_key: str | None) -> str:
    """Who a reader is, in at most 64 characters: ``user:<id>`` when signed in, else a keyed
    hash of the session key (the key itself is never stored); empty when neither is known."""
    if user_id is not None:
        return f"user:{user_id}"
    if not session_key:
        return ""
    return salted_hmac(READER_SALT, session_key, algorithm="sha256").hexdigest()


def counts(actor: Actor | None) -> bool:
    """Whether a visit by ``actor`` counts (visitors and customers; not staff, not the system)."""
    return actor is None or not is_staff(actor)


def record_view(
    actor: Actor | None, *, translation_id: int, reader: str, day: date | None = None
) -> bool:
    """Count one view of ``translation_id`` today and note ``reader`` as a reader of the day.

    Returns whether anything was counted (staff previews are not).
    """
    if not counts(actor):
        return False
    day = day or timezone.localdate()
    views = ArticleViewDay._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {views} (translation_id, day, views) VALUES (%s, %s, 1) "  # noqa: S608
            f"ON CONFLICT (translation_id, day) DO UPDATE SET views = {views}.views + 1",
            [translation_id, day],
        )
    note_reader(actor, reader=reader, day=day)
    return True


def note_reader(actor: Actor | None, *, reader: str, day: date | None = None) -> None:
    """Note ``reader`` as a knowledge-base reader on ``day`` (once a day; not staff).

    The portal calls this too when a customer opens its knowledge-base pages.
    """
    if not reader or not counts(actor):
        return
    day = day or timezone.localdate()
    user_id = actor.user_id if actor is not None else None
    table = ReaderDay._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (day, reader, user_id) VALUES (%s, %s, %s) "  # noqa: S608
            "ON CONFLICT (day, reader) DO NOTHING",
            [day, reader[:64], user_id],
        )
