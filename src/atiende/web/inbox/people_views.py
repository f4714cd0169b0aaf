"""Suggestions for the inbox's requester and organization filters (``people.suggestions``)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from atiende.web.common import actor, staff_required
from atiende.web.inbox import people


@staff_required
@require_GET
def people_options(request: HttpRequest) -> HttpResponse:
    """The options of the combobox: ``kind`` is ``requester`` or ``organization``."""
    kind = request.GET.get("kind", "")
    if kind not in people.FIELDS:
        kind = "requester"
    q = request.GET.get("q", "")
    options = people.suggestions(actor(request), kind, q)
    context = {"options": options, "kind": kind, "q": q.strip()}
    return render(request, "web/inbox/_people_options.html", context)
