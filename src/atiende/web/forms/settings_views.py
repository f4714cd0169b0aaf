"""The forms' settings screen (admins): list, create, edit, delete; every write is an
``intake.services`` call, its errors shown next to the part they name."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from atiende.accounts.models import Group
from atiende.core.errors import AtiendeError, ErrorCollector
from atiende.intake import selectors, services
from atiende.intake.definitions import FieldSpec
from atiende.intake.models import Form
from atiende.tickets.models import Priority
from atiende.web.common import actor, apply_errors
from atiende.web.forms.settings_forms import FormSettingsForm
from atiende.web.setup.common import page, settings_view

EXAMPLE_FIELDS = [
    {"key": "subject", "required": True},
    {"key": "description", "required": True},
    {"key": "name"},
    {"key": "email", "required": True},
]


def _choices() -> dict[str, Any]:
    return {
        "groups": [(g.pk, g.name) for g in Group.objects.order_by("name")],
        "priorities": [(p.key, p.name) for p in Priority.objects.order_by("order")],
    }


def _initial(form: Form) -> dict[str, Any]:
    fields = [
        {
            k: v
            for k, v in {
                "key": f.key,
                "required": f.required or None,
                "label_es": f.label_es,
                "label_en": f.label_en,
                "help_es": f.help_es,
                "help_en": f.help_en,
                "prefill": f.prefill,
                "condition": f.condition,
            }.items()
            if v
        }
        for f in form.fields.all()
    ]
    return {
        "slug": form.slug,
        "name_es": form.name_es,
        "name_en": form.name_en,
        "intro_es": form.intro_es,
        "intro_en": form.intro_en,
        "active": form.active,
        "audience": form.audience,
        "position": form.position,
        "group_id": form.group_id,
        "ticket_type": form.ticket_type,
        "priority": form.priority,
        "language": form.language,
        "allowed_origins": "\n".join(form.allowed_origins),
        "min_fill_seconds": form.min_fill_seconds,
        "fields_json": json.dumps(fields, ensure_ascii=False, indent=2),
    }


def _specs(form: FormSettingsForm) -> list[FieldSpec]:
    errors = ErrorCollector()
    specs = []
    for index, raw in enumerate(form.cleaned_data["fields_json"]):
        try:
            specs.append(services.spec_from(raw, index))
        except AtiendeError as error:
            errors.errors.extend(error.errors)
    errors.raise_if_any()
    return specs


def _attrs(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k != "fields_json"}


def _with_field_errors(form: FormSettingsForm, error: AtiendeError) -> None:
    """Errors about ``fields.<n>.<part>`` go under the fields box, naming the part."""
    rest = []
    for item in error.errors:
        if item.field.startswith("fields"):
            form.add_error("fields_json", f"{item.field}: {item.message}")
        else:
            rest.append(item)
    if rest or not error.errors:
        apply_errors(form, type(error)(error.detail, errors=rest))


@settings_view
@require_http_methods(["GET", "POST"])
def forms_list(request: HttpRequest) -> HttpResponse:
    """The ticket forms, with a form to add one."""
    initial = {"fields_json": json.dumps(EXAMPLE_FIELDS, indent=2), "audience": "customers"}
    form = FormSettingsForm(request.POST or None, initial=initial, **_choices())
    if request.method == "POST" and form.is_valid():
        try:
            created = services.create_form(
                actor(request), fields=_specs(form), **_attrs(form.cleaned_data)
            )
        except AtiendeError as error:
            _with_field_errors(form, error)
        else:
            messages.success(request, _("Form created."))
            return redirect(reverse("forms:settings-form", args=[created.pk]))
    context = {"section": "forms", "forms": selectors.all_forms(actor(request)), "form": form}
    return page(request, "web/forms/settings_list.html", context, form=form)


@settings_view
@require_http_methods(["GET", "POST"])
def form_edit(request: HttpRequest, form_id: int) -> HttpResponse:
    """Edit one form; the page shows the snippet that embeds it."""
    found = selectors.get_form(actor(request), form_id)
    form = FormSettingsForm(request.POST or None, initial=_initial(found), **_choices())
    if request.method == "POST" and form.is_valid():
        try:
            services.update_form(
                actor(request),
                form_id=found.pk,
                changes=_attrs(form.cleaned_data),
                fields=_specs(form),
            )
        except AtiendeError as error:
            _with_field_errors(form, error)
        else:
            messages.success(request, _("Form saved."))
            return redirect(reverse("forms:settings-form", args=[found.pk]))
    site = request.build_absolute_uri("/").rstrip("/")
    context = {
        "section": "forms",
        "found": found,
        "form": form,
        "public_url": site + reverse("forms:public", args=[found.slug]),
        "embed_src": request.build_absolute_uri(static("forms/embed.js")),
    }
    return page(request, "web/forms/settings_form.html", context, form=form)


@settings_view
@require_POST
def form_delete(request: HttpRequest, form_id: int) -> HttpResponse:
    services.delete_form(actor(request), form_id=form_id)
    messages.success(request, _("Form deleted."))
    return redirect(reverse("forms:settings-forms"))
