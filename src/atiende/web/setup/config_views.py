"""Ticket configuration: statuses, priorities, tags, categories and custom fields.

Admins only; every write is a ``tickets.services.config`` call, whose errors appear next to
the form's fields.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from atiende.core.errors import AtiendeError
from atiende.tickets.config_selectors import list_priorities, list_statuses
from atiende.tickets.models import CustomField, CustomFieldTarget
from atiende.tickets.services import config
from atiende.web.common import actor
from atiende.web.setup import selectors
from atiende.web.setup.common import cursor_of, edit_page, page, settings_view, submit
from atiende.web.setup.forms import (
    CategoryForm,
    CustomFieldForm,
    NewCustomFieldForm,
    PriorityForm,
    StatusForm,
    TagForm,
)


@settings_view
@require_http_methods(["GET", "POST"])
def statuses(request: HttpRequest) -> HttpResponse:
    """Statuses in workflow order, with a form to add one."""
    form = StatusForm(request.POST or None, statuses=selectors.status_choices())
    if request.method == "POST":

        def write(data: dict[str, Any]) -> object:
            return config.create_status(actor(request), **data)

        to = reverse("settings-statuses")
        if done := submit(request, form, write, done=_("Status created."), to=to):
            return done
    found = list_statuses(actor(request), limit=selectors.PAGE_SIZE, cursor=cursor_of(request))
    context = {"section": "statuses", "page": found, "form": form}
    return page(request, "web/setup/statuses.html", context, form=form)


@settings_view
@require_http_methods(["GET", "POST"])
def status(request: HttpRequest, status_id: int) -> HttpResponse:
    found = selectors.get_status(status_id)
    initial = {
        "key": found.key,
        "name_en": found.name_en,
        "name_es": found.name_es,
        "category": found.category,
        "order": found.order,
        "is_default": found.is_default,
        "is_active": found.is_active,
        "allowed_next": [s.key for s in found.allowed_next.all()],
    }
    choices = [c for c in selectors.status_choices() if c[0] != found.key]
    form = StatusForm(request.POST or None, initial=initial, statuses=choices)
    return edit_page(
        request,
        form,
        lambda data: config.update_status(actor(request), status_id=found.pk, changes=data),
        done=_("Status saved."),
        to=reverse("settings-statuses"),
        section="statuses",
        found=found,
    )


@settings_view
@require_http_methods(["GET", "POST"])
def priorities(request: HttpRequest) -> HttpResponse:
    form = PriorityForm(request.POST or None)
    if request.method == "POST":

        def write(data: dict[str, Any]) -> object:
            return config.create_priority(actor(request), **data)

        to = reverse("settings-priorities")
        if done := submit(request, form, write, done=_("Priority created."), to=to):
            return done
    found = list_priorities(actor(request), limit=selectors.PAGE_SIZE, cursor=cursor_of(request))
    context = {"section": "priorities", "page": found, "form": form}
    return page(request, "web/setup/priorities.html", context, form=form)


@settings_view
@require_http_methods(["GET", "POST"])
def priority(request: HttpRequest, priority_id: int) -> HttpResponse:
    found = selectors.get_priority(priority_id)
    initial = {
        "key": found.key,
        "name_en": found.name_en,
        "name_es": found.name_es,
        "order": found.order,
        "color": found.color,
        "is_default": found.is_default,
    }
    form = PriorityForm(request.POST or None, initial=initial)
    return edit_page(
        request,
        form,
        lambda data: config.update_priority(actor(request), priority_id=found.pk, changes=data),
        done=_("Priority saved."),
        to=reverse("settings-priorities"),
        section="priorities",
        found=found,
    )


@settings_view
@require_http_methods(["GET", "POST"])
def tags(request: HttpRequest) -> HttpResponse:
    """Tags with how many tickets carry each; add or delete."""
    form = TagForm(request.POST or None)
    if request.method == "POST":

        def write(data: dict[str, Any]) -> object:
            return config.create_tag(actor(request), **data)

        to = reverse("settings-tags")
        if done := submit(request, form, write, done=_("Tag created."), to=to):
            return done
    q = request.GET.get("q", "")
    found = selectors.tags_page(actor(request), q=q, cursor=cursor_of(request))
    context = {"section": "tags", "page": found, "form": form, "q": q}
    return page(request, "web/setup/tags.html", context, form=form)


@settings_view
@require_POST
def tag_delete(request: HttpRequest, tag_id: int) -> HttpResponse:
    """Delete a tag; every ticket that carried it records the change."""
    try:
        config.delete_tag(actor(request), tag_id=tag_id)
    except AtiendeError as error:
        messages.error(request, str(error.detail))
    else:
        messages.success(request, _("Tag deleted."))
    return redirect("settings-tags")


@settings_view
@require_http_methods(["GET", "POST"])
def categories(request: HttpRequest) -> HttpResponse:
    """The category tree, with a form to add a category anywhere in it."""
    form = CategoryForm(request.POST or None, parents=selectors.parent_choices())
    if request.method == "POST":

        def write(data: dict[str, Any]) -> object:
            return config.create_category(actor(request), **data)

        to = reverse("settings-categories")
        if done := submit(request, form, write, done=_("Category created."), to=to):
            return done
    context = {"section": "categories", "tree": selectors.category_tree(), "form": form}
    return page(request, "web/setup/categories.html", context, form=form)


@settings_view
@require_http_methods(["GET", "POST"])
def category(request: HttpRequest, category_id: int) -> HttpResponse:
    """Rename, move under another parent, or deactivate a category."""
    found = selectors.get_category(category_id)
    initial = {
        "name_en": found.name_en,
        "name_es": found.name_es,
        "parent_id": found.parent_id,
        "is_active": found.is_active,
    }
    form = CategoryForm(request.POST or None, initial=initial, parents=selectors.parent_choices())
    return edit_page(
        request,
        form,
        lambda data: config.update_category(actor(request), category_id=found.pk, changes=data),
        done=_("Category saved."),
        to=reverse("settings-categories"),
        section="categories",
        found=found,
    )


@settings_view
@require_http_methods(["GET", "POST"])
def custom_fields(request: HttpRequest) -> HttpResponse:
    """Field definitions by target, with a form to add one."""
    form = NewCustomFieldForm(request.POST or None)
    if request.method == "POST":

        def write(data: dict[str, Any]) -> object:
            return config.create_custom_field(actor(request), **data)

        to = reverse("settings-fields")
        if done := submit(request, form, write, done=_("Custom field created."), to=to):
            return done
    fields = selectors.custom_fields()
    by_target = [
        (label, [f for f in fields if f.target == value])
        for value, label in CustomFieldTarget.choices
    ]
    context = {"section": "fields", "by_target": by_target, "form": form}
    return page(request, "web/setup/fields.html", context, form=form)


@settings_view
@require_http_methods(["GET", "POST"])
def custom_field(request: HttpRequest, field_id: int) -> HttpResponse:
    """Edit a definition; its target, key and type stay as created."""
    found: CustomField = selectors.get_custom_field(field_id)
    initial = {
        "name_en": found.name_en,
        "name_es": found.name_es,
        "options": "\n".join(found.options),
        "required": found.required,
        "is_identifier": found.is_identifier,
        "order": found.order,
        "is_active": found.is_active,
    }
    form = CustomFieldForm(request.POST or None, initial=initial)
    return edit_page(
        request,
        form,
        lambda data: config.update_custom_field(actor(request), field_id=found.pk, changes=data),
        done=_("Custom field saved."),
        to=reverse("settings-fields"),
        section="fields",
        found=found,
    )
