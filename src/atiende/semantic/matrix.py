"""Each kind's vectors in this process's memory, as one float32 matrix.

A query is one matrix product over the whole kind (100,000 vectors of 512 floats: about 5 ms
and 200 MB). Before each query the kind's generation row is read (one primary-key lookup); when
another process or thread has written since, only the rows written after the generation this
copy holds are read back (``seq`` > held), so a solved ticket costs every process one row, not
a reload. A new ``epoch`` (the table emptied and refilled, e.g. between tests) reloads all.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable

import numpy as np

from atiende.semantic.encoder import DIMENSIONS, MODEL_VERSION
from atiende.semantic.models import Embedding, Generation

STORED_DTYPE = np.float16
_INITIAL_CAPACITY = 1024


class KindMatrix:
    """The vectors of one kind: row ``r`` holds the object ``ids[r]`` (-1: a free row)."""

    def __init__(self, capacity: int = _INITIAL_CAPACITY) -> None:
        capacity = max(capacity, 1)
        self.vectors = np.zeros((capacity, DIMENSIONS), dtype=np.float32)
        self.ids = np.full(capacity, -1, dtype=np.int64)
        self.used = 0  # rows 0..used-1 have been handed out
        self.row_of: dict[int, int] = {}
        self.free: list[int] = []
        self.epoch = ""
        self.generation = 0

    def __len__(self) -> int:
        return len(self.row_of)

    def apply(self, rows: Iterable[tuple[int, bytes | memoryview, str]]) -> None:
        """Take rows ``(object_id, vector bytes, model)`` read from the table: a vector of
        this model replaces the object's row, anything else (dropped, other model) frees it."""
        for object_id, raw, model in rows:
            data = bytes(raw)
            if model == MODEL_VERSION and len(data) == DIMENSIONS * 2:
                self._put(object_id, np.frombuffer(data, dtype=STORED_DTYPE))
            else:
                self._remove(object_id)

    def _put(self, object_id: int, vector: np.ndarray) -> None:
        row = self.row_of.get(object_id)
        if row is None:
            row = self.free.pop() if self.free else self._grow()
            self.row_of[object_id] = row
            self.ids[row] = object_id
        self.vectors[row] = vector

    def _grow(self) -> int:
        if self.used == len(self.ids):
            # A quarter more (at least a thousand rows): memory, not copies, is what counts.
            capacity = max(len(self.ids) * 5 // 4, len(self.ids) + _INITIAL_CAPACITY)
            vectors = np.zeros((capacity, DIMENSIONS), dtype=np.float32)
            vectors[: self.used] = self.vectors[: self.used]
            ids = np.full(capacity, -1, dtype=np.int64)
            ids[: self.used] = self.ids[: self.used]
            self.vectors, self.ids = vectors, ids
        self.used += 1
        return self.used - 1

    def _remove(self, object_id: int) -> None:
        row = self.row_of.pop(object_id, None)
        if row is not None:
            self.ids[row] = -1
            self.vectors[row] = 0.0
            self.free.append(row)

    def nearest(
        self, query: np.ndarray, k: int, restrict_to: Iterable[int] | None
    ) -> list[tuple[int, float]]:
        """The ``k`` objects most similar to the unit vector ``query``, best first."""
        if k <= 0 or not self.row_of:
            return []
        if restrict_to is None:
            ids = self.ids[: self.used]
            scores = self.vectors[: self.used] @ query
            scores[ids < 0] = -np.inf
        else:
            wanted = set(restrict_to)
            if len(wanted) * 4 < len(self.row_of):  # few: compute only theirs
                rows = np.fromiter(
                    (self.row_of[i] for i in wanted if i in self.row_of), dtype=np.int64
                )
                if not len(rows):
                    return []
                ids = self.ids[rows]
                scores = self.vectors[rows] @ query
            else:  # many: one product, then mask
                ids = self.ids[: self.used]
                scores = self.vectors[: self.used] @ query
                keep = np.isin(ids, np.fromiter(wanted, dtype=np.int64, count=len(wanted)))
                scores[~keep | (ids < 0)] = -np.inf
        k = min(k, len(scores))
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top], kind="stable")]
        return [(int(ids[r]), float(scores[r])) for r in top if np.isfinite(scores[r])]


_lock = threading.Lock()
_matrices: dict[tuple[str, str], KindMatrix] = {}


def current(kind: str, alias: str) -> KindMatrix:
    """This process's matrix of ``kind``, brought up to date with the table's committed rows.
    The caller holds ``lock`` while it uses the matrix."""
    row = Generation.objects.using(alias).filter(kind=kind).values_list("epoch", "value").first()
    epoch, generation = row if row is not None else ("", 0)
    matrix = _matrices.get((alias, kind))
    if matrix is None or matrix.epoch != epoch or generation < matrix.generation:
        matrix = _loaded(kind, alias) if generation else KindMatrix()
        _matrices[(alias, kind)] = matrix
    elif generation > matrix.generation:
        matrix.apply(_rows(kind, alias, after=matrix.generation))
    matrix.epoch, matrix.generation = epoch, generation
    return matrix


def uncached(kind: str, alias: str) -> KindMatrix:
    """A throwaway matrix of every row the open transaction sees (it wrote some itself)."""
    return _loaded(kind, alias)


def _loaded(kind: str, alias: str) -> KindMatrix:
    """Every stored vector of ``kind``, in a matrix sized for them (and a little growth)."""
    stored = Embedding.objects.using(alias).filter(kind=kind).exclude(vector=b"").count()
    matrix = KindMatrix(capacity=stored + _INITIAL_CAPACITY)
    matrix.apply(_rows(kind, alias, after=None))
    return matrix


def _rows(
    kind: str, alias: str, *, after: int | None
) -> Iterable[tuple[int, bytes | memoryview, str]]:
    rows = Embedding.objects.using(alias).filter(kind=kind)
    rows = rows.exclude(vector=b"") if after is None else rows.filter(seq__gt=after)
    return rows.values_list("object_id", "vector", "model").iterator(chunk_size=2000)


def lock() -> threading.Lock:
    return _lock


def forget() -> None:
    """Drop every in-memory matrix (tests; the rebuild command)."""
    with _lock:
        _matrices.clear()
