"""Reads: the stored objects nearest in meaning to a text or a vector.

Results are object ids and cosine similarities only; the caller filters them through its own
gate (``tickets.selectors.visible_tickets``, ``kb.selectors.readable_translations``) or passes
the ids a reader may see as ``restrict_to``.
"""

from __future__ import annotations

from collections.abc import Collection

import numpy as np
from django.db import router

from atiende.semantic import encoder, matrix
from atiende.semantic.models import Embedding
from atiende.semantic.pending import written_in_transaction


def nearest(
    kind: str,
    query: str | np.ndarray,
    k: int = 10,
    *,
    restrict_to: Collection[int] | None = None,
) -> list[tuple[int, float]]:
    """The ``k`` objects of ``kind`` nearest to ``query`` (a text, encoded here, or a vector),
    as ``(object_id, similarity)`` best first; only ids in ``restrict_to`` when it is given.

    Empty when the encoder is unavailable (callers fall back to full text).
    """
    vector = query_vector(query)
    if vector is None:
        return []
    alias = router.db_for_read(Embedding)
    if written_in_transaction(kind):
        return matrix.uncached(kind, alias).nearest(vector, k, restrict_to)
    with matrix.lock():
        return matrix.current(kind, alias).nearest(vector, k, restrict_to)


def query_vector(query: str | np.ndarray) -> np.ndarray | None:
    """``query`` as a unit float32 vector (``None``: the encoder is off or the text empty)."""
    if isinstance(query, str):
        if not query.strip():
            return None
        encoded = encoder.encode([query])
        return None if encoded is None else encoded[0]
    vector = np.asarray(query, dtype=np.float32).reshape(-1)
    if vector.shape != (encoder.DIMENSIONS,):
        raise ValueError(f"a query vector has {encoder.DIMENSIONS} dimensions")
    norm = float(np.linalg.norm(vector))
    return vector / norm if norm > 0 else None


def vector_of(kind: str, object_id: int) -> np.ndarray | None:
    """The stored vector of one object (``None`` when it has none): "more like this"."""
    row = (
        Embedding.objects.filter(kind=kind, object_id=object_id, model=encoder.MODEL_VERSION)
        .exclude(vector=b"")
        .values_list("vector", flat=True)
        .first()
    )
    if row is None:
        return None
    return np.frombuffer(bytes(row), dtype=matrix.STORED_DTYPE).astype(np.float32)


def has(kind: str, object_id: int) -> bool:
    """Whether ``kind``/``object_id`` has a stored vector (one indexed row)."""
    return Embedding.objects.filter(kind=kind, object_id=object_id).exclude(vector=b"").exists()
