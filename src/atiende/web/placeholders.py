"""A stand-in page for workspace areas still being built; each area replaces its own."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from atiende.web.common import staff_required


@staff_required
def placeholder(request: HttpRequest, title: str, **_: object) -> HttpResponse:
    return render(request, "web/placeholder.html", {"title": title})
