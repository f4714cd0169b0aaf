"""The signed-in home page (signing in and out is allauth's: ``web.signin``)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from atiende.web.common import staff_required


@staff_required
def home(request: HttpRequest) -> HttpResponse:
    """The workspace opens on the inbox."""
    return redirect("inbox")
