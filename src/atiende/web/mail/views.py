"""Mailbox settings (admins): list, create, edit, deactivate, test the connection."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from atiende.core.errors import AtiendeError
from atiende.messaging import branding, mailboxes
from atiende.messaging.connection_test import check_mailbox
from atiende.web.common import HtmxHttpRequest, actor, apply_errors
from atiende.web.mail.forms import LogoForm, MailboxForm
from atiende.web.setup import selectors
from atiende.web.setup.common import cursor_of, page, settings_view, submit


def _groups(request: HttpRequest) -> list[tuple[int, str]]:
    return [(g.pk, g.name) for g in selectors.active_groups(actor(request))]


@settings_view
@require_GET
def mailbox_list(request: HttpRequest) -> HttpResponse:
    found = mailboxes.list_mailboxes(actor(request), cursor=cursor_of(request))
    return render(request, "web/mail/mailboxes.html", {"section": "mailboxes", "page": found})


@settings_view
@require_http_methods(["GET", "POST"])
def mailbox_new(request: HttpRequest) -> HttpResponse:
    form = MailboxForm(request.POST or None, groups=_groups(request))
    if request.method == "POST" and form.is_valid():
        try:
            created = mailboxes.create_mailbox(actor(request), **form.service_data())
        except AtiendeError as error:
            apply_errors(form, error)
        else:
            messages.success(
                request, _("Mailbox created. Use “Test connection” to check its servers.")
            )
            return redirect("mail-mailbox", mailbox_id=created.pk)
    context = {"section": "mailboxes", "form": form, "mailbox": None}
    return page(request, "web/mail/mailbox.html", context, form=form)


@settings_view
@require_http_methods(["GET", "POST"])
def mailbox_edit(request: HttpRequest, mailbox_id: int) -> HttpResponse:
    mailbox = mailboxes.get_mailbox(actor(request), mailbox_id)
    form = MailboxForm(
        request.POST or None,
        initial=MailboxForm.initial_for(mailbox),
        groups=_groups(request),
        has_imap_password=bool(mailbox.imap_secret),
        has_smtp_password=bool(mailbox.smtp_secret),
    )
    if request.method == "POST":

        def write(data: dict[str, Any]) -> object:
            return mailboxes.update_mailbox(
                actor(request), mailbox_id=mailbox.pk, changes=form.service_data()
            )

        done = _("Mailbox saved.")
        to = reverse("mail-mailbox", args=[mailbox.pk])
        if result := submit(request, form, write, done=done, to=to):
            return result
    context = {"section": "mailboxes", "form": form, "mailbox": mailbox, "logo_form": LogoForm()}
    return page(request, "web/mail/mailbox.html", context, form=form)


@settings_view
@require_POST
def mailbox_deactivate(request: HttpRequest, mailbox_id: int) -> HttpResponse:
    try:
        mailbox = mailboxes.deactivate_mailbox(actor(request), mailbox_id=mailbox_id)
    except AtiendeError as error:
        messages.error(request, str(error.detail))
        return redirect("mail-mailboxes")
    messages.success(
        request,
        _("%(address)s is inactive: no mail is fetched or accepted for it.")
        % {"address": mailbox.address},
    )
    return redirect("mail-mailbox", mailbox_id=mailbox.pk)


@settings_view
@require_POST
def mailbox_test(request: HtmxHttpRequest, mailbox_id: int) -> HttpResponse:
    """The connection report as a fragment (htmx) or, without JavaScript, on the edit page."""
    mailbox = mailboxes.get_mailbox(actor(request), mailbox_id)
    report = check_mailbox(mailbox)
    context = {"report": report, "mailbox": mailbox}
    if request.htmx:
        return render(request, "web/mail/_report.html", context)
    form = MailboxForm(
        initial=MailboxForm.initial_for(mailbox),
        groups=_groups(request),
        has_imap_password=bool(mailbox.imap_secret),
        has_smtp_password=bool(mailbox.smtp_secret),
    )
    context.update({"section": "mailboxes", "form": form, "logo_form": LogoForm()})
    return render(request, "web/mail/mailbox.html", context)


@settings_view
@require_POST
def mailbox_logo(request: HttpRequest, mailbox_id: int) -> HttpResponse:
    """Upload (or remove) the mailbox's portal logo; the bytes decide whether it is an image."""
    form = LogoForm(request.POST, request.FILES)
    upload = request.FILES.get("brand_logo") if form.is_valid() else None
    try:
        if request.POST.get("remove"):
            branding.remove_brand_logo(actor(request), mailbox_id=mailbox_id)
            messages.success(request, _("Logo removed."))
        elif upload is None:
            messages.error(request, _("Choose an image file to upload."))
        else:
            data = upload.read(branding.MAX_LOGO_BYTES + 1)
            branding.set_brand_logo(actor(request), mailbox_id=mailbox_id, data=data)
            messages.success(request, _("Logo saved."))
    except AtiendeError as error:
        messages.error(request, str(error.detail))
    return redirect("mail-mailbox", mailbox_id=mailbox_id)
