"""The REST API instance at /api/v1/, with every resource router attached."""

from __future__ import annotations

from ninja import NinjaAPI

api = NinjaAPI(title="Atiende API", version="1", urls_namespace="api")
