"""The help center's pages: home, category, section, article, feedback, and article files.

Views parse, call one selector (`kb.help_selectors`, which starts at the reading gate) or one
service, and render. A page is in the language its URL names (``/help/es/…``); ``/help/``
sends the reader to their browser's (or profile's) language. Anything a reader may not read
is the help center's own 404, indistinguishable from a missing page.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from atiende.accounts.models import User
from atiende.core.actor import Actor, Source
from atiende.core.errors import Invalid, NotFound
from atiende.kb import help_selectors
from atiende.kb.rendering import render_article
from atiende.kb.services import feedback as feedback_service
from atiende.kb.services import reading
from atiende.web.help import limits

# Served inline (shown in the page); every other type is a download.
INLINE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})
SEARCH_PATH = "/help/search/"


def reader_actor(request: HttpRequest) -> Actor | None:
    """The signed-in person reading (any role), or None for a visitor."""
    user = request.user
    if isinstance(user, User) and user.is_authenticated and user.is_active:
        return Actor(user=user, source=Source.WEB)
    return None


def reader_of(request: HttpRequest, who: Actor | None, *, create: bool = False) -> str:
    """The reader key of this request (`reading.reader_key`); ``create`` starts a session for a
    visitor who has none yet (the article page: their answer must find them again)."""
    if who is not None:
        return reading.reader_key(user_id=who.user_id, session_key=None)
    if create and not request.session.session_key:
        request.session.save()
    return reading.reader_key(user_id=None, session_key=request.session.session_key)


def languages() -> list[tuple[str, str]]:
    return [(code, str(name)) for code, name in settings.LANGUAGES]


HelpView = Callable[..., HttpResponse]


def in_language(view: HelpView) -> HelpView:
    """Serve the page in the URL's language (an unknown one is a 404)."""

    @wraps(view)
    def wrapped(request: HttpRequest, lang: str, *args: Any, **kwargs: Any) -> HttpResponse:
        if lang not in dict(languages()):
            return not_found(request, None)
        with translation.override(lang):
            request.LANGUAGE_CODE = lang
            try:
                response = view(request, lang, *args, **kwargs)
            except NotFound:
                response = not_found(request, lang)
        response.headers["Content-Language"] = lang
        return response

    return wrapped


def not_found(
    request: HttpRequest, lang: str | None, *, elsewhere: list[Any] | None = None
) -> HttpResponse:
    context = page_context(lang or settings.LANGUAGE_CODE, elsewhere=elsewhere or [])
    if lang is None:
        with translation.override(settings.LANGUAGE_CODE):
            return render(request, "web/help/not_found.html", context, status=404)
    return render(request, "web/help/not_found.html", context, status=404)


def category_url(lang: str, category_id: int, slug: str) -> str:
    return reverse("help-category", kwargs={"lang": lang, "category_id": category_id, "slug": slug})


def article_crumbs(lang: str, page: help_selectors.ArticlePage) -> list[tuple[str, str]]:
    section_ = page.translation.article.section
    category_ = section_.category
    section_url = reverse(
        "help-section", kwargs={"lang": lang, "section_id": section_.pk, "slug": section_.slug}
    )
    return [
        (category_url(lang, category_.pk, category_.slug), page.category_name),
        (section_url, page.section_name),
        ("", page.translation.published_title),
    ]


def page_context(lang: str, **extra: Any) -> dict[str, Any]:
    """What the frame (web/help/base.html) needs; ``language_links`` default to the other
    languages' home pages."""
    homes = [
        (code, reverse("help-home", kwargs={"lang": code}))
        for code, _name in languages()
        if code != lang
    ]
    return {
        "help_lang": lang,
        "search_path": SEARCH_PATH,
        "help_languages": languages(),
        "language_links": homes,
        **extra,
    }


def translation_links(page: help_selectors.ArticlePage) -> list[tuple[str, str]]:
    """The article in each other language the reader may read it in."""
    return [
        (
            other.language,
            reverse(
                "help-article",
                kwargs={"lang": other.language, "article_id": other.article_id, "slug": other.slug},
            ),
        )
        for other in page.languages
    ]


@require_safe
def root(request: HttpRequest) -> HttpResponse:
    """``/help/``: to the reader's language (profile, else browser, else the default)."""
    lang = getattr(request, "LANGUAGE_CODE", "") or settings.LANGUAGE_CODE
    if lang not in dict(languages()):
        lang = settings.LANGUAGE_CODE
    return redirect("help-home", lang=lang)


@require_safe
@in_language
def home(request: HttpRequest, lang: str) -> HttpResponse:
    outline = help_selectors.outline(reader_actor(request), lang)
    return render(
        request, "web/help/home.html", page_context(lang, outline=outline, home_page=True)
    )


@require_safe
@in_language
def category(request: HttpRequest, lang: str, category_id: int, slug: str) -> HttpResponse:
    entry = help_selectors.category_entry(reader_actor(request), lang, category_id)
    if slug != entry.category.slug:
        return redirect(
            "help-category", lang=lang, category_id=category_id, slug=entry.category.slug
        )
    crumbs = [("", entry.name)]
    return render(request, "web/help/category.html", page_context(lang, entry=entry, crumbs=crumbs))


@require_safe
@in_language
def section(request: HttpRequest, lang: str, section_id: int, slug: str) -> HttpResponse:
    page = help_selectors.section_page(reader_actor(request), lang, section_id)
    if slug != page.section.slug:
        return redirect("help-section", lang=lang, section_id=section_id, slug=page.section.slug)
    category_ = page.section.category
    crumbs = [
        (category_url(lang, category_.pk, category_.slug), page.category_name),
        ("", page.name),
    ]
    return render(request, "web/help/section.html", page_context(lang, page=page, crumbs=crumbs))


@require_safe
@in_language
def article(request: HttpRequest, lang: str, article_id: int, slug: str = "") -> HttpResponse:
    who = reader_actor(request)
    try:
        page = help_selectors.article_page(who, lang, article_id)
    except NotFound:
        elsewhere = help_selectors.readable_languages(who, article_id)
        return not_found(request, lang, elsewhere=elsewhere)
    translation_ = page.translation
    if slug != translation_.slug:
        return redirect(
            "help-article",
            lang=lang,
            article_id=article_id,
            slug=translation_.slug,
            permanent=True,
        )
    reader = reader_of(request, who, create=True)
    answer = help_selectors.reader_answer(translation_id=translation_.pk, reader=reader)
    context = page_context(
        lang,
        page=page,
        crumbs=article_crumbs(lang, page),
        language_links=translation_links(page),
        body=render_article(translation_.published_body),
        answer=answer,
        thanks=request.GET.get("feedback") == "thanks",
    )
    response = render(request, "web/help/article.html", context)
    if request.method == "GET":  # a HEAD is not a reader
        reading.record_view(who, translation_id=translation_.pk, reader=reader)
    return response


@require_POST
@in_language
def feedback(request: HttpRequest, lang: str, article_id: int) -> HttpResponse:
    """ "Was this helpful?": record the answer, then back to the article (POST/redirect/GET)."""
    who = reader_actor(request)
    page = help_selectors.article_page(who, lang, article_id)
    translation_ = page.translation
    if not limits.allow(request, "feedback"):
        return render(
            request,
            "web/help/message.html",
            page_context(lang, message=_("Too many answers from your network: try again later.")),
            status=429,
        )
    helpful = request.POST.get("helpful")
    reader = reader_of(request, who, create=True)
    error = ""
    if helpful not in ("yes", "no"):
        error = _("Choose yes or no.")
    else:
        try:
            feedback_service.answer(
                who,
                translation_id=translation_.pk,
                reader=reader,
                helpful=helpful == "yes",
                comment=request.POST.get("comment", ""),
            )
        except Invalid as invalid:
            error = str(invalid.detail)
    url = reverse(
        "help-article", kwargs={"lang": lang, "article_id": article_id, "slug": translation_.slug}
    )
    if error:
        context = page_context(
            lang,
            page=page,
            crumbs=article_crumbs(lang, page),
            language_links=translation_links(page),
            body=render_article(translation_.published_body),
            answer=help_selectors.reader_answer(translation_id=translation_.pk, reader=reader),
            feedback_error=error,
            comment=request.POST.get("comment", ""),
        )
        return render(request, "web/help/article.html", context, status=400)
    return redirect(f"{url}?feedback=thanks#feedback")


@require_safe
def article_file(request: HttpRequest, attachment_id: int) -> HttpResponseBase:
    """An article's file, for whoever may read the article (staff: drafts too)."""
    try:
        attachment = help_selectors.readable_attachment(reader_actor(request), attachment_id)
    except NotFound:
        return not_found(request, None)
    inline = attachment.content_type in INLINE_TYPES
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=not inline,
        filename=attachment.filename,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, max-age=300"
    return response
