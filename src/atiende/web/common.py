"""What every workspace view shares: who is acting, staff-only access, service errors as forms.

Views stay thin: they parse a form, call a ``services`` function with ``actor(request)`` and
render. A service's ``AtiendeError`` becomes errors next to the form's fields (``apply_errors``)
or, for htmx requests without a form, a small error fragment with the error's status.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django import forms
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django_htmx.middleware import HtmxDetails

from atiende.accounts.models import User
from atiende.core.actor import Actor, Source
from atiende.core.errors import AtiendeError
from atiende.core.permissions import is_admin, is_staff

V = TypeVar("V", bound=Callable[..., HttpResponse])


class HtmxHttpRequest(HttpRequest):
    """A request seen by django-htmx's middleware: ``request.htmx`` is truthy for htmx calls."""

    htmx: HtmxDetails


def current_user(request: HttpRequest) -> User:
    """The signed-in staff member (views are wrapped in ``staff_required``)."""
    user = request.user
    assert isinstance(user, User)
    return user


def actor(request: HttpRequest) -> Actor:
    """The signed-in agent acting through the web workspace."""
    return Actor(user=current_user(request), source=Source.WEB)


def staff_required(view: V) -> V:
    """Agents and admins only (``core.permissions``); others go to sign-in (anonymous) or get
    a 403 page."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not isinstance(user, User) or not is_staff(Actor(user=user, source=Source.WEB)):
            return render(request, "web/errors/403.html", status=403)
        return view(request, *args, **kwargs)

    return wrapper  # type: ignore[return-value]  # same signature as ``view``


def admin_required(view: V) -> V:
    """Admins only (workspace settings)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        if isinstance(user, User) and not is_admin(Actor(user=user, source=Source.WEB)):
            return render(request, "web/errors/403.html", status=403)
        return view(request, *args, **kwargs)

    return staff_required(wrapper)  # type: ignore[return-value]  # same signature as ``view``


def apply_errors(form: forms.Form, error: AtiendeError) -> None:
    """Show a service's field errors next to the form's fields, the rest above the form."""
    placed = False
    for item in error.errors:
        name = item.field.split(".")[0]
        if name in form.fields:
            form.add_error(name, str(item.message))
            placed = True
    if not placed or not error.errors:
        form.add_error(None, str(error.detail))


def error_fragment(request: HttpRequest, error: AtiendeError) -> HttpResponse:
    """An htmx-friendly error message with the error's HTTP status."""
    return render(request, "web/errors/_fragment.html", {"error": error}, status=error.status)


def fragment_errors(view: V) -> V:
    """For htmx fragment views: a service's ``AtiendeError`` becomes ``error_fragment``."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except AtiendeError as error:
            return error_fragment(request, error)

    return wrapper  # type: ignore[return-value]  # same signature as ``view``
