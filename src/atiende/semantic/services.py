"""The only writers of stored vectors: index objects' texts, drop them.

Callers are other apps' subscribers and commands (the knowledge base indexes published
translations, similar tickets index solved ones); they decide what may be indexed, and every
read filters the results through their own gate, so these services check no permission.
Each call runs in one transaction and bumps the kind's generation, so every process's
in-memory matrix (``matrix``) reloads the changed rows on its next query.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from django.db import IntegrityError, router, transaction
from django.db.models import F
from django.utils import timezone
from numpy.typing import NDArray

from atiende.semantic import encoder
from atiende.semantic.matrix import STORED_DTYPE
from atiende.semantic.models import Embedding, Generation
from atiende.semantic.pending import mark_written


@dataclass(frozen=True)
class Text:
    """One object's text to index."""

    object_id: int
    language: str
    text: str


def index(kind: str, object_id: int, language: str, text: str) -> bool:
    """Store the vector of ``text`` for ``kind``/``object_id``, replacing any older one.

    ``False`` when the encoder is unavailable: the old vector (if any) stays, and a rebuild
    (``atiende semantic rebuild``) catches up once it is back.
    """
    return index_many(kind, [Text(object_id, language, text)]) == 1


def index_many(kind: str, texts: Iterable[Text]) -> int:
    """Store the vectors of many texts, encoded in batches; how many were stored (0 when the
    encoder is unavailable). A text that is empty once trimmed drops its object instead."""
    items = list(texts)
    if not items:
        return 0
    empty = [item.object_id for item in items if not item.text.strip()]
    items = [item for item in items if item.text.strip()]
    vectors = encoder.encode([item.text for item in items]) if items else None
    if items and vectors is None:
        return 0
    with transaction.atomic(using=_alias()):
        seq = _next_generation(kind)
        if empty:
            _tombstone(kind, empty, seq)
        if vectors is not None:
            _upsert(kind, items, vectors, seq)
    return len(items)


def index_vectors(kind: str, items: Sequence[Text], vectors: NDArray[np.float32]) -> int:
    """Store vectors computed elsewhere (one unit row of ``DIMENSIONS`` per item, e.g. by an
    import or the bench); ``text`` is not read. How many were stored."""
    if len(items) != len(vectors) or vectors.shape[1:] != (encoder.DIMENSIONS,):
        raise ValueError("one vector of DIMENSIONS floats per item")
    if not items:
        return 0
    with transaction.atomic(using=_alias()):
        _upsert(kind, items, vectors, _next_generation(kind))
    return len(items)


def drop(kind: str, object_id: int) -> None:
    """Forget ``kind``/``object_id`` (a withdrawn article, a ticket merged away)."""
    drop_many(kind, [object_id])


def drop_many(kind: str, object_ids: Sequence[int]) -> None:
    if not object_ids:
        return
    with transaction.atomic(using=_alias()):
        if not Embedding.objects.filter(kind=kind, object_id__in=object_ids).exists():
            return
        _tombstone(kind, object_ids, _next_generation(kind))


def drop_all(kind: str) -> int:
    """Forget every object of ``kind`` (a rebuild starts here); how many there were."""
    with transaction.atomic(using=_alias()):
        rows = Embedding.objects.filter(kind=kind).exclude(vector=b"")
        count = rows.count()
        if count:
            seq = _next_generation(kind)
            rows.update(vector=b"", seq=seq, updated_at=timezone.now())
        return count


def keep_only(kind: str, object_ids: Iterable[int]) -> int:
    """Forget every object of ``kind`` not in ``object_ids`` (the end of a rebuild); how many."""
    keep = set(object_ids)
    with transaction.atomic(using=_alias()):
        stored = Embedding.objects.filter(kind=kind).exclude(vector=b"")
        gone = [i for i in stored.values_list("object_id", flat=True) if i not in keep]
        seq = _next_generation(kind) if gone else 0
        for start in range(0, len(gone), 500):
            _tombstone(kind, gone[start : start + 500], seq)
        return len(gone)


def _upsert(kind: str, items: Sequence[Text], vectors: NDArray[np.float32], seq: int) -> None:
    now = timezone.now()
    stored = vectors.astype(STORED_DTYPE)
    mark_written(kind)
    Embedding.objects.bulk_create(
        [
            Embedding(
                kind=kind,
                object_id=item.object_id,
                language=item.language[:16],
                vector=stored[i].tobytes(),
                model=encoder.MODEL_VERSION,
                seq=seq,
                updated_at=now,
            )
            for i, item in enumerate(items)
        ],
        batch_size=500,
        update_conflicts=True,
        unique_fields=["kind", "object_id"],
        update_fields=["language", "vector", "model", "seq", "updated_at"],
    )


def _tombstone(kind: str, object_ids: Sequence[int], seq: int) -> None:
    mark_written(kind)
    Embedding.objects.filter(kind=kind, object_id__in=object_ids).update(
        vector=b"", seq=seq, updated_at=timezone.now()
    )


def _next_generation(kind: str) -> int:
    """The kind's next generation, its counter row locked until the commit: writers of one
    kind take turns, so generations commit in order and a reader that has seen generation
    ``g`` has seen every row written at ``g`` or before."""
    if not Generation.objects.filter(kind=kind).update(value=F("value") + 1):
        try:
            with transaction.atomic(using=_alias()):
                Generation.objects.create(kind=kind, epoch=uuid.uuid4().hex, value=1)
        except IntegrityError:  # another writer made it first
            Generation.objects.filter(kind=kind).update(value=F("value") + 1)
    mark_written(kind)
    return Generation.objects.filter(kind=kind).values_list("value", flat=True).get()


def _alias() -> str:
    return router.db_for_write(Embedding)
