"""The composer: replies and notes, attachments, macros (canned responses), @mentions."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from atiende.automation.macros import selectors as macros
from atiende.automation.macros.services import apply_macro
from atiende.core import markdown
from atiende.core.errors import AtiendeError
from atiende.messaging import selectors
from atiende.messaging.channels.services import replying as channel_replies
from atiende.tickets import services as tickets
from atiende.tickets.models import StatusCategory, Ticket
from atiende.web.common import (
    HtmxHttpRequest,
    actor,
    apply_errors,
    error_fragment,
    staff_required,
)
from atiende.web.ticket import page
from atiende.web.ticket.forms import (
    ComposerForm,
)
from atiende.web.ticket.send_by import send_by
from atiende.web.ticket.views.common import load_ticket
from atiende.web.ticket.views.header import mark_changed

# Composer ------------------------------------------------------------------------------------

CONFIRM_RECIPIENTS = 10  # a reply to more people than this asks the agent first


def confirm_above() -> int:
    """``ATIENDE_REPLY_CONFIRM_RECIPIENTS``: how many people a reply may go to unasked."""
    return int(getattr(settings, "ATIENDE_REPLY_CONFIRM_RECIPIENTS", CONFIRM_RECIPIENTS))


def composer_context(
    request: HttpRequest,
    ticket: Ticket,
    form: ComposerForm,
    *,
    status: int = 200,
    collision: Any = None,
    attachments: list[Any] | None = None,
    mentions: list[Any] | None = None,
    recipients: list[str] | None = None,
) -> HttpResponse:
    context = {
        "recipients": recipients or [],
        "ticket": ticket,
        "composer": form,
        "collision": collision,
        "pending_attachments": attachments or [],
        "pending_mentions": mentions or [],
        "last_seen": form["last_seen"].value() or 0,
        "collision_html": page.message_html(collision) if collision is not None else "",
        "send_by": send_by(ticket),
    }
    return render(request, "web/ticket/_composer.html", context, status=status)


@staff_required
@require_POST
def reply(request: HtmxHttpRequest, ticket_id: int) -> HttpResponse:
    """Send a reply or a note; with ``then`` also set pending or solved in the same action
    (``tickets.services.reply``: both happen or neither).

    Before a public reply, a newer public message from someone else stops the send: the agent
    sees it, keeps their text and may send anyway.
    """
    ticket = load_ticket(request, ticket_id)
    caller = actor(request)
    form = ComposerForm(request.POST)
    if not form.is_valid():
        return composer_context(request, ticket, form, status=422)
    data = form.cleaned_data
    public: bool = data["public"]
    attachment_ids = form.ids("attachment_ids")
    mention_ids = form.ids("mentions") if not public else []
    try:
        for upload in request.FILES.getlist("file"):
            stored = tickets.store_attachment(
                caller, ticket_id=ticket.pk, filename=upload.name or "", stream=upload
            )
            attachment_ids.append(stored.pk)
    except AtiendeError as error:
        apply_errors(form, error)
        return composer_context(request, ticket, form, status=error.status)
    pending = page.pending_attachments(caller, ticket, attachment_ids)
    mentioned = page.agents_by_id(mention_ids)
    if public and not data["force"] and data["last_seen"] is not None:
        newer = page.newer_public_message(caller, ticket, after_id=data["last_seen"])
        if newer is not None:
            values = request.POST.copy()
            values["last_seen"] = str(newer.pk)
            kept = ComposerForm(values)
            kept.is_valid()
            return composer_context(
                request,
                ticket,
                kept,
                status=409,
                collision=newer,
                attachments=pending,
                mentions=mentioned,
            )
    if public and not data["many_ok"]:
        recipients = selectors.reply_recipients(caller, ticket)
        if len(recipients) > confirm_above():
            return composer_context(
                request,
                ticket,
                form,
                status=409,
                attachments=pending,
                mentions=mentioned,
                recipients=recipients,
            )
    status_key = None
    if data["then"]:
        category = StatusCategory.PENDING if data["then"] == "pending" else StatusCategory.SOLVED
        target = page.first_status(ticket, category)
        if target is None:
            form.add_error(
                None,
                _("The ticket cannot move from “%(status)s” to %(category)s; nothing was sent.")
                % {"status": ticket.status.name, "category": category.label},
            )
            return composer_context(
                request, ticket, form, status=422, attachments=pending, mentions=mentioned
            )
        status_key = target.key
    formatted = markdown.render(data["body"])
    try:
        channel_replies.reply(  # sent the way "Send by" says (a conversation, or email)
            caller,
            ticket_id=ticket.pk,
            body=formatted.text,
            body_html=formatted.html,
            public=public,
            via=data["via"] if public else "",
            template=data["template"] if public else "",
            attachment_ids=attachment_ids,
            mentions=mention_ids,
            status=status_key,
        )
    except AtiendeError as error:
        apply_errors(form, error)
        return composer_context(
            request, ticket, form, status=error.status, attachments=pending, mentions=mentioned
        )
    fresh = ComposerForm(
        initial={
            "public": "1" if public else "0",
            "last_seen": page.last_message_id(caller, ticket),
        }
    )
    if not request.htmx:
        return redirect("ticket", ticket_id=ticket.pk)
    return mark_changed(composer_context(request, ticket, fresh))


@staff_required
@require_POST
def upload(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """Store dropped or picked files now; the composer sends their ids with the message."""
    ticket = load_ticket(request, ticket_id)
    files = request.FILES.getlist("file")
    if not files:
        return error_fragment(request, AtiendeError(_("Choose a file to attach.")))
    stored = []
    try:
        for upload_file in files:
            stored.append(
                tickets.store_attachment(
                    actor(request),
                    ticket_id=ticket.pk,
                    filename=upload_file.name or "",
                    stream=upload_file,
                )
            )
    except AtiendeError as error:
        return error_fragment(request, error)
    return render(request, "web/ticket/_attachment_chips.html", {"attachments": stored})


@staff_required
@require_GET
def canned_list(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """The macros the agent may apply here (canned responses are macros without actions)."""
    ticket = load_ticket(request, ticket_id)
    q = (request.GET.get("q") or request.GET.get("canned_q") or "")[:100]
    responses = list(macros.available_macros(actor(request), q=q)[:30])
    return render(
        request, "web/ticket/_canned_list.html", {"ticket": ticket, "responses": responses}
    )


@staff_required
@require_POST
def canned_text(request: HttpRequest, ticket_id: int, response_id: int) -> HttpResponse:
    """Apply the macro: its actions change the ticket now (the history names the macro), and
    its text comes back as plain text for the composer to insert, for the agent to edit and
    send. ``version`` (optional) is the ticket version the page shows."""
    ticket = load_ticket(request, ticket_id)
    raw_version = request.POST.get("version", "")
    version = int(raw_version) if raw_version.isdecimal() else None
    try:
        text = apply_macro(
            actor(request), ticket_id=ticket.pk, macro_id=response_id, version=version
        )
    except AtiendeError as error:
        return error_fragment(request, error)
    answer = HttpResponse(text, content_type="text/plain; charset=utf-8")
    answer["X-Content-Type-Options"] = "nosniff"
    return mark_changed(answer)


@staff_required
@require_GET
def mention_suggestions(request: HttpRequest, ticket_id: int) -> HttpResponse:
    ticket = load_ticket(request, ticket_id)
    agents = page.mentionable(ticket, request.GET.get("q", "")[:100])
    return render(request, "web/ticket/_mentions.html", {"agents": agents})
