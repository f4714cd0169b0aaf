"""Accent folding, the same in Python, on SQLite and on PostgreSQL: "vazquez" finds "Vázquez".

Spanish speakers type without accents (and sometimes add them where there are none), so words
compare without them, both ways. PostgreSQL's ``unaccent`` extension would do it, but creating
an extension from a migration needs rights an application's database user often lacks
(decision 0006). Instead one table, built here from Unicode's own decompositions, folds text:

- ``fold_accents`` in Python (search queries, SQLite's registered ``atiende_fold``);
- ``translate(text, FROM_CHARS, TO_CHARS)`` in PostgreSQL, a built-in immutable function, with
  the same characters (documents when indexed, customer names when matched).

The table covers the Latin letters with diacritics (Latin-1 and Latin Extended-A/B: á, ñ, ü, ç,
ã, ő…) and deletes combining marks, so text stored decomposed (macOS mail: "a" + U+0301)
folds too. SQLite's ticket index already folds (FTS5 ``remove_diacritics 2``).
"""

from __future__ import annotations

import unicodedata
from typing import Any

from django.db.backends.signals import connection_created
from django.db.models import CharField, Func

# Combining diacritical marks: deleted (``translate`` drops characters with no counterpart).
_COMBINING = "".join(chr(cp) for cp in range(0x300, 0x370))


def _letters() -> tuple[str, str]:
    sources, targets = [], []
    for cp in range(0xC0, 0x250):
        char = chr(cp)
        parts = unicodedata.normalize("NFD", char)
        base = parts[0]
        marks = parts[1:]
        if marks and base.isascii() and base.isalpha() and all(map(unicodedata.combining, marks)):
            sources.append(char)
            targets.append(base)
    return "".join(sources), "".join(targets)


LETTERS_FROM, LETTERS_TO = _letters()
# PostgreSQL's ``translate(text, FROM_CHARS, TO_CHARS)``: the letters map one to one, then
# every combining mark (past the end of TO_CHARS) is deleted.
FROM_CHARS = LETTERS_FROM + _COMBINING
TO_CHARS = LETTERS_TO
_TABLE = str.maketrans(LETTERS_FROM, LETTERS_TO, _COMBINING)

assert "'" not in FROM_CHARS + TO_CHARS  # inlined into SQL literals below


def fold_accents(text: str) -> str:
    """``text`` without the diacritics of the table (case kept): "Vázquez" → "Vazquez"."""
    return text.translate(_TABLE)


def fold(text: str) -> str:
    """Lower case without accents, as names compare: "VÁZQUEZ" → "vazquez"."""
    return fold_accents(text).lower()


def translate_sql(expression: str) -> str:
    """SQL folding ``expression`` on PostgreSQL, with the table's characters inlined."""
    return f"translate({expression}, '{FROM_CHARS}', '{TO_CHARS}')"


class Folded(Func):
    """``fold(column)`` in a query: SQLite calls the registered Python function, PostgreSQL
    ``lower(translate(...))`` with the same table."""

    function = "atiende_fold"
    output_field = CharField()

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        sql, params = compiler.compile(self.source_expressions[0])
        return f"lower({translate_sql(sql)})", params


def _register_on_sqlite(sender: Any, connection: Any, **kwargs: Any) -> None:
    """Give every SQLite connection ``atiende_fold(text)`` (deterministic: usable anywhere)."""
    if connection.vendor == "sqlite":
        connection.connection.create_function("atiende_fold", 1, _fold_or_none, deterministic=True)


def _fold_or_none(value: object) -> str | None:
    return fold(value) if isinstance(value, str) else None


def register() -> None:
    """Called by the search app's ``ready``: every new SQLite connection gets the function."""
    connection_created.connect(_register_on_sqlite, dispatch_uid="atiende.search.folding")
