"""The Content-Security-Policy of every response, and the one way a view widens it.

``settings.SECURE_CSP`` is the policy (scripts and styles from our origin or with the
response's nonce, images from our origin and ``data:``). This middleware adds what only the
request knows: the live socket's origin when ``atiende run`` serves WebSockets on a port of
their own (``ATIENDE_LIVE_PORT``), since ``'self'`` does not cover another port.

A view that must show more widens the policy for its own response only, e.g. the message view
that loads a message's remote images when the agent asks for them::

    @allow_remote_images
    def message_with_images(request, ...): ...
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.http.request import split_domain_port
from django.middleware import csp

# Remote images may come from any HTTPS (or plain HTTP) server.
REMOTE_IMAGES = ("https:", "http:")
WIDEN_ATTRIBUTE = "_atiende_csp_widen"

View = Callable[..., HttpResponseBase]


def widen(response: HttpResponseBase, directive: str, *sources: str) -> HttpResponseBase:
    """Allow ``sources`` for ``directive`` in this response's policy only."""
    extra: dict[str, tuple[str, ...]] = getattr(response, WIDEN_ATTRIBUTE, {})
    extra[directive] = (*extra.get(directive, ()), *sources)
    setattr(response, WIDEN_ATTRIBUTE, extra)
    return response


def allow_remote_images(view: View) -> View:
    """Decorate a view whose response may load remote images (``img-src https: http:``)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        return widen(view(request, *args, **kwargs), "img-src", *REMOTE_IMAGES)

    return wrapped


class ContentSecurityPolicyMiddleware(csp.ContentSecurityPolicyMiddleware):
    """Django's CSP middleware, with the live socket's origin and any per-view widening."""

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        config = getattr(response, "_csp_config", None)
        if config is None and settings.SECURE_CSP:
            base: dict[str, Any] = settings.SECURE_CSP
            config = {key: list(values) for key, values in base.items()}
            live = live_origins(request)
            if live:
                config["connect-src"] = [*config.get("connect-src", []), *live]
            for directive, sources in getattr(response, WIDEN_ATTRIBUTE, {}).items():
                current = config.get(directive, [])
                # 'none' cannot be combined with sources: widening it replaces it.
                kept = [] if current == [csp.CSP.NONE] else current
                config[directive] = [*kept, *sources]
            response._csp_config = config  # type: ignore[attr-defined]  # read by Django's
        result: HttpResponse = super().process_response(request, response)
        return result


def live_origins(request: HttpRequest) -> list[str]:
    """The live socket's origin when it listens on a port of its own, as the page opens it."""
    port = settings.ATIENDE_LIVE_PORT
    if not port:
        return []
    try:
        host, _port = split_domain_port(request.get_host())
    except DisallowedHost:
        return []  # the response is already the refusal
    if not host:
        return []
    return [f"{'wss' if request.is_secure() else 'ws'}://{host}:{port}"]
