"""The indexed words per language, kept in memory for typo tolerance and completion.

A query word whose term is not in the index is matched to the nearest indexed word of the
same language (rapidfuzz, optimal string alignment: a swap of two letters is one edit), so
"contrasñea" finds "contraseña". The last word typed may also be completed ("contras" →
"contraseña"). The words are loaded once per process and reloaded when the table grew
(its largest id changed; the index writers of this process also forget them at once).
"""

from __future__ import annotations

import bisect
import threading
from dataclasses import dataclass, field

from django.db.models import Max
from rapidfuzz import process
from rapidfuzz.distance import OSA

from atiende.kb.models import SearchWord

# At most this many completions of the word being typed.
MAX_COMPLETIONS = 8
MIN_COMPLETION = 3
# Words shorter than this are never corrected (too many neighbours).
MIN_FUZZY = 4


@dataclass
class Words:
    """One language's indexed words: folded form → term, forms sorted, the terms."""

    term_of: dict[str, str] = field(default_factory=dict)
    sorted_forms: list[str] = field(default_factory=list)
    terms: set[str] = field(default_factory=set)

    def correct(self, form: str) -> str | None:
        """The term of the indexed word nearest to ``form`` within the allowed edits."""
        if len(form) < MIN_FUZZY or not self.sorted_forms:
            return None
        edits = 1 if len(form) < 7 else 2
        found = process.extract(
            form, self.sorted_forms, scorer=OSA.distance, score_cutoff=edits, limit=10
        )
        if not found:
            return None
        # Fewest edits; then a word starting with the same letter, of the nearest length.
        best = min(
            found,
            key=lambda hit: (hit[1], hit[0][:1] != form[:1], abs(len(hit[0]) - len(form)), hit[0]),
        )
        return self.term_of[best[0]]

    def complete(self, prefix: str) -> list[str]:
        """Terms of indexed words starting with ``prefix`` (the shortest words first)."""
        if len(prefix) < MIN_COMPLETION:
            return []
        at = bisect.bisect_left(self.sorted_forms, prefix)
        found: list[str] = []
        for form in self.sorted_forms[at : at + 200]:
            if not form.startswith(prefix):
                break
            found.append(form)
        found.sort(key=len)
        return list(dict.fromkeys(self.term_of[form] for form in found))[:MAX_COMPLETIONS]


_lock = threading.Lock()
_loaded: dict[str, tuple[int, Words]] = {}


def forget() -> None:
    """Drop the words held by this process (an index writer changed them)."""
    with _lock:
        _loaded.clear()


def words(language: str) -> Words:
    """The indexed words of ``language``, reloaded when the table changed."""
    generation = SearchWord.objects.aggregate(top=Max("id"))["top"] or 0
    with _lock:
        held = _loaded.get(language)
        if held is not None and held[0] == generation:
            return held[1]
    loaded = Words()
    for form, term in SearchWord.objects.filter(language=language).values_list("form", "term"):
        loaded.term_of[form] = term
        loaded.terms.add(term)
    loaded.sorted_forms = sorted(loaded.term_of)
    with _lock:
        _loaded[language] = (generation, loaded)
    return loaded
