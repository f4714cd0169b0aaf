"""Turn what a person typed into search terms that no backend can choke on.

Both backends get the same words, so a query means the same thing on SQLite and PostgreSQL:
every word must match; operators typed by the user (quotes, ``-``, ``OR``, ``NEAR(``, ``*``)
are treated as plain text, never as query syntax.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Bound the work a hostile query can cause: only this much of it is read.
MAX_QUERY_CHARS = 2_000
MAX_WORDS = 32
MAX_WORD_CHARS = 100
# Shorter prefixes expand to too many index terms to stay fast on big tables.
MIN_PREFIX_CHARS = 3

# Double quotes would end a quoted term; control characters, NUL and lone surrogates cannot
# be sent to PostgreSQL (and mean nothing in a search).
_UNSAFE = re.compile('["\x00-\x1f\x7f-\x9f\ud800-\udfff]')


@dataclass(frozen=True)
class SearchTerms:
    """The words to match, all of them; ``prefix`` lets the last one match as a prefix."""

    words: tuple[str, ...]
    prefix: bool

    def __bool__(self) -> bool:
        return bool(self.words)


def parse_query(query: str) -> SearchTerms:
    """Split ``query`` on white space into words that contain a letter or digit.

    Chunks of punctuation only are dropped (a backend would see an empty term). The last word
    is a prefix when the query does not end in white space, so results follow as one types.
    """
    head = query[:MAX_QUERY_CHARS]
    words = tuple(
        chunk[:MAX_WORD_CHARS]
        for chunk in _UNSAFE.sub(" ", head).split()
        if any(char.isalnum() for char in chunk)
    )[:MAX_WORDS]
    last = words[-1] if words else ""
    prefix = len(last) >= MIN_PREFIX_CHARS and last.isalnum() and not head[-1:].isspace()
    return SearchTerms(words=words, prefix=prefix)
