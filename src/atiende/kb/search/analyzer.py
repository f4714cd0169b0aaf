"""Text to index terms, the same way for articles and for what readers type.

A word is folded (lower case, accents dropped: ``core.folding.fold``), common words of the
language are dropped (``stopwords``) and the rest is stemmed with that language's Snowball
stemmer ("facturación", "facturacion", "Facturas" → ``factur``). Folding comes first, so a
word typed without its accents stems exactly as the written one. Languages without a
stemmer keep their folded words.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache, lru_cache

import snowballstemmer  # type: ignore[import-untyped]  # the package ships no types

from atiende.core.folding import fold
from atiende.kb.search.stopwords import STOPWORDS

# Snowball's algorithm per language code (the languages a helpdesk is likely to configure).
STEMMERS = {
    "es": "spanish",
    "en": "english",
    "pt": "portuguese",
    "fr": "french",
    "de": "german",
    "it": "italian",
    "ca": "catalan",
    "nl": "dutch",
}
WORD = re.compile(r"[^\W_]+")
MAX_WORD = 40


@dataclass(frozen=True)
class Token:
    """One word of a text: where it is, its folded form and its term (None: a stop word)."""

    start: int
    end: int
    form: str
    term: str | None


@cache
def _stemmer(language: str) -> snowballstemmer.stemmer | None:
    name = STEMMERS.get(language.split("-")[0])
    return snowballstemmer.stemmer(name) if name else None


@lru_cache(maxsize=65_536)
def stem(language: str, form: str) -> str:
    """The term of a folded word (itself when the language has no stemmer)."""
    stemmer = _stemmer(language)
    return stemmer.stemWord(form) if stemmer is not None else form


def term_of(language: str, form: str) -> str | None:
    """The index term of the folded word ``form``, or None for a stop word."""
    if form in STOPWORDS.get(language.split("-")[0], ()):
        return None
    return stem(language, form)


def tokens(text: str, language: str) -> Iterator[Token]:
    """The words of ``text`` with their place, folded form and term."""
    for match in WORD.finditer(text):
        form = fold(match.group())[:MAX_WORD]
        yield Token(match.start(), match.end(), form, term_of(language, form))


def forms(text: str, language: str) -> list[tuple[str, str]]:
    """The (folded form, term) of every word of ``text`` that is not a stop word."""
    return [(t.form, t.term) for t in tokens(text, language) if t.term is not None]


def terms(text: str, language: str) -> list[str]:
    """The index terms of ``text``, in order, repeated as often as they occur."""
    return [term for _form, term in forms(text, language)]
