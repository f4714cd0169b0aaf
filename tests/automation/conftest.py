from __future__ import annotations

from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True)
def _fresh_rules() -> Iterator[None]:
    """Each test starts without another test's (rolled back) compiled rules."""
    from atiende.automation.timed import cache as timed_cache
    from atiende.automation.triggers import cache

    cache.clear()
    timed_cache.clear()
    yield
    cache.clear()
    timed_cache.clear()
