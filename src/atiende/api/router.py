"""The REST API at /api/v1/: one NinjaAPI, one error handler, every resource router."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponseBase
from django.urls import URLPattern, URLResolver, re_path
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI

from atiende.api import (
    availability,
    calendars,
    channel_quarantine,
    channels,
    chat_widgets,
    config,
    conversation,
    conversation_start,
    errors,
    forms,
    groups,
    idempotency,
    inbound,
    kb,
    kb_search,
    macros,
    mailboxes,
    organizations,
    ratelimit,
    sla_policies,
    surveys,
    tickets,
    tokens,
    triggers,
    users,
    vocabulary,
)
from atiende.api.auth import AUTH

View = Callable[..., HttpResponseBase]

IDEMPOTENCY_PARAMETER = {
    "name": idempotency.HEADER,
    "in": "header",
    "required": False,
    "description": "Your unique string for this request: a retry with the same key and body "
    "answers the first answer again and does nothing twice (24 hours, per user).",
    "schema": {"type": "string", "minLength": 1, "maxLength": idempotency.MAX_KEY,
               "pattern": idempotency.KEY_PATTERN},
}  # fmt: skip


def keeps_contract(view: View) -> View:
    """Wrap a route of the API: a wrong method is a 405 problem with ``Allow``, and every
    authenticated answer carries the caller's rate-limit budget."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        response = view(request, *args, **kwargs)
        if response.status_code == 405 and not response.get("Content-Type", "").startswith(
            errors.PROBLEM_CONTENT_TYPE
        ):
            response = errors.method_not_allowed(response["Allow"])
        ratelimit.add_headers(request, response)
        return response

    return wrapper


@csrf_exempt
def unknown_route(request: HttpRequest, rest: str = "") -> HttpResponseBase:
    """Any other path under /api/v1/: a 404 problem document, not the site's HTML page."""
    return errors.not_found()


class AtiendeAPI(NinjaAPI):
    def _get_urls(self) -> list[URLPattern | URLResolver]:
        urls = super()._get_urls()
        for url in urls:
            if isinstance(url, URLPattern):
                url.callback = keeps_contract(url.callback)
        return [*urls, re_path(r"^(?P<rest>.*)$", unknown_route)]

    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        """Publish error responses as ``application/problem+json``, which is what they are,
        and the ``Idempotency-Key`` header every POST honours."""
        schema = super().get_openapi_schema(*args, **kwargs)
        for path in schema.get("paths", {}).values():
            if "post" in path:
                path["post"].setdefault("parameters", []).append(IDEMPOTENCY_PARAMETER)
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
api.add_router("/", sla_policies.router)
api.add_router("/", macros.router)
api.add_router("/", conversation.router)
api.add_router("/", conversation_start.router)
api.add_router("/users", users.router)
api.add_router("/organizations", organizations.router)
api.add_router("/groups", groups.router)
api.add_router("/", availability.router)
api.add_router("/", calendars.router)
api.add_router("/", triggers.router)
api.add_router("/", vocabulary.router)
api.add_router("/tokens", tokens.router)
api.add_router("/", config.router)
api.add_router("/mailboxes", mailboxes.router)
api.add_router("/", channels.router)
api.add_router("/", channel_quarantine.router)
api.add_router("/", chat_widgets.router)
api.add_router("/inbound", inbound.router)
api.add_router("/", surveys.router)
api.add_router("/", kb_search.router)  # before kb's: its /kb/search is no article path
api.add_router("/", kb.router)
api.add_router("/forms", forms.router)
