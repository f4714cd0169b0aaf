"""A ticket's conversation: messages, attachments and links to other tickets."""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.http import FileResponse, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import File, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field

from atiende.api import idempotency
from atiende.api.auth import actor
from atiende.api.body_format import bodies
from atiende.api.schemas.common import Id, errors
from atiende.api.schemas.common import Query as QueryText
from atiende.api.schemas.tickets import (
    AttachmentOut,
    DeliveryOut,
    LinkIn,
    LinkOut,
    MessageCreateIn,
    MessageOut,
    MessagePage,
    note_transports,
)
from atiende.core.errors import PayloadTooLarge
from atiende.core.pagination import SortKey, paginate
from atiende.messaging.channels.services import replying as channel_replies
from atiende.messaging.outbound.services import retry_message_delivery
from atiende.tickets import selectors, services

router = Router(tags=["conversation"])
OLDEST_FIRST = SortKey("created_at", False, datetime.datetime)


class PageIn(Schema):
    limit: int = Field(default=50, ge=1, le=200)
    cursor: QueryText | None = None


@router.get("/tickets/{ticket_id}/messages", response={200: MessagePage, **errors(404, 422)})
def list_messages(request: HttpRequest, ticket_id: Id, page: Query[PageIn]) -> dict[str, Any]:
    """The conversation, oldest first. Customers see public replies only."""
    caller = actor(request)
    ticket = selectors.get_ticket(caller, ticket_id)
    messages = selectors.visible_messages(caller, ticket).select_related("author")
    result = paginate(
        messages.prefetch_related("attachments", "outbound_emails"),
        OLDEST_FIRST,
        limit=page.limit,
        cursor=page.cursor,
    )
    note_transports(result.items)  # provider and delivery state: two queries for the page
    return {"items": result.items, "next_cursor": result.next_cursor}


@router.post(
    "/tickets/{ticket_id}/messages", response={201: MessageOut, **errors(403, 404, 409, 422)}
)
def create_message(request: HttpRequest, ticket_id: Id, payload: MessageCreateIn) -> HttpResponse:
    """Reply (``public: true``) or add an internal note (``public: false``, agents only);
    with ``status``, set the ticket's status in the same transaction (a refused status change
    sends nothing)."""
    caller = actor(request)

    def handler() -> tuple[int, MessageOut]:
        body, body_html = bodies(payload.format, payload.body, payload.body_html)
        message = channel_replies.reply(  # sent the way ``via`` says, or as last used
            caller,
            ticket_id=ticket_id,
            body=body,
            body_html=body_html,
            **payload.model_dump(exclude={"format", "body", "body_html"}),
        )
        return 201, MessageOut.from_orm(message)

    assert caller.user is not None
    return idempotency.run(request, caller.user, handler)


@router.post(
    "/tickets/{ticket_id}/messages/{message_id}/retry-delivery",
    response={200: DeliveryOut, **errors(403, 404, 409, 422)},
)
def retry_delivery(request: HttpRequest, ticket_id: Id, message_id: Id) -> HttpResponse:
    """Send the failed email of an outgoing message again (staff who see the ticket).
    409 when its email is not failed (queued or already sent)."""
    caller = actor(request)

    def handler() -> tuple[int, DeliveryOut]:
        delivery = retry_message_delivery(caller, ticket_id=ticket_id, message_id=message_id)
        return 200, DeliveryOut.from_orm(delivery)

    assert caller.user is not None
    return idempotency.run(request, caller.user, handler)


@router.post(
    "/tickets/{ticket_id}/attachments",
    response={201: AttachmentOut, **errors(403, 404, 413, 422)},
)
def upload_attachment(
    request: HttpRequest, ticket_id: Id, file: File[UploadedFile]
) -> HttpResponse:
    """Upload a file (multipart field ``file``); pass its id in ``attachment_ids`` of a message."""
    limit = settings.ATIENDE_MAX_ATTACHMENT_BYTES
    if file.size is not None and file.size > limit:
        raise PayloadTooLarge(
            _("The file is larger than the limit of %(limit)d bytes.") % {"limit": limit}
        )
    caller = actor(request)
    name = file.name or ""

    def handler() -> tuple[int, AttachmentOut]:
        attachment = services.store_attachment(
            caller, ticket_id=ticket_id, filename=name, stream=file
        )
        return 201, AttachmentOut.from_orm(attachment)

    assert caller.user is not None
    content = idempotency.file_fingerprint(name, file)
    return idempotency.run(request, caller.user, handler, content=content)


@router.get("/attachments/{attachment_id}", response={200: None, **errors(404, 422)})
def download_attachment(request: HttpRequest, attachment_id: Id) -> FileResponse:
    """The file, always as a download, with its sniffed type; the browser may not guess."""
    attachment = selectors.get_attachment(actor(request), attachment_id)
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.filename,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@router.get("/tickets/{ticket_id}/links", response={200: list[LinkOut], **errors(404, 422)})
def list_links(request: HttpRequest, ticket_id: Id) -> list[LinkOut]:
    return [LinkOut.from_orm(link) for link in selectors.ticket_links(actor(request), ticket_id)]


@router.post("/tickets/{ticket_id}/links", response={201: LinkOut, **errors(403, 404, 409, 422)})
def create_link(request: HttpRequest, ticket_id: Id, payload: LinkIn) -> HttpResponse:
    """Link this ticket to another: related, duplicate (of the target) or parent (of the target)."""
    caller = actor(request)

    def handler() -> tuple[int, LinkOut]:
        link = services.link_tickets(
            caller, source_id=ticket_id, target_id=payload.target_id, kind=payload.kind
        )
        return 201, LinkOut.from_orm(link)

    assert caller.user is not None
    return idempotency.run(request, caller.user, handler)


@router.delete(
    "/tickets/{ticket_id}/links/{link_id}", response={204: None, **errors(403, 404, 422)}
)
def delete_link(request: HttpRequest, ticket_id: Id, link_id: Id) -> Status[None]:
    services.unlink_tickets(actor(request), ticket_id=ticket_id, link_id=link_id)
    return Status(204, None)
