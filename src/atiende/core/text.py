"""Text hygiene for everything that comes in from outside.

PostgreSQL refuses NUL bytes and lone surrogates (SQLite silently stores them), so every piece
of inbound text is cleaned the same way before it reaches a model.
"""

from __future__ import annotations


def clean_text(value: str) -> str:
    """Drop NUL bytes and replace lone surrogates, so the text is storable on any database."""
    if "\x00" in value:
        value = value.replace("\x00", "")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        value = value.encode("utf-8", errors="replace").decode("utf-8")
    return value
