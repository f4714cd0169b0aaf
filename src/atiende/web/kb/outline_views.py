"""The knowledge base's outline: categories and sections, created, renamed, reordered, deleted."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from atiende.core.errors import AtiendeError
from atiende.kb import editor_selectors as selectors
from atiende.kb.services import structure
from atiende.web.common import actor, staff_required
from atiende.web.kb import forms
from atiende.web.kb.views import refused


@staff_required
@require_http_methods(["GET", "POST"])
def outline(request: HttpRequest) -> HttpResponse:
    """Categories and their sections: add, rename, reorder, delete empty ones."""
    who = actor(request)
    categories = list(selectors.categories(who))
    category_form = forms.NamesForm(
        request.POST if request.POST.get("kind") == "category" else None, prefix="category"
    )
    section_form = forms.SectionForm(
        request.POST if request.POST.get("kind") == "section" else None,
        prefix="section",
        categories=categories,
    )
    status = 200
    if request.method == "POST":
        form = category_form if request.POST.get("kind") == "category" else section_form
        if form.is_valid():
            data = form.cleaned_data
            try:
                if form is category_form:
                    structure.create_category(
                        who, names=form.names(), position=data.get("position") or 0
                    )
                else:
                    structure.create_section(
                        who,
                        category_id=data["category"],
                        names=form.names(),
                        position=data.get("position") or 0,
                    )
            except AtiendeError as error:
                for item in error.errors:
                    name = item.field.split(".")[0]
                    code = item.field.split(".")[1] if "." in item.field else ""
                    target = f"name_{code}" if code and f"name_{code}" in form.fields else None
                    if name == "names" and target is None:
                        target = next(iter(k for k in form.fields if k.startswith("name_")))
                    form.add_error(target, str(item.message))
                if not error.errors:
                    form.add_error(None, str(error.detail))
                status = error.status
            else:
                messages.success(request, _("Saved."))
                return redirect("kb-outline")
        else:
            status = 422
    context = {
        "categories": categories,
        "category_form": category_form,
        "section_form": section_form,
    }
    return render(request, "web/kb/outline.html", context, status=status)


@staff_required
@require_POST
def outline_delete(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    try:
        if kind == "category":
            structure.delete_category(actor(request), category_id=pk)
        else:
            structure.delete_section(actor(request), section_id=pk)
    except AtiendeError as error:
        refused(request, error)
    else:
        messages.success(request, _("Deleted."))
    return redirect("kb-outline")


@staff_required
@require_http_methods(["GET", "POST"])
def outline_edit(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    """Rename or reorder one category or section."""
    who = actor(request)
    if kind == "category":
        found: Any = next((c for c in selectors.categories(who) if c.pk == pk), None)
    else:
        found = selectors.sections(who).filter(pk=pk).first()
    if found is None or kind not in ("category", "section"):
        raise Http404
    initial = {f"name_{code}": name for code, name in found.names.items()}
    form = forms.NamesForm(
        request.POST if request.method == "POST" else None,
        initial={**initial, "position": found.position},
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            position = form.cleaned_data.get("position")
            try:
                if kind == "category":
                    structure.update_category(
                        who, category_id=pk, names=form.names(), position=position
                    )
                else:
                    structure.update_section(
                        who, section_id=pk, names=form.names(), position=position
                    )
            except AtiendeError as error:
                first = next(iter(k for k in form.fields if k.startswith("name_")))
                for item in error.errors:
                    form.add_error(first, str(item.message))
                if not error.errors:
                    form.add_error(None, str(error.detail))
                status = error.status
            else:
                messages.success(request, _("Saved."))
                return redirect("kb-outline")
        else:
            status = 422
    context = {"form": form, "kind": kind, "item": found}
    return render(request, "web/kb/outline_edit.html", context, status=status)
