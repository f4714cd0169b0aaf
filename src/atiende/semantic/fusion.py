"""Hybrid ranking: merge rankings from different searches (full text, meaning) into one."""

from __future__ import annotations

from collections.abc import Sequence


def reciprocal_rank_fusion(*rankings: Sequence[int], k: int = 60) -> list[tuple[int, float]]:
    """Reciprocal rank fusion (Cormack et al., 2009): each id scores ``1 / (k + rank)`` in every
    ranking it appears in (rank from 1; a repeat within one ranking is ignored, as if it were
    not there), summed; best first, ties in order of first appearance."""
    scores: dict[int, float] = {}
    for ranking in rankings:
        seen: set[int] = set()
        for object_id in ranking:
            if object_id in seen:
                continue
            seen.add(object_id)
            scores[object_id] = scores.get(object_id, 0.0) + 1.0 / (k + len(seen))
    order = {object_id: i for i, object_id in enumerate(scores)}
    return sorted(scores.items(), key=lambda item: (-item[1], order[item[0]]))
