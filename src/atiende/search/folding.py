"""Accent folding, the same in Python, on SQLite and on PostgreSQL: "vazquez" finds "Vázquez".

Spanish speakers type without accents (and sometimes add them where there are none), so words
compare without them, both ways. PostgreSQL's ``unaccent`` extension would do it, but creating
an extension from a migration needs rights an application's database user often lacks
(decision 0006). Instead text is decomposed (NFD), its combining marks deleted and composed
again (NFC), the same way in both places:

- ``fold_accents`` in Python (search queries, SQLite's registered ``atiende_fold``);
- ``fold_sql`` in PostgreSQL, built-in ``normalize`` and ``regexp_replace`` (documents when
  indexed, customer names when matched).

Every Latin letter with diacritics folds (á, ñ, ü, ç, ã, ő, ẽ…), and so does text stored
decomposed (macOS mail: "a" + U+0301). Letters without a decomposition (ø, ł, æ) stay.
SQLite's ticket index already folds (FTS5 ``remove_diacritics 2``).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from django.db.backends.signals import connection_created
from django.db.models import CharField, Func

# Combining diacritical marks, deleted after decomposition.
_MARKS = re.compile("[\u0300-\u036f]")


def fold_accents(text: str) -> str:
    """``text`` without its diacritics (case kept): "Vázquez" → "Vazquez".

    Decomposed (NFD), the marks deleted, composed again (NFC, so Hangul and the like come
    back as they were): exactly what ``fold_sql`` does in PostgreSQL.
    """
    if text.isascii():
        return text
    return unicodedata.normalize("NFC", _MARKS.sub("", unicodedata.normalize("NFD", text)))


def fold(text: str) -> str:
    """Lower case without accents, as names compare: "VÁZQUEZ" → "vazquez"."""
    return fold_accents(text).lower()


def fold_sql(expression: str) -> str:
    """SQL folding ``expression`` on PostgreSQL as `fold_accents` does in Python.

    Built-in ``normalize`` and one regular expression: linear in the text. ``translate`` with
    a table of every accented letter compared each character with the whole table, and made
    indexing a ticket's text 9 times slower than reading it (17 ms for 10,000 characters).
    """
    return (
        f"normalize(regexp_replace(normalize({expression}, NFD), '[\u0300-\u036f]', '', 'g'), NFC)"
    )


class Folded(Func):
    """``fold(column)`` in a query: SQLite calls the registered Python function, PostgreSQL
    ``lower(...)`` of `fold_sql`."""

    function = "atiende_fold"
    output_field = CharField()

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        sql, params = compiler.compile(self.source_expressions[0])
        return f"lower({fold_sql(sql)})", params


def _register_on_sqlite(sender: Any, connection: Any, **kwargs: Any) -> None:
    """Give every SQLite connection ``atiende_fold(text)`` (deterministic: usable anywhere)."""
    if connection.vendor == "sqlite":
        connection.connection.create_function("atiende_fold", 1, _fold_or_none, deterministic=True)


def _fold_or_none(value: object) -> str | None:
    return fold(value) if isinstance(value, str) else None


def register() -> None:
    """Called by the search app's ``ready``: every new SQLite connection gets the function."""
    connection_created.connect(_register_on_sqlite, dispatch_uid="atiende.search.folding")
