"""What the settings views share: run a service with a form's data, page through lists."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any, TypeVar

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from atiende.core.errors import AtiendeError
from atiende.web.common import admin_required, apply_errors, staff_required

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise as StrPromise

V = TypeVar("V", bound=Callable[..., HttpResponse])


def _errors_as_pages(view: V) -> V:
    """A service error (unknown id, bad list cursor) becomes a readable page with its status."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except AtiendeError as error:
            return render(request, "web/setup/error.html", {"error": error}, status=error.status)

    return wrapper  # type: ignore[return-value]  # same signature as ``view``


def settings_view(view: V) -> V:
    """Workspace settings: admins only."""
    return admin_required(_errors_as_pages(view))


def account_view(view: V) -> V:
    """One's own account: any signed-in agent or admin."""
    return staff_required(_errors_as_pages(view))


def submit(
    request: HttpRequest,
    form: forms.Form,
    write: Callable[[dict[str, Any]], object],
    *,
    done: str | StrPromise,
    to: str,
) -> HttpResponse | None:
    """Call ``write`` with the form's cleaned data; redirect to ``to`` with ``done`` on success.

    ``None`` means the form now carries its errors (Django's or the service's, next to their
    fields) and the page should be shown again.
    """
    if not form.is_valid():
        return None
    try:
        write(form.cleaned_data)
    except AtiendeError as error:
        apply_errors(form, error)
        return None
    messages.success(request, done)
    return redirect(to)


def edit_page(
    request: HttpRequest,
    form: forms.Form,
    write: Callable[[dict[str, Any]], object],
    *,
    done: str,
    to: str,
    section: str,
    found: object,
) -> HttpResponse:
    """The edit page of one settings object: save ``form`` through ``write`` on POST (then
    go back to the list at ``to``), else show the form (with its errors)."""
    if request.method == "POST" and (saved := submit(request, form, write, done=done, to=to)):
        return saved
    context = {"section": section, "object": found, "form": form}
    return page(request, "web/setup/edit.html", context, form=form)


def page(
    request: HttpRequest, template: str, context: dict[str, Any], *, form: forms.Form | None = None
) -> HttpResponse:
    """Render a settings page; a form that failed to save answers 422 so tools can tell."""
    status = 422 if form is not None and form.is_bound and form.errors else 200
    return render(request, template, context, status=status)


def cursor_of(request: HttpRequest) -> str | None:
    return request.GET.get("cursor") or None
