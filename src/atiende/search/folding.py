"""Accent folding in PostgreSQL, as ``core.folding`` does in Python: "vazquez" finds "Vázquez".

PostgreSQL's ``unaccent`` extension would do it, but creating an extension from a migration
needs rights an application's database user often lacks (decision 0006). Instead ticket
documents are folded when indexed with built-in ``normalize`` and ``regexp_replace``, the
same steps as ``core.folding.fold_accents``. Customer and organization names need no SQL
folding: accounts stores them folded (``folded_name``). SQLite's ticket index already folds
(FTS5 ``remove_diacritics 2``).
"""

from __future__ import annotations


def fold_sql(expression: str) -> str:
    """SQL folding ``expression`` on PostgreSQL as `core.folding.fold_accents` does in Python.

    Built-in ``normalize`` and one regular expression: linear in the text. ``translate`` with
    a table of every accented letter compared each character with the whole table, and made
    indexing a ticket's text 9 times slower than reading it (17 ms for 10,000 characters).
    """
    return (
        f"normalize(regexp_replace(normalize({expression}, NFD), '[\u0300-\u036f]', '', 'g'), NFC)"
    )
