"""The REST API at /api/v1/: one NinjaAPI, one error handler, every resource router."""

from __future__ import annotations

from typing import Any

from ninja import NinjaAPI

from atiende.api import (
    config,
    conversation,
    errors,
    groups,
    inbound,
    mailboxes,
    organizations,
    tickets,
    tokens,
    users,
)
from atiende.api.auth import AUTH


class AtiendeAPI(NinjaAPI):
    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        """Publish error responses as ``application/problem+json``, which is what they are."""
        schema = super().get_openapi_schema(*args, **kwargs)
        for path in schema.get("paths", {}).values():
            for operation in path.values():
                for code, response in operation.get("responses", {}).items():
                    content = response.get("content")
                    if (
                        str(code).startswith(("4", "5"))
                        and content
                        and "application/json" in content
                    ):
                        content[errors.PROBLEM_CONTENT_TYPE] = content.pop("application/json")
        return schema


api = AtiendeAPI(
    title="Atiende API",
    version="1",
    description="The Atiende helpdesk REST API. See docs/api.md.",
    urls_namespace="api",
    auth=AUTH,
)
errors.install(api)
api.add_router("/tickets", tickets.router)
api.add_router("/", conversation.router)
api.add_router("/users", users.router)
api.add_router("/organizations", organizations.router)
api.add_router("/groups", groups.router)
api.add_router("/tokens", tokens.router)
api.add_router("/", config.router)
api.add_router("/mailboxes", mailboxes.router)
api.add_router("/inbound", inbound.router)
