"""The signed-in home page (signing in and out is allauth's: ``web.signin``)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from atiende.accounts.models import User
from atiende.web.common import staff_required


def home(request: HttpRequest) -> HttpResponse:
    """The workspace opens on the inbox; a signed-in customer's home is the portal."""
    user = request.user
    if isinstance(user, User) and user.is_active and user.is_customer:
        return redirect("portal")
    return _workspace_home(request)


@staff_required
def _workspace_home(request: HttpRequest) -> HttpResponse:
    return redirect("inbox")
