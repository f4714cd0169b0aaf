"""Survey pages: the one-click link from the mail (no sign-in), its thank-you page and comment,
the opt-out, the portal's rating widget, the satisfaction report and the agents' pulse."""

from __future__ import annotations

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from atiende.accounts.models import Role, User
from atiende.core.actor import Actor, Source
from atiende.core.errors import AtiendeError
from atiende.surveys import links, pulse, scales, selectors, services
from atiende.surveys.errors import LinkDamaged, SurveyNotFound
from atiende.surveys.models import Kind, SurveyRequest
from atiende.web.common import actor, admin_required, apply_errors, staff_required


def _request_language(signed: str) -> str | None:
    """The language the survey was asked in (the mail's), for its pages."""
    try:
        claim = links.read(signed)
    except links.BadLink:
        return None
    found = (
        SurveyRequest.objects.filter(pk=claim.request_id).values_list("language", flat=True).first()
    )
    return found or None


def _error_page(request: HttpRequest, error: AtiendeError) -> HttpResponse:
    return render(
        request,
        "web/surveys/link_error.html",
        {"title": str(error.title), "text": str(error.detail), "code": error.code},
        status=error.status,
    )


class CommentForm(forms.Form):
    comment = forms.CharField(
        label=gettext_lazy("Anything you want to tell us? (optional)"),
        required=False,
        max_length=services.MAX_COMMENT,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


def _thanks(
    request: HttpRequest, signed: str, survey: SurveyRequest, form: CommentForm, saved: bool
) -> HttpResponse:
    return render(
        request,
        "web/surveys/thanks.html",
        {
            "signed": signed,
            "survey": survey,
            "rating": scales.label(survey.scale, survey.rating),
            "word": scales.WORDS.get(scales.label(survey.scale, survey.rating) or "", ""),
            "form": form,
            "saved": saved,
            "nps": survey.kind == Kind.NPS,
        },
    )


@require_GET
def rate(request: HttpRequest, signed: str, value: str) -> HttpResponse:
    """One click from the mail: record the rating at once and thank the customer."""
    with translation.override(_request_language(signed)):
        try:
            survey = services.rate_by_link(signed, value=value)
        except AtiendeError as error:
            return _error_page(request, error)
        return _thanks(
            request, signed, survey, CommentForm(initial={"comment": survey.comment}), False
        )


@require_POST
def comment(request: HttpRequest, signed: str) -> HttpResponse:
    with translation.override(_request_language(signed)):
        form = CommentForm(request.POST)
        try:
            claim = links.read(signed)
        except links.BadLink:
            return _error_page(request, LinkDamaged())
        try:
            survey = services.request_of_link(claim)
        except SurveyNotFound as error:
            return _error_page(request, error)
        if form.is_valid():
            try:
                survey = services.comment_by_link(signed, comment=form.cleaned_data["comment"])
            except AtiendeError as error:
                if error.status in (400, 404, 410):
                    return _error_page(request, error)
                apply_errors(form, error)
            else:
                return _thanks(request, signed, survey, form, True)
        return _thanks(request, signed, survey, form, False)


@require_http_methods(["GET", "POST"])
def opt_out(request: HttpRequest, signed: str) -> HttpResponse:
    """Ask (GET) and record (POST) that the customer wants no more surveys."""
    with translation.override(_request_language(signed)):
        try:
            services.request_of_link(links.read(signed))
            if request.method == "POST":
                services.opt_out_by_link(signed)
        except links.BadLink:
            return _error_page(request, LinkDamaged())
        except AtiendeError as error:
            return _error_page(request, error)
        return render(
            request,
            "web/surveys/opt_out.html",
            {"signed": signed, "done": request.method == "POST"},
        )


# --- the portal's widget ---------------------------------------------------------------------


def _customer(request: HttpRequest) -> User | None:
    user = request.user
    if isinstance(user, User) and user.is_authenticated and user.role == Role.CUSTOMER:
        return user
    return None


@require_http_methods(["GET", "POST"])
def portal_rating(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """The rating of a solved request of the signed-in customer (the portal's request page
    loads it through ``web/surveys/_portal_rating.html``; without htmx it is a page)."""
    customer = _customer(request)
    if customer is None:
        return render(request, "web/errors/403.html", status=403)
    who = Actor(user=customer, source=Source.WEB, detail="survey:portal")
    error: AtiendeError | None = None
    saved = False
    if request.method == "POST":
        try:
            services.rate_in_portal(
                who,
                ticket_id=ticket_id,
                value=request.POST.get("rating", ""),
                comment=request.POST.get("comment"),
            )
            saved = True
        except AtiendeError as failed:
            error = failed
    try:
        state = selectors.portal_rating(who, ticket_id)
    except AtiendeError as failed:
        return _error_page(request, failed)
    template = (
        "web/surveys/_portal_rating_widget.html"
        if request.headers.get("HX-Request")
        else "web/surveys/portal_rating.html"
    )
    return render(
        request,
        template,
        {"state": state, "ticket_id": ticket_id, "error": error, "saved": saved},
        status=error.status if error is not None else 200,
    )


# --- the workspace: the customer panel's ratings, the report, the pulse ----------------------


@staff_required
@require_GET
def customer_ratings(request: HttpRequest, customer_id: int) -> HttpResponse:
    """The customer's recent ratings and CSAT share, for the customer panel (loaded after the
    panel, so the panel's own queries stay as they were); only tickets the agent can see."""
    ratings = selectors.customer_ratings(actor(request), customer_id)
    return render(request, "web/surveys/_customer_ratings.html", {"ratings": ratings})


class SettingsForm(forms.Form):
    csat_enabled = forms.BooleanField(
        label=gettext_lazy("Ask for a rating on every resolution"), required=False
    )
    csat_scale = forms.ChoiceField(
        label=gettext_lazy("Scale"),
        choices=[("good_bad", gettext_lazy("Good / bad")), ("five", gettext_lazy("1 to 5"))],
    )
    allow_change = forms.BooleanField(
        label=gettext_lazy("Customers may change their rating"), required=False
    )
    change_days = forms.IntegerField(label=gettext_lazy("Days to change a rating"))
    link_days = forms.IntegerField(label=gettext_lazy("Days a survey link works"))
    nps_enabled = forms.BooleanField(label=gettext_lazy("Periodic NPS survey"), required=False)
    nps_quiet_days = forms.IntegerField(
        label=gettext_lazy("Days between NPS surveys to a customer")
    )
    pulse_enabled = forms.BooleanField(label=gettext_lazy("Agent pulse"), required=False)
    pulse_every_days = forms.IntegerField(label=gettext_lazy("Days between pulse rounds"))
    pulse_min_answers = forms.IntegerField(
        label=gettext_lazy("Fewest answers a pulse report shows")
    )


@admin_required
@require_http_methods(["GET", "POST"])
def survey_settings(request: HttpRequest) -> HttpResponse:
    caller = actor(request)
    current = selectors.settings_for(caller)
    initial = {name: getattr(current, name) for name in services.SETTING_FIELDS}
    form = SettingsForm(request.POST or None, initial=initial)
    saved = False
    if request.method == "POST" and form.is_valid():
        try:
            services.update_settings(caller, changes=dict(form.cleaned_data))
            saved = True
        except AtiendeError as error:
            apply_errors(form, error)
    return render(request, "web/surveys/settings.html", {"form": form, "saved": saved})


# --- reports and pulse (workspace) ---------------------------------------------------------


@admin_required
@require_GET
def report(request: HttpRequest) -> HttpResponse:
    try:
        days = int(request.GET.get("days", "30"))
    except ValueError:
        days = 30
    days = days if days in selectors.PERIODS else 30
    caller = actor(request)
    return render(
        request,
        "web/surveys/report.html",
        {
            "report": selectors.satisfaction_report(caller, days=days),
            "pulse": pulse.pulse_report(caller),
            "periods": selectors.PERIODS,
        },
    )


class PulseForm(forms.Form):
    CHOICES = [(str(n), str(n)) for n in range(1, 6)]
    tools = forms.TypedChoiceField(
        label=gettext_lazy("How well do your tools let you work?"),
        choices=CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
    )
    workload = forms.TypedChoiceField(
        label=gettext_lazy("How manageable is your workload?"),
        choices=CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
    )
    support = forms.TypedChoiceField(
        label=gettext_lazy("How supported do you feel by your team?"),
        choices=CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=gettext_lazy("Anything else? (optional, anonymous)"),
        required=False,
        max_length=pulse.MAX_COMMENT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


@staff_required
@require_http_methods(["GET", "POST"])
def pulse_form(request: HttpRequest) -> HttpResponse:
    caller = actor(request)
    form = PulseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            pulse.answer_pulse(
                caller,
                tools=form.cleaned_data["tools"],
                workload=form.cleaned_data["workload"],
                support=form.cleaned_data["support"],
                comment=form.cleaned_data["comment"],
            )
        except AtiendeError as error:
            apply_errors(form, error)
        else:
            return render(request, "web/surveys/pulse_thanks.html")
    return render(request, "web/surveys/pulse.html", {"form": form, "due": pulse.is_due(caller)})


@staff_required
@require_POST
def pulse_dismiss(request: HttpRequest) -> HttpResponse:
    pulse.dismiss_pulse(actor(request))
    if request.headers.get("HX-Request"):
        return HttpResponse("")
    return redirect("home")


@staff_required
@require_GET
def pulse_banner(request: HttpRequest) -> HttpResponse:
    """The banner (empty when nothing is asked): the workspace loads it with htmx."""
    if not pulse.is_due(actor(request)):
        return HttpResponse("")
    return render(request, "web/surveys/_pulse_banner.html")
