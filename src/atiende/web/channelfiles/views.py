"""One attachment of a reply, for the provider that sends it (Twilio, Messenger, Instagram).

No sign-in: the signed, expiring token in the path is the permission
(``messaging.channels.file_links``). ``GET`` and ``HEAD`` (Twilio checks the type with a
``HEAD`` first); anything wrong with the token or the name is a bare 404. The file goes out
with the headers of every other download: attachment, ``nosniff``, a sandboxing CSP, and
the type from our allow-list.
"""

from __future__ import annotations

from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBase
from django.views.decorators.http import require_safe

from atiende.core.errors import NotFound
from atiende.messaging.channels import file_links


@require_safe
def channel_file(request: HttpRequest, token: str, filename: str) -> HttpResponseBase:
    try:
        attachment = file_links.attachment_of(token, filename)
    except NotFound:
        return HttpResponse(status=404)
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.filename,
        content_type=file_links.served_type(attachment),
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response
