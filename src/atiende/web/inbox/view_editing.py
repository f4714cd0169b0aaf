"""Saving, editing and deleting an agent's own inbox views."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from atiende.core.errors import AtiendeError, NotFound
from atiende.tickets import saved_views
from atiende.tickets.models import SavedView
from atiende.web.common import actor, apply_errors, staff_required
from atiende.web.inbox import people
from atiende.web.inbox.forms import SavedViewForm
from atiende.web.inbox.views import as_form_data, raw_filters, resolve_state


@staff_required
@require_http_methods(["GET", "POST"])
def view_create(request: HttpRequest) -> HttpResponse:
    """Save the current filters, columns and sort as a named view."""
    caller = actor(request)
    choices = saved_views.filter_choices(caller)
    if request.method == "POST":
        posted, unknown = people.resolve(caller, request.POST)
        form = SavedViewForm(posted, choices=choices)
        if form.is_valid() and not unknown:
            try:
                view = saved_views.create_saved_view(
                    caller,
                    name=form.cleaned_data["name"],
                    shared=form.cleaned_data["shared"],
                    filters=raw_filters(posted),
                    columns=form.column_values(),
                    sort=form.sort_value(),
                )
            except AtiendeError as error:
                apply_errors(form, error)
            else:
                messages.success(request, _("View “%(name)s” saved.") % {"name": view.name})
                return HttpResponseRedirect(f"{reverse('inbox')}?view=saved-{view.pk}")
        for name, message in unknown.items():
            form.add_error(name, message)
        return render(request, "web/inbox/view_form.html", {"form": form}, status=422)
    try:
        state = resolve_state(request, request.GET, choices)
    except NotFound:
        raise Http404(_("View not found.")) from None
    initial = as_form_data(state.filters, sort=state.sort, columns=state.columns)
    people.with_labels(caller, initial)
    form = SavedViewForm(initial=initial, choices=choices)
    return render(request, "web/inbox/view_form.html", {"form": form})


def _editable_view(request: HttpRequest, view_id: int) -> SavedView | HttpResponse:
    """The saved view to edit, or the error page to show instead."""
    try:
        view = saved_views.get_saved_view(actor(request), view_id)
    except NotFound:
        raise Http404(_("View not found.")) from None
    if not saved_views.can_edit(actor(request), view):
        return render(request, "web/errors/403.html", status=403)
    return view


@staff_required
@require_http_methods(["GET", "POST"])
def view_edit(request: HttpRequest, view_id: int) -> HttpResponse:
    """Rename a saved view, share it, change its filters, columns and sort."""
    caller = actor(request)
    view = _editable_view(request, view_id)
    if isinstance(view, HttpResponse):
        return view
    choices = saved_views.filter_choices(caller)
    if request.method == "POST":
        posted, unknown = people.resolve(caller, request.POST)
        form = SavedViewForm(posted, choices=choices)
        if form.is_valid() and not unknown:
            try:
                saved_views.update_saved_view(
                    caller,
                    view_id=view.pk,
                    name=form.cleaned_data["name"],
                    shared=form.cleaned_data["shared"],
                    filters=raw_filters(posted),
                    columns=form.column_values(),
                    sort=form.sort_value(),
                )
            except AtiendeError as error:
                apply_errors(form, error)
            else:
                messages.success(request, _("View saved."))
                return HttpResponseRedirect(f"{reverse('inbox')}?view=saved-{view.pk}")
        for name, message in unknown.items():
            form.add_error(name, message)
        context = {"form": form, "view": view}
        return render(request, "web/inbox/view_form.html", context, status=422)
    inbox_view = saved_views.as_inbox_view(view)
    initial = as_form_data(
        inbox_view.filters, sort=inbox_view.sort, columns=list(inbox_view.columns)
    )
    initial.update(name=view.name, shared=view.shared)
    people.with_labels(caller, initial)
    form = SavedViewForm(initial=initial, choices=choices)
    return render(request, "web/inbox/view_form.html", {"form": form, "view": view})


@staff_required
@require_POST
def view_delete(request: HttpRequest, view_id: int) -> HttpResponse:
    view = _editable_view(request, view_id)
    if isinstance(view, HttpResponse):
        return view
    saved_views.delete_saved_view(actor(request), view_id=view.pk)
    messages.success(request, _("View “%(name)s” deleted.") % {"name": view.name})
    return HttpResponseRedirect(reverse("inbox"))
