"""The forms' settings screen (admins): list, create, edit, delete; every write is an
``intake.services`` call. The fields are a table of rows (a formset); an error about
``fields.<n>.<part>`` is shown in the row it names, next to the part."""

from __future__ import annotations

from typing import Any

from django import forms
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
from atiende.intake.definitions import BUILTINS, CUSTOM_PREFIX, FieldSpec
from atiende.intake.models import Form
from atiende.tickets.custom_fields import definitions
from atiende.tickets.models import CustomFieldTarget, Priority
from atiende.web.common import actor, apply_errors
from atiende.web.forms.settings_forms import FieldRowForm, FieldRows, FormSettingsForm
from atiende.web.setup.common import page, settings_view

NEW_FORM_FIELDS: list[dict[str, Any]] = [
    {"key": "subject", "required": True},
    {"key": "description", "required": True},
    {"key": "attachments"},
]
# Which row input an error about a field's part goes next to.
PART_INPUT = {"condition": "condition_field", "key": "key", "prefill": "prefill"}


def _choices() -> dict[str, Any]:
    return {
        "groups": [(g.pk, g.name) for g in Group.objects.order_by("name")],
        "priorities": [(p.key, p.name) for p in Priority.objects.order_by("order")],
    }


def _keys() -> list[tuple[str, str]]:
    builtin = [(key, str(label)) for key, (_kind, label) in BUILTINS.items()]
    custom = [
        (CUSTOM_PREFIX + key, f"{field.name} ({key})")
        for key, field in definitions(CustomFieldTarget.TICKET).items()
    ]
    return builtin + custom


def _row(raw: dict[str, Any]) -> dict[str, Any]:
    """A stored field (or a default one) as a row's initial values."""
    condition = raw.get("condition")
    return {
        "key": raw["key"],
        "required": bool(raw.get("required")),
        **{n: raw.get(n, "") for n in ("label_es", "label_en", "help_es", "help_en", "prefill")},
        "condition_field": condition["field"] if condition else "",
        "condition_values": ", ".join(condition["values"]) if condition else "",
    }


def _stored(form: Form) -> list[dict[str, Any]]:
    return [
        _row(
            {
                "key": f.key,
                "required": f.required,
                "label_es": f.label_es,
                "label_en": f.label_en,
                "help_es": f.help_es,
                "help_en": f.help_en,
                "prefill": f.prefill,
                "condition": f.condition,
            }
        )
        for f in form.fields.all()
    ]


def _initial(form: Form) -> dict[str, Any]:
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
    }


def _rows(request: HttpRequest, initial: list[dict[str, Any]]) -> Any:
    numbered = [{**row, "position": index + 1} for index, row in enumerate(initial)]
    return FieldRows(
        request.POST or None, initial=numbered, prefix="fields", form_kwargs={"keys": _keys()}
    )


def _ordered(rows: Any) -> list[tuple[FieldRowForm, dict[str, Any]]]:
    """The filled rows in their order (by "Order", then as listed), each with its field."""
    numbered = [(row.cleaned_data.get("position"), index, row) for index, row in enumerate(rows)]
    numbered.sort(key=lambda item: (item[0] is None, item[0] or 0, item[1]))
    return [(row, raw) for _p, _i, row in numbered if (raw := row.as_raw()) is not None]


def _specs(ordered: list[tuple[FieldRowForm, dict[str, Any]]]) -> list[FieldSpec]:
    errors = ErrorCollector()
    specs = []
    for index, (row, raw) in enumerate(ordered):
        if raw.get("condition") is not None and not raw["condition"]["values"]:
            row.add_error("condition_values", _("Give at least one value."))
            continue
        try:
            specs.append(services.spec_from(raw, index))
        except AtiendeError as error:
            errors.errors.extend(error.errors)
    errors.raise_if_any()
    return specs


def _place(form: FormSettingsForm, origin: list[FieldRowForm], error: AtiendeError) -> None:
    """Each error about ``fields.<n>.<part>`` next to that part of row n; the rest as usual."""
    rest = []
    for item in error.errors:
        parts = item.field.split(".")
        if parts[0] == "fields" and len(parts) >= 2 and parts[1].isdecimal():
            index = int(parts[1])
            if index < len(origin):
                name = PART_INPUT.get(parts[2] if len(parts) > 2 else "")
                target = name if name in origin[index].fields else None
                origin[index].add_error(target, str(item.message))
                continue
        if parts[0] == "fields":
            form.add_error(None, str(item.message))
            continue
        rest.append(item)
    if rest or not error.errors:
        apply_errors(form, type(error)(error.detail, errors=rest))


def _save(
    request: HttpRequest, form: FormSettingsForm, rows: Any, write: Any
) -> HttpResponse | None:
    if not (form.is_valid() and rows.is_valid()):
        return None
    ordered = _ordered(rows)
    try:
        specs = _specs(ordered)
        if any(row.errors for row in rows):
            return None
        saved = write(specs, form.cleaned_data)
    except AtiendeError as error:
        _place(form, [row for row, _raw in ordered], error)
        return None
    messages.success(request, _("Form saved."))
    return redirect(reverse("forms:settings-form", args=[saved.pk]))


@settings_view
@require_http_methods(["GET", "POST"])
def forms_list(request: HttpRequest) -> HttpResponse:
    """The ticket forms, with a form to add one."""
    form = FormSettingsForm(request.POST or None, initial={"audience": "customers"}, **_choices())
    rows = _rows(request, [_row(f) for f in NEW_FORM_FIELDS])
    if request.method == "POST":

        def write(specs: list[FieldSpec], data: dict[str, Any]) -> Form:
            return services.create_form(actor(request), fields=specs, **data)

        done = _save(request, form, rows, write)
        if done:
            return done
    context = {
        "section": "forms",
        "forms": selectors.all_forms(actor(request)),
        "form": form,
        "rows": rows,
    }
    return _page(request, "web/forms/settings_list.html", context, form, rows)


@settings_view
@require_http_methods(["GET", "POST"])
def form_edit(request: HttpRequest, form_id: int) -> HttpResponse:
    """Edit one form; the page shows the snippet that embeds it."""
    found = selectors.get_form(actor(request), form_id)
    form = FormSettingsForm(request.POST or None, initial=_initial(found), **_choices())
    rows = _rows(request, _stored(found))
    if request.method == "POST":

        def write(specs: list[FieldSpec], data: dict[str, Any]) -> Form:
            return services.update_form(
                actor(request), form_id=found.pk, changes=data, fields=specs
            )

        done = _save(request, form, rows, write)
        if done:
            return done
    site = request.build_absolute_uri("/").rstrip("/")
    context = {
        "section": "forms",
        "found": found,
        "form": form,
        "rows": rows,
        "public_url": site + reverse("forms:public", args=[found.slug]),
        "embed_src": request.build_absolute_uri(static("forms/embed.js")),
    }
    return _page(request, "web/forms/settings_form.html", context, form, rows)


def _page(
    request: HttpRequest, template: str, context: dict[str, Any], form: forms.Form, rows: Any
) -> HttpResponse:
    response = page(request, template, context, form=form)
    if request.method == "POST" and any(r.errors for r in rows):
        response.status_code = 422
    return response


@settings_view
@require_POST
def form_delete(request: HttpRequest, form_id: int) -> HttpResponse:
    services.delete_form(actor(request), form_id=form_id)
    messages.success(request, _("Form deleted."))
    return redirect(reverse("forms:settings-forms"))
