"""The help center's search page, the request form's suggestions and the deflection beacon.

Views parse, call one service of ``kb`` and render: ``kb.search.search`` (logged as a help
center search), ``kb.suggest.suggest`` (logged as form suggestions), ``kb.suggest.record_opened``.
Everything shown comes through the reading gate inside those services.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseBase,
    JsonResponse,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from atiende.accounts.models import User
from atiende.core.actor import Actor, Source
from atiende.core.errors import NotFound
from atiende.core.text import clean_text
from atiende.kb import suggest as kb_suggest
from atiende.kb.models.usage import SearchSource
from atiende.kb.search import search
from atiende.web.kbsearch import limits

PAGE_SIZE = 10
MAX_PAGE = 50
MAX_QUERY = 200
SEARCH_PATH = "/help/search/"
# Where "open a request" leads, until the portal's own URL name exists.


def reader_actor(request: HttpRequest) -> Actor | None:
    """The signed-in person (any role), or None for a visitor."""
    user = request.user
    if isinstance(user, User) and user.is_authenticated and user.is_active:
        return Actor(user=user, source=Source.WEB)
    return None


def languages() -> list[tuple[str, str]]:
    return [(code, str(name)) for code, name in settings.LANGUAGES]


def asked_language(request: HttpRequest) -> str:
    """``lang`` when it names a configured language, else the request's language."""
    codes = dict(languages())
    lang = request.GET.get("lang", "")
    if lang in codes:
        return lang
    current = (translation.get_language() or settings.LANGUAGE_CODE).split("-")[0]
    return current if current in codes else settings.LANGUAGE_CODE


def query_of(request: HttpRequest) -> str:
    return clean_text(request.GET.get("q", ""))[:MAX_QUERY]


def article_url(language: str, article_id: int, slug: str) -> str:
    """The article's page in the help center."""
    kwargs = {"lang": language, "article_id": article_id, "slug": slug}
    return reverse("help-article", kwargs=kwargs)


def new_request_url() -> str:
    return reverse("forms:portal-new")


def too_many(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(_("Too many searches: wait a minute."), status=429)
    response["Retry-After"] = str(limits.WINDOW)
    return response


@require_GET
def search_page(request: HttpRequest) -> HttpResponse:
    """``/help/search/?q=&lang=&page=``: ranked, highlighted results, or a way to ask us."""
    lang = asked_language(request)
    text = query_of(request)
    try:
        number = min(max(1, int(request.GET.get("page", "1"))), MAX_PAGE)
    except ValueError:
        number = 1
    if text and not limits.allow(request, "search"):
        return too_many(request)
    with translation.override(lang):
        page = None
        if text:
            page = search(
                reader_actor(request),
                text,
                language=lang,
                source=SearchSource.HELP_CENTER,
                limit=PAGE_SIZE,
                offset=(number - 1) * PAGE_SIZE,
            )
        results = [
            {"result": r, "url": article_url(r.language, r.article_id, r.slug)}
            for r in (page.results if page else [])
        ]
        context: dict[str, Any] = {
            "help_lang": lang,
            "help_languages": languages(),
            "search_path": SEARCH_PATH,
            "query": text,
            "page": page,
            "results": results,
            "number": number,
            "previous": number - 1 if number > 1 else None,
            "next": number + 1 if page and page.total > number * PAGE_SIZE else None,
            "new_request_url": new_request_url(),
        }
        response = render(request, "web/kbsearch/search.html", context)
    response.headers["Content-Language"] = lang
    return response


def wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


@require_GET
def suggestion_source(request: HttpRequest) -> str:
    """Where the reader is typing: the help center's search box or a request form."""
    if request.GET.get("from") == "help":
        return SearchSource.HELP_CENTER
    return SearchSource.PORTAL_FORM


def suggestions(request: HttpRequest) -> HttpResponse:
    """``/help/suggest/?q=&lang=``: up to five articles for what the customer is typing.

    A small HTML fragment (shown under the request form's subject, or under the help center's
    search box with ``from=help``), or JSON when asked with ``Accept: application/json``.
    Logged as form suggestions, or help-center searches.
    """
    if not limits.allow(request, "suggest"):
        return too_many(request)
    lang = asked_language(request)
    text = query_of(request)
    with translation.override(lang):
        found = (
            kb_suggest.suggest(
                reader_actor(request), text, language=lang, source=suggestion_source(request)
            )
            if text.strip()
            else []
        )
        urls = [article_url(s.language, s.article_id, s.slug) for s in found]
        if wants_json(request):
            return JsonResponse(
                {
                    "query": text,
                    "language": lang,
                    "results": [
                        {
                            "translation_id": s.translation_id,
                            "article_id": s.article_id,
                            "title": s.plain_title,
                            "title_html": str(s.title),
                            "snippet_html": str(s.snippet),
                            "language": s.language,
                            "other_language": s.other_language,
                            "url": url,
                        }
                        for s, url in zip(found, urls, strict=True)
                    ],
                }
            )
        items = [{"suggestion": s, "url": url} for s, url in zip(found, urls, strict=True)]
        return render(
            request,
            "web/kbsearch/_suggestions.html",
            {"items": items, "query": text, "help_lang": lang},
        )


@require_POST
def opened(request: HttpRequest) -> HttpResponseBase:
    """The customer opened a suggestion from the form: record it, then show the article.

    CSRF-protected like every POST. The reader is a hash of the session key (a visitor gets
    a session here if they had none). htmx and JSON callers get 204; a plain form post is
    sent on to the article.
    """
    if not limits.allow(request, "opened"):
        return too_many(request)
    try:
        translation_id = int(request.POST.get("translation", ""))
    except ValueError:
        return HttpResponseBadRequest(_("Which article was opened?"))
    if not request.session.session_key:
        request.session.save()
    session_key = request.session.session_key or ""
    try:
        deflection = kb_suggest.record_opened(
            reader_actor(request),
            reader=kb_suggest.reader_of(session_key),
            translation_id=translation_id,
        )
    except NotFound:
        return HttpResponse(_("No such article."), status=404)
    if wants_json(request) or request.headers.get("HX-Request"):
        return HttpResponse(status=204)
    target = deflection.translation
    return redirect(article_url(target.language, target.article_id, target.slug))
