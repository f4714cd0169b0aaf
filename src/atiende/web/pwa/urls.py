"""URLs of the workspace area: pwa."""

from __future__ import annotations

urlpatterns: list[object] = []
