"""Show why a result matched: the query's words marked in a short, escaped snippet.

The text is escaped first and only our own ``<mark>`` tags are added, so whatever a subject or
message holds is shown as text. Words compare without case or accents ("camion" marks
"Camión"); a query word of three letters or more also marks longer words it starts
("factura" marks "facturas") and, for words of four letters or more, a slightly longer query
word marks its stem ("printers" marks "printer"), roughly what the index's stemming matched.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Sequence

from django.utils.safestring import SafeString, mark_safe

from atiende.core.marking import mark_spans
from atiende.search.terms import parse_query

_WORD = re.compile(r"\w+")
MIN_PREFIX = 3
MIN_STEM = 4
MAX_STEM_SUFFIX = 2
SNIPPET_CHARS = 160


def fold(text: str) -> str:
    """Lower case without accents: the form in which words are compared."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def query_words(query: str) -> tuple[str, ...]:
    """The folded words of ``query`` as search reads them (each split on punctuation)."""
    words: list[str] = []
    for chunk in parse_query(query).words:
        words += [fold(w) for w in _WORD.findall(chunk)]
    return tuple(dict.fromkeys(w for w in words if w))


def _matches(word: str, terms: Sequence[str]) -> bool:
    folded = fold(word)
    for term in terms:
        if folded == term or (len(term) >= MIN_PREFIX and folded.startswith(term)):
            return True
        if (
            len(folded) >= MIN_STEM
            and term.startswith(folded)
            and len(term) - len(folded) <= MAX_STEM_SUFFIX
        ):
            return True
    return False


def spans(text: str, terms: Sequence[str]) -> list[tuple[int, int]]:
    """Where in ``text`` the words matching ``terms`` are, as (start, end) offsets."""
    if not terms:
        return []
    return [m.span() for m in _WORD.finditer(text) if _matches(m.group(), terms)]


def highlight(text: str, query: str) -> SafeString:
    """All of ``text``, escaped, with the matching words marked."""
    return mark_safe(mark_spans(text, spans(text, query_words(query)), 0, len(text)))  # noqa: S308  (escaped above)


def snippet(text: str, query: str, *, size: int = SNIPPET_CHARS) -> SafeString | None:
    """About ``size`` characters of ``text`` around its first match, escaped and marked.

    ``None`` when nothing in ``text`` matches, so callers can try the next text.
    """
    text = " ".join(text.split())
    marks = spans(text, query_words(query))
    if not marks:
        return None
    first = marks[0][0]
    start = max(0, first - size // 3)
    if start:
        space = text.rfind(" ", 0, start)
        start = space + 1 if space >= 0 and start - space < 20 else start
    end = min(len(text), start + size)
    if end < len(text):
        space = text.find(" ", end)
        end = space if 0 <= space - end < 20 else end
    body = mark_spans(text, marks, start, end)
    prefix = "… " if start else ""
    suffix = " …" if end < len(text) else ""
    return mark_safe(html.escape(prefix) + body + html.escape(suffix))  # noqa: S308  (escaped above)
