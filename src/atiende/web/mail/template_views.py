"""Customer notification templates (admins): per kind × language × mailbox or default."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from atiende.core.errors import AtiendeError, Invalid, NotFound
from atiende.messaging import mailboxes, templates
from atiende.messaging.models import Mailbox, OutboundKind
from atiende.web.common import actor, apply_errors
from atiende.web.mail.forms import TemplateForm
from atiende.web.setup.common import page, settings_view

LANGUAGE_NAMES = {"es": gettext_lazy("Spanish"), "en": gettext_lazy("English")}
SOURCE_NAMES = {
    "builtin": gettext_lazy("Built-in"),
    "default": gettext_lazy("Default for all mailboxes"),
    "mailbox": gettext_lazy("Own text of this mailbox"),
}
PLACEHOLDER_HELP = {
    "ticket.number": gettext_lazy("The ticket number"),
    "ticket.subject": gettext_lazy("The ticket subject"),
    "customer.name": gettext_lazy("The customer's full name"),
    "customer.first_name": gettext_lazy("The customer's first name"),
    "customer.email": gettext_lazy("The customer's email address"),
    "agent.name": gettext_lazy("The agent's name (who replied, or the assignee)"),
    "agent.first_name": gettext_lazy("The agent's first name"),
    "message.text": gettext_lazy("The agent's reply (agent replied only)"),
    "brand.name": gettext_lazy("The mailbox's brand name"),
}


@dataclass(frozen=True)
class Cell:
    kind: str
    language: str
    language_name: str
    text: templates.TemplateText
    url: str

    @property
    def source_name(self) -> str:
        return str(SOURCE_NAMES[self.text.source])


def _mailbox(request: HttpRequest) -> Mailbox | None:
    value = request.GET.get("mailbox") or request.POST.get("mailbox") or ""
    if not value:
        return None
    if not value.isdecimal():
        raise NotFound(_("Mailbox not found."))
    return mailboxes.get_mailbox(actor(request), int(value))


def _check(kind: str, language: str) -> None:
    if kind not in templates.KINDS or language not in templates.LANGUAGES:
        raise NotFound(_("There is no such notification."))


def _edit_url(kind: str, language: str, mailbox: Mailbox | None) -> str:
    url = reverse("mail-template", args=[kind, language])
    return f"{url}?mailbox={mailbox.pk}" if mailbox is not None else url


@settings_view
@require_GET
def template_list(request: HttpRequest) -> HttpResponse:
    caller = actor(request)
    mailbox = _mailbox(request)
    rows = []
    for kind in templates.KINDS:
        cells = [
            Cell(
                kind,
                language,
                str(LANGUAGE_NAMES[language]),
                templates.template_text(kind, language=language, mailbox=mailbox),
                _edit_url(kind, language, mailbox),
            )
            for language in templates.LANGUAGES
        ]
        rows.append((OutboundKind(kind).label, cells))
    context = {
        "section": "templates",
        "rows": rows,
        "mailbox": mailbox,
        "mailboxes": list(mailboxes.all_mailboxes(caller)),
        "languages": [LANGUAGE_NAMES[code] for code in templates.LANGUAGES],
    }
    return render(request, "web/mail/templates.html", context)


@settings_view
@require_http_methods(["GET", "POST"])
def template_edit(request: HttpRequest, kind: str, language: str) -> HttpResponse:
    _check(kind, language)
    caller = actor(request)
    mailbox = _mailbox(request)
    current = templates.template_text(kind, language=language, mailbox=mailbox)
    form = TemplateForm(
        request.POST or None, initial={"subject": current.subject, "body": current.body}
    )
    if request.method == "POST" and form.is_valid():
        try:
            templates.save_template(
                caller,
                kind=kind,
                language=language,
                mailbox_id=mailbox.pk if mailbox is not None else None,
                subject=form.cleaned_data["subject"],
                body=form.cleaned_data["body"],
            )
        except AtiendeError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Template saved."))
            return redirect(_edit_url(kind, language, mailbox))
    preview = None
    if not form.is_bound:
        preview = templates.preview(
            kind, language=language, mailbox=mailbox, subject=current.subject, body=current.body
        )
    context = {
        "section": "templates",
        "form": form,
        "kind": kind,
        "kind_name": OutboundKind(kind).label,
        "language": language,
        "language_name": LANGUAGE_NAMES[language],
        "mailbox": mailbox,
        "current": current,
        "source_name": SOURCE_NAMES[current.source],
        "placeholders": [
            ("{{ " + name + " }}", PLACEHOLDER_HELP[name]) for name in templates.PLACEHOLDERS
        ],
        "preview": preview,
        "list_url": reverse("mail-templates")
        + (f"?mailbox={mailbox.pk}" if mailbox is not None else ""),
    }
    return page(request, "web/mail/template.html", context, form=form)


@settings_view
@require_POST
def template_preview(request: HttpRequest, kind: str, language: str) -> HttpResponse:
    """The typed (unsaved) text filled in for a sample ticket (htmx fragment)."""
    _check(kind, language)
    mailbox = _mailbox(request)
    try:
        preview = templates.preview(
            kind,
            language=language,
            mailbox=mailbox,
            subject=request.POST.get("subject", ""),
            body=request.POST.get("body", ""),
        )
    except Invalid as error:
        return render(request, "web/mail/_preview.html", {"error": error}, status=422)
    return render(request, "web/mail/_preview.html", {"preview": preview})


@settings_view
@require_POST
def template_reset(request: HttpRequest, kind: str, language: str) -> HttpResponse:
    _check(kind, language)
    mailbox = _mailbox(request)
    now = templates.reset_template(
        actor(request),
        kind=kind,
        language=language,
        mailbox_id=mailbox.pk if mailbox is not None else None,
    )
    messages.success(
        request,
        _("Template reset; now in effect: %(source)s.") % {"source": SOURCE_NAMES[now.source]},
    )
    return redirect(_edit_url(kind, language, mailbox))
