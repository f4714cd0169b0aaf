"""The portal's new-request page, the public embeddable form and the signed status page.

Thin views: they parse the page, call ``intake.services.submit`` (the authority on every
field and condition) and draw the result. The public form is the one page of the site that
other sites may frame (``frame-ancestors`` widened for its response only, to the form's
allowed origins or any); it is exempt from CSRF because a framed page on another site gets no
first-party cookie, and it acts for nobody signed in: a visitor's submission is guarded by the
honeypot, the signed stamp and the rate limit (``intake.spam``) instead.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import translation
from django.utils.translation import get_language
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from atiende.accounts.models import User
from atiende.core.actor import Actor, Source
from atiende.core.errors import AtiendeError
from atiende.intake import selectors, spam
from atiende.intake.acknowledgement import status_token
from atiende.intake.models import Form
from atiende.intake.services import form_for, prefilled, submit
from atiende.kb.suggest import mark_submitted, reader_of
from atiende.web.csp import widen
from atiende.web.forms.rendering import drawn, errors_by_field, submitted, uploads

SUGGEST_URL = reverse_lazy("help-suggest")
SUGGEST_OPENED_URL = reverse_lazy("help-suggest-opened")
VISITOR = Actor(user=None, source=Source.WEB)


def _suggestions_followed_by_a_request(request: HttpRequest) -> None:
    """The articles this reader opened from the form deflected nothing: they still wrote."""
    if request.session.session_key:
        mark_submitted(reader_of(request.session.session_key))


def _site_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/").rstrip("/")


def _remote_addr(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR", ""))


# --- the portal -----------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def portal_new(request: HttpRequest) -> HttpResponse:
    """A signed-in customer's new request: choose a form (when there are several), fill it."""
    user = request.user
    if not isinstance(user, User):
        return redirect_to_login(request.get_full_path())
    caller = Actor(user=user, source=Source.WEB)
    forms = list(selectors.usable_forms(caller))
    slug = request.GET.get("form") or request.POST.get("form") or ""
    chosen = next((f for f in forms if f.slug == slug), None)
    if chosen is None and not slug and len(forms) == 1:
        chosen = forms[0]
    if chosen is None:
        return render(
            request,
            "web/forms/choose.html",
            {"forms": forms},
            status=404 if slug else 200,
        )
    _form, fields = form_for(caller, form_id=chosen.pk)
    values: dict[str, Any] = prefilled(fields, user)
    error: AtiendeError | None = None
    if request.method == "POST":
        values = submitted(request.POST, fields)
        try:
            ticket = submit(
                caller,
                form_id=chosen.pk,
                data=values,
                files=uploads(request),
                language=get_language() or "",
                site_url=_site_url(request),
            )
        except AtiendeError as caught:
            error = caught
        else:
            _suggestions_followed_by_a_request(request)
            token = status_token(ticket.pk)
            return redirect(reverse("forms:status", args=[token]) + "?sent=1")
    per_field, general = errors_by_field(error, fields)
    context = {
        "form": chosen,
        "several": len(forms) > 1,
        "fields": drawn(fields, values, per_field),
        "general_errors": general,
        "suggest_url": SUGGEST_URL,
        "suggest_opened_url": SUGGEST_OPENED_URL,
        "action": reverse("forms:portal-new") + f"?form={chosen.slug}",
    }
    status = error.status if error is not None else 200
    return render(request, "web/forms/portal_new.html", context, status=status)


# --- the public form ------------------------------------------------------------------------


def _frameable(response: HttpResponse, form: Form) -> HttpResponse:
    """Let the form's allowed sites (or any) frame this response, and no other."""
    widen(response, "frame-ancestors", *(form.allowed_origins or ["*"]))
    return response


@csrf_exempt
@xframe_options_exempt
@require_http_methods(["GET", "POST"])
def public_form(request: HttpRequest, slug: str) -> HttpResponse:
    """The public web form, on its own or framed by ``embed.js`` on another site."""
    lang = request.GET.get("lang", "")
    if lang in ("es", "en"):
        translation.activate(lang)  # the embedding site's language, when its snippet names it
    try:
        form = selectors.usable_form(VISITOR, slug=slug)
    except AtiendeError:
        return render(request, "web/forms/missing.html", status=404)
    _form, fields = form_for(VISITOR, form_id=form.pk)
    values: dict[str, Any] = {}
    error: AtiendeError | None = None
    if request.method == "POST":
        values = submitted(request.POST, fields)
        guard = spam.Guard(
            stamp=request.POST.get("stamp", ""),
            honeypot=request.POST.get(spam.HONEYPOT, ""),
            remote_addr=_remote_addr(request),
        )
        try:
            ticket = submit(
                VISITOR,
                form_id=form.pk,
                data=values,
                files=uploads(request),
                guard=guard,
                language=get_language() or "",
                site_url=_site_url(request),
            )
        except AtiendeError as caught:
            error = caught
        else:
            _suggestions_followed_by_a_request(request)
            # Answered here, not redirected: the thank-you stays inside the frame.
            context = {"form": form, "number": ticket.number, "embedded": _embedded(request)}
            return _frameable(render(request, "web/forms/sent.html", context), form)
    per_field, general = errors_by_field(error, fields)
    context = {
        "form": form,
        "fields": drawn(fields, values, per_field),
        "general_errors": general,
        # After a mistake the page keeps the stamp it was checked with: correcting a field
        # quickly is no sign of a bot.
        "stamp": request.POST.get("stamp", "")
        if error is not None and not isinstance(error, spam.Refused)
        else spam.make_stamp(form.pk),
        "suggest_url": SUGGEST_URL,
        "suggest_opened_url": SUGGEST_OPENED_URL,
        "honeypot": spam.HONEYPOT,
        "embedded": _embedded(request),
        "origin": _origin(request, form),
    }
    status = error.status if error is not None else 200
    return _frameable(render(request, "web/forms/public.html", context, status=status), form)


def _embedded(request: HttpRequest) -> bool:
    return request.GET.get("embedded") == "1" or request.POST.get("embedded") == "1"


def _origin(request: HttpRequest, form: Form) -> str:
    """The embedding page's origin (``embed.js`` passes it) when the form allows it; the page
    posts its height to that origin only."""
    origin = (request.GET.get("origin") or request.POST.get("origin") or "").strip().lower()
    if not origin.startswith(("http://", "https://")) or len(origin) > 200:
        return ""
    if form.allowed_origins and origin not in form.allowed_origins:
        return ""
    return origin


# --- the signed status link -----------------------------------------------------------------


@require_GET
def status(request: HttpRequest, token: str) -> HttpResponse:
    """One request's number, subject and status, for whoever holds the acknowledgement."""
    try:
        found = selectors.status_by_link(token)
    except AtiendeError:
        return render(request, "web/forms/missing.html", status=404)
    context = {"ticket": found, "sent": request.GET.get("sent") == "1"}
    return render(request, "web/forms/status.html", context)
