"""The knowledge-base editor in the workspace: list, write, review, history, outline.

Staff only (``staff_required``); the kb services decide what agents and administrators may
do (agents write and submit, administrators publish, archive and restore) and name each bad
field, shown next to it. Reads go through ``kb.editor_selectors``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from atiende.core.actor import Actor
from atiende.core.errors import AtiendeError, NotFound
from atiende.core.permissions import is_admin
from atiende.kb import editor_selectors as selectors
from atiende.kb.models import ArticleTranslation
from atiende.kb.rendering import render_article
from atiende.kb.services import articles, attachments, from_ticket, workflow
from atiende.tickets.errors import TicketNotFound
from atiende.web.common import actor, apply_errors, staff_required
from atiende.web.kb import forms

PAGE = 100


def translation_or_404(request: HttpRequest, translation_id: int) -> ArticleTranslation:
    try:
        return selectors.get_translation(actor(request), translation_id)
    except NotFound:
        raise Http404 from None


def preview(body: str) -> str:
    """The body as readers will see it, with the help center's renderer (our files' images
    shown; scripts, iframes and ``javascript:`` links inert)."""
    return mark_safe(render_article(body))  # noqa: S308  # sanitized by nh3 in render_article


def refused(request: HttpRequest, error: AtiendeError) -> None:
    parts = "; ".join(str(e.message) for e in error.errors) or str(error.detail)
    messages.error(request, parts)


# --- list, review queue ---------------------------------------------------------------------


@staff_required
def article_list(request: HttpRequest) -> HttpResponse:
    """Every article in any state, filtered by state, language and section."""
    who = actor(request)
    sections = list(selectors.sections(who))
    form = forms.FilterForm(request.GET or None, sections=sections)
    filters: dict[str, Any] = {}
    if form.is_valid():
        data = form.cleaned_data
        filters = {
            "state": data["state"],
            "language": data["language"],
            "section_id": data["section"],
            "query": data["q"],
        }
    found = selectors.editable_translations(who, **filters)[:PAGE]
    context = {
        "form": form,
        "translations": found,
        "due": selectors.due_for_verification(who)[:20],
        "has_sections": bool(sections),
    }
    return render(request, "web/kb/list.html", context)


@staff_required
def review_queue(request: HttpRequest) -> HttpResponse:
    queue = selectors.review_queue(actor(request))
    return render(request, "web/kb/review.html", {"queue": queue})


# --- writing --------------------------------------------------------------------------------


@staff_required
@require_http_methods(["GET", "POST"])
def article_new(request: HttpRequest) -> HttpResponse:
    who = actor(request)
    sections = list(selectors.sections(who))
    form = forms.NewArticleForm(
        request.POST if request.method == "POST" else None,
        sections=sections,
        initial={"language": request.LANGUAGE_CODE, "visibility": "public"},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            created = articles.create_article(
                who,
                section_id=data["section"],
                language=data["language"],
                title=data["title"],
                body=data["body"],
                visibility=data["visibility"],
            )
        except AtiendeError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Draft created."))
            return redirect("kb-editor", created.pk)
    status = 422 if form.errors else 200
    return render(
        request,
        "web/kb/new.html",
        {"form": form, "has_sections": bool(sections)},
        status=status,
    )


def _editor_context(request: HttpRequest, translation: ArticleTranslation) -> dict[str, Any]:
    who = actor(request)
    return {
        "t": translation,
        "article": translation.article,
        "siblings": selectors.sibling_translations(who, translation.article_id),
        "related": selectors.related_articles(who, translation.article_id),
        "files": [
            (f, attachments.markdown_for(f))
            for f in selectors.attachments(who, translation.article_id)
        ],
        "is_admin": is_admin(who),
        "schedule_form": forms.ScheduleForm(),
        "upload_form": forms.UploadForm(),
        "has_unpublished": translation.published_version
        and (translation.title, translation.body)
        != (translation.published_title, translation.published_body),
    }


@staff_required
@require_http_methods(["GET", "POST"])
def editor(request: HttpRequest, translation_id: int) -> HttpResponse:
    """Edit the working copy, preview it, and move it through the workflow."""
    translation = translation_or_404(request, translation_id)
    initial = {
        "revision": translation.revision,
        "title": translation.title,
        "slug": translation.slug,
        "body": translation.body,
    }
    form = forms.EditForm(request.POST if request.method == "POST" else None, initial=initial)
    shown = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            if request.POST.get("action") == "preview":
                shown = preview(data["body"])
            else:
                try:
                    articles.update_translation(
                        actor(request),
                        translation_id=translation.pk,
                        revision=data["revision"],
                        title=data["title"],
                        body=data["body"],
                        slug=data["slug"],
                    )
                except AtiendeError as error:
                    apply_errors(form, error)
                    if error.status == 409:
                        form.add_error(None, str(error.detail))
                    status = error.status
                else:
                    messages.success(request, _("Saved. Readers see it once it is published."))
                    return redirect("kb-editor", translation.pk)
        else:
            status = 422
    else:
        shown = preview(translation.body)
    context = {**_editor_context(request, translation), "form": form, "preview": shown}
    return render(request, "web/kb/editor.html", context, status=status)


ACTIONS: dict[str, Callable[[Actor, int, QueryDict], object]] = {
    "submit": lambda who, pk, post: workflow.submit_for_review(who, translation_id=pk),
    "publish": lambda who, pk, post: articles.publish(
        who, translation_id=pk, note=post.get("note", "")
    ),
    "request_changes": lambda who, pk, post: workflow.request_changes(
        who, translation_id=pk, note=post.get("note", "")
    ),
    "archive": lambda who, pk, post: articles.archive(who, translation_id=pk),
    "unarchive": lambda who, pk, post: workflow.unarchive(who, translation_id=pk),
    "unschedule": lambda who, pk, post: workflow.schedule(who, translation_id=pk, publish_at=None),
}
DONE = {
    "submit": gettext_lazy("Submitted for review."),
    "publish": gettext_lazy("Published."),
    "request_changes": gettext_lazy("Sent back to the author."),
    "archive": gettext_lazy("Archived."),
    "unarchive": gettext_lazy("Back to draft."),
    "unschedule": gettext_lazy("Schedule cancelled."),
    "schedule": gettext_lazy("Scheduled."),
}


@staff_required
@require_POST
def action(request: HttpRequest, translation_id: int) -> HttpResponse:
    """One workflow step; a refused one says why above the editor."""
    translation = translation_or_404(request, translation_id)
    name = request.POST.get("action", "")
    who = actor(request)
    try:
        if name == "schedule":
            form = forms.ScheduleForm(request.POST)
            if not form.is_valid():
                messages.error(request, _("Enter a date and time to publish at."))
                return redirect("kb-editor", translation.pk)
            when = form.cleaned_data["publish_at"]
            if timezone.is_naive(when):
                when = timezone.make_aware(when)
            workflow.schedule(who, translation_id=translation.pk, publish_at=when)
        elif name in ACTIONS:
            ACTIONS[name](who, translation.pk, request.POST)
        else:
            raise Http404
    except AtiendeError as error:
        refused(request, error)
    else:
        messages.success(request, str(DONE[name]))
    return redirect("kb-editor", translation.pk)


@staff_required
@require_http_methods(["GET", "POST"])
def translate(request: HttpRequest, translation_id: int) -> HttpResponse:
    """Add the article in another language, linked to this one."""
    translation = translation_or_404(request, translation_id)
    taken = {
        t.language for t in selectors.sibling_translations(actor(request), translation.article_id)
    }
    form = forms.TranslationForm(request.POST if request.method == "POST" else None, taken=taken)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            created = articles.add_translation(
                actor(request),
                article_id=translation.article_id,
                language=data["language"],
                title=data["title"],
                body=data["body"],
            )
        except AtiendeError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Translation created as a draft."))
            return redirect("kb-editor", created.pk)
    context = {"t": translation, "form": form}
    return render(request, "web/kb/translate.html", context, status=422 if form.errors else 200)


@staff_required
@require_http_methods(["GET", "POST"])
def article_settings(request: HttpRequest, translation_id: int) -> HttpResponse:
    """What every language shares: section, visibility, owner, verify-by date, related."""
    translation = translation_or_404(request, translation_id)
    who = actor(request)
    article = translation.article
    initial = {
        "revision": article.revision,
        "section": article.section_id,
        "visibility": article.visibility,
        "owner": article.owner_id,
        "verify_by": article.verify_by,
        "related": list(article.related.values_list("pk", flat=True)),
    }
    form = forms.SettingsForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        sections=list(selectors.sections(who)),
        owners=selectors.owner_choices(who),
        articles=selectors.article_choices(who, exclude=article.pk),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            articles.update_article(
                who,
                article_id=article.pk,
                revision=data["revision"],
                section_id=data["section"],
                visibility=data["visibility"],
                owner_id=data["owner"],
                clear_owner=data["owner"] is None,
                verify_by=data["verify_by"],
                clear_verify_by=data["verify_by"] is None,
                related_ids=data["related"],
            )
        except AtiendeError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Article settings saved."))
            return redirect("kb-editor", translation.pk)
    context = {"t": translation, "form": form}
    return render(request, "web/kb/settings.html", context, status=422 if form.errors else 200)


@staff_required
@require_POST
def upload(request: HttpRequest, translation_id: int) -> HttpResponse:
    """Store an image or file; the editor offers its Markdown to insert."""
    translation = translation_or_404(request, translation_id)
    form = forms.UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose a file to upload."))
        return redirect("kb-editor", translation.pk)
    given = form.cleaned_data["file"]
    try:
        stored = attachments.upload_attachment(
            actor(request), article_id=translation.article_id, filename=given.name, stream=given
        )
    except AtiendeError as error:
        refused(request, error)
    else:
        messages.success(
            request,
            _("Uploaded. Insert it with: %(markdown)s")
            % {"markdown": attachments.markdown_for(stored)},
        )
    return redirect("kb-editor", translation.pk)


# --- history --------------------------------------------------------------------------------


@staff_required
@require_POST
def draft_from_ticket(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """The ticket page's button: a draft from the question and our answer, opened to edit."""
    try:
        draft = from_ticket.draft_from_ticket(actor(request), ticket_id=ticket_id)
    except TicketNotFound:
        raise Http404 from None
    except AtiendeError as error:
        refused(request, error)
        return redirect("ticket", ticket_id)
    messages.success(request, _("Draft written from the ticket. Review it before submitting."))
    return redirect("kb-editor", draft.pk)


# --- categories and sections ----------------------------------------------------------------
