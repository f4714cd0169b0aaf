"""What the rule pages (triggers, SLA policies, automations) share: a form plus row editors,
saved through one service call whose errors land next to the field or row they name."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from atiende.core.errors import AtiendeError
from atiende.web.setup.rows import RowEditor, adding_row, place_errors


def save_rule(
    request: HttpRequest,
    form: forms.Form,
    editors: Sequence[RowEditor],
    write: Callable[[dict[str, Any]], object],
    *,
    done: str,
    to: str,
) -> HttpResponse | None:
    """On a POST that is not "Add a row" nor a dry run: call ``write`` with the form's data
    and redirect to ``to``; ``None`` when the page must be shown again (with its errors,
    nothing saved)."""
    trying = bool(request.POST.get("dry_run"))
    if request.method != "POST" or adding_row(request.POST) or trying or not form.is_valid():
        return None
    try:
        write(form.cleaned_data)
    except AtiendeError as error:
        for item in place_errors(error, editors):
            name = item.field.split(".")[0].split("[")[0]
            form.add_error(name if name in form.fields else None, str(item.message))
        if not error.errors:
            form.add_error(None, str(error.detail))
        return None
    messages.success(request, done)
    return redirect(to)


def rule_page(
    request: HttpRequest,
    template: str,
    context: dict[str, Any],
    *,
    form: forms.Form,
    editors: Sequence[RowEditor],
) -> HttpResponse:
    """The page, answering 422 when something posted was refused."""
    refused = bool(form.errors) or any(row.errors for e in editors for row in e.rows)
    status = 422 if request.method == "POST" and refused else 200
    return render(request, template, {"form": form, **context}, status=status)
