"""One place that turns every error into an RFC 9457 problem document."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from atiende.core.errors import AtiendeError, FieldError

log = logging.getLogger(__name__)
PROBLEM_TYPE = "https://atiende.dev/problems/"
PROBLEM_CONTENT_TYPE = "application/problem+json"
# Parameter names that ninja puts in an error location and the caller never wrote.
LOCATION_NOISE = {"body", "query", "path", "header", "form", "file", "payload", "filters", "cookie"}


def problem(
    status: int,
    code: str,
    title: str,
    detail: str,
    errors: list[FieldError] | None = None,
    **extra: Any,
) -> HttpResponse:
    body = {
        "type": PROBLEM_TYPE + code,
        "title": title,
        "status": status,
        "detail": detail,
        "errors": [e.as_dict() for e in errors or []],
        **extra,
    }
    response = HttpResponse(
        json.dumps(body, cls=DjangoJSONEncoder), status=status, content_type=PROBLEM_CONTENT_TYPE
    )
    if status == 401:  # RFC 9110: a 401 names the scheme that would be accepted
        response["WWW-Authenticate"] = 'Bearer realm="atiende"'
    return response


def not_found() -> HttpResponse:
    return problem(404, "not_found", _("Not found"), _("Not found."))


def method_not_allowed(allowed: str) -> HttpResponse:
    """405 for a known path asked with another method; ``Allow`` lists the ones it takes."""
    response = problem(
        405,
        "method_not_allowed",
        _("Method not allowed"),
        _("This path accepts: %(methods)s.") % {"methods": allowed},
    )
    response["Allow"] = allowed
    return response


def payload_too_large() -> HttpResponse:
    """413 for a body past the limits (also sent by ``serving.whole_bodies``, before Django)."""
    return problem(413, "payload_too_large", _("Payload too large"), _("The request is too large."))


def field_name(location: list[Any] | tuple[Any, ...]) -> str:
    parts = [str(p) for p in location]
    while parts and parts[0] in LOCATION_NOISE:
        parts.pop(0)
    return ".".join(parts) or "body"


def install(api: NinjaAPI) -> None:
    """Register the handlers that render every error as a problem document."""

    @api.exception_handler(AtiendeError)
    def atiende_error(request: HttpRequest, exc: AtiendeError) -> HttpResponse:
        extra: dict[str, Any] = {}
        for key, value in exc.extra.items():
            if key in _extra_renderers:
                extra.update(_extra_renderers[key](request, value))
        return problem(exc.status, exc.code, str(exc.title), str(exc.detail), exc.errors, **extra)

    @api.exception_handler(ValidationError)
    def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        errors = [
            FieldError(field_name(e.get("loc", ())), str(e.get("msg", ""))) for e in exc.errors
        ]
        return problem(422, "invalid", _("Invalid input"), _("Some fields are invalid."), errors)

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return problem(
            401,
            "unauthenticated",
            _("Authentication required"),
            _("Send a valid API token as 'Authorization: Bearer <token>' or sign in."),
        )

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        if exc.status_code == 400:
            detail = _("The request body could not be parsed: %(reason)s") % {"reason": exc}
            return problem(400, "bad_request", _("Bad request"), detail)
        if exc.status_code == 403:
            return problem(403, "forbidden", _("Not allowed"), str(exc))
        return problem(exc.status_code, "error", str(exc), str(exc))

    @api.exception_handler(Http404)
    def missing(request: HttpRequest, exc: Http404) -> HttpResponse:
        return not_found()

    @api.exception_handler(MultiPartParserError)
    def bad_multipart(request: HttpRequest, exc: MultiPartParserError) -> HttpResponse:
        detail = _("The multipart body could not be parsed: %(reason)s") % {"reason": exc}
        return problem(400, "bad_request", _("Bad request"), detail)

    @api.exception_handler(RequestDataTooBig)
    def too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
        return payload_too_large()

    @api.exception_handler(TooManyFieldsSent)
    def too_many_fields(request: HttpRequest, exc: TooManyFieldsSent) -> HttpResponse:
        return problem(400, "bad_request", _("Bad request"), _("Too many fields."))

    @api.exception_handler(Exception)
    def unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
        log.exception("unhandled API error on %s %s", request.method, request.path)
        return problem(
            500, "server_error", _("Server error"), _("Something went wrong on our side.")
        )


ExtraRenderer = Callable[[HttpRequest, Any], dict[str, Any]]
_extra_renderers: dict[str, ExtraRenderer] = {}


def render_extra(name: str, renderer: ExtraRenderer) -> None:
    """Let a resource turn an error's ``extra[name]`` (e.g. the current ticket) into members
    of the problem document."""
    _extra_renderers[name] = renderer
