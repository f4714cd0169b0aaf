"""The chat widget's HTTP side: its configuration, the visitor's file uploads, and the chat's
files downloaded by the visitor through their signed links (``chat.file_links``).

Both are called by the widget from the sites that embed it, so they answer with CORS headers
for the widget's allowed origins (and this Atiende's own pages), never with ``*``: the
configuration tells where the socket is, and an upload needs the visitor's token (header
``X-Chat-Token``, no cookies: ``credentials: "omit"``). The widget's script itself is a static
file (``web/widget/atiende-chat.js``), which WhiteNoise serves to any origin.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse
from django.http.request import split_domain_port
from django.http.response import HttpResponseBase
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_safe

from atiende.core.errors import AtiendeError, NotFound
from atiende.messaging.channels.file_links import served_type
from atiende.messaging.chat import config, file_links, posting, selectors
from atiende.messaging.models import ChatWidget

TOKEN_HEADER = "X-Chat-Token"  # noqa: S105  # a header name, not a secret
# Room for the multipart envelope around the largest file accepted.
ENVELOPE = 64 * 1024


def _own_host(request: HttpRequest) -> str:
    host, _port = split_domain_port(request.get_host())
    return host


def _origin_ok(request: HttpRequest, widget: ChatWidget) -> bool:
    origin = request.headers.get("Origin", "")
    if not origin:
        return True  # not a browser's cross-site call (curl, a test): nothing to allow
    return config.origin_allowed(origin, widget.allowed_origins, own_host=_own_host(request))


def _cors(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    origin = request.headers.get("Origin", "")
    if origin:
        response["Access-Control-Allow-Origin"] = origin
        response["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
        response["Access-Control-Allow-Headers"] = f"Content-Type, {TOKEN_HEADER}"
        response["Access-Control-Max-Age"] = "600"
    response["Vary"] = "Origin"
    return response


def _problem(status: int, code: str, detail: str) -> JsonResponse:
    return JsonResponse({"code": code, "detail": detail}, status=status)


def socket_url(request: HttpRequest, public_id: str) -> str:
    """Where the widget opens its socket: this host, or its live port when WebSockets are
    served on a port of their own (the embedded ``atiende run``)."""
    scheme = "wss" if request.is_secure() else "ws"
    host = request.get_host()
    if settings.ATIENDE_LIVE_PORT:
        host = f"{_own_host(request)}:{settings.ATIENDE_LIVE_PORT}"
    return f"{scheme}://{host}/ws/chat/{public_id}/"


def public_config(request: HttpRequest, widget: ChatWidget) -> dict[str, Any]:
    return {
        "title": widget.title,
        "greeting": widget.greeting,
        "accent_color": widget.accent_color,
        "language": widget.language,
        "prechat_fields": widget.prechat_fields,
        "bot": widget.bot_enabled,
        "socket_url": socket_url(request, widget.public_id),
        "upload_url": request.build_absolute_uri(reverse("chat-upload", args=[widget.public_id])),
        "max_upload": config.max_upload(),
    }


@require_http_methods(["GET", "OPTIONS"])
def widget_config(request: HttpRequest, public_id: str) -> HttpResponse:
    widget = selectors.active_widget(public_id)
    if widget is None:
        return _cors(request, _problem(404, "not_found", _("Unknown chat widget.")))
    if not _origin_ok(request, widget):
        return _problem(403, "origin", _("This site may not use this chat widget."))
    if request.method == "OPTIONS":
        return _cors(request, HttpResponse(status=204))
    return _cors(request, JsonResponse(public_config(request, widget)))


@csrf_exempt  # no cookie is involved: the visitor's token is the credential
@require_http_methods(["POST", "OPTIONS"])
def upload(request: HttpRequest, public_id: str) -> HttpResponse:
    widget = selectors.active_widget(public_id)
    if widget is None:
        return _cors(request, _problem(404, "not_found", _("Unknown chat widget.")))
    if not _origin_ok(request, widget):
        return _problem(403, "origin", _("This site may not use this chat widget."))
    if request.method == "OPTIONS":
        return _cors(request, HttpResponse(status=204))
    limit = config.max_upload()
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > limit + ENVELOPE:  # refused before a byte of it is read
        detail = _("The file is larger than the limit of %(limit)d bytes.") % {"limit": limit}
        return _cors(request, _problem(413, "payload_too_large", detail))
    session = selectors.session_for(widget, request.headers.get(TOKEN_HEADER))
    if session is None:
        return _cors(request, _problem(401, "unauthenticated", _("Unknown chat.")))
    file = request.FILES.get("file")
    if file is None:
        return _cors(request, _problem(422, "invalid", _("Choose a file to send.")))
    try:
        attachment = posting.store_upload(session, filename=file.name or "", stream=file)
    except AtiendeError as error:
        return _cors(request, _problem(error.status, error.code, str(error.detail)))
    body = {"id": attachment.pk, "name": attachment.filename, "size": attachment.size}
    return _cors(request, JsonResponse(body, status=201))


@require_safe
def chat_file(request: HttpRequest, token: str, filename: str) -> HttpResponseBase:
    """A file of a chat, for its visitor: the signed token is the permission. Anything wrong
    with it is a bare 404, as is a file gone from storage."""
    try:
        attachment = file_links.attachment_of(token, filename)
        stream = attachment.file.open("rb")
    except (NotFound, OSError):
        return HttpResponse(status=404)
    kind = served_type(attachment)
    response = FileResponse(
        stream,
        as_attachment=kind not in file_links.INLINE_TYPES,
        filename=attachment.filename,
        content_type=kind,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response
