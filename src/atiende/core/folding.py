"""Accent and case folding of text, in Python: "Vázquez" and "VAZQUEZ" compare as "vazquez".

Spanish speakers type without accents (and sometimes add them where there are none), so words
compare without them, both ways. Text is decomposed (NFD), its combining marks deleted and
composed again (NFC); ``search.folding.fold_sql`` does the same in PostgreSQL. It lives in
core because accounts stores every name folded (``User.folded_name``,
``Organization.folded_name``) and search folds the words it looks for: one implementation.

Every Latin letter with diacritics folds (á, ñ, ü, ç, ã, ő, ẽ…), and so does text stored
decomposed (macOS mail: "a" + U+0301). Letters without a decomposition (ø, ł, æ) stay.
"""

from __future__ import annotations

import re
import unicodedata

# Combining diacritical marks, deleted after decomposition.
_MARKS = re.compile("[\u0300-\u036f]")


def fold_accents(text: str) -> str:
    """``text`` without its diacritics (case kept): "Vázquez" → "Vazquez".

    Decomposed (NFD), the marks deleted, composed again (NFC, so Hangul and the like come
    back as they were): exactly what ``search.folding.fold_sql`` does in PostgreSQL.
    """
    if text.isascii():
        return text
    return unicodedata.normalize("NFC", _MARKS.sub("", unicodedata.normalize("NFD", text)))


def fold(text: str) -> str:
    """Lower case without accents, as names compare: "VÁZQUEZ" → "vazquez"."""
    return fold_accents(text).lower()
