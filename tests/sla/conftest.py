from __future__ import annotations

from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True)
def _fresh_sla_snapshot() -> Iterator[None]:
    """Each test starts without another test's (rolled back) calendars and policies."""
    from atiende.sla import cache

    cache.clear()
    yield
    cache.clear()
