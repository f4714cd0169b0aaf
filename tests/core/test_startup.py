"""A server process settles before serving: views imported, startup objects frozen."""

from __future__ import annotations

import gc
import sys

from atiende.core.startup import settle


def test_settle_imports_the_views_and_freezes_what_startup_built() -> None:
    gc.unfreeze()
    try:
        settle()
        assert gc.get_freeze_count() > 10_000  # modules, classes, templates, URL patterns
        assert "atiende.web.inbox.views" in sys.modules
        assert "atiende.api.tickets" in sys.modules
    finally:
        gc.unfreeze()
