"""The signed-in person's account page (customers land here), and the old sign-in address.

Everything else of signing in is allauth's views under ``/accounts/`` with our templates.
"""

from __future__ import annotations

from allauth.account.internal.flows.email_verification import (
    send_verification_email_to_address,
)
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from atiende.accounts.models import User
from atiende.accounts.services import mirror_sign_in_address


@login_required
@require_http_methods(["GET", "POST"])
def account(request: HttpRequest) -> HttpResponse:
    """Who is signed in, whether their address is verified, and a button to verify it."""
    user = request.user
    assert isinstance(user, User)
    if request.method == "POST" and user.email and user.email_verified_at is None:
        address = mirror_sign_in_address(user)
        if address is not None and send_verification_email_to_address(request, address):
            messages.success(
                request,
                _("We sent a link to %(email)s: open it to verify your address.")
                % {"email": user.email},
            )
        return redirect("signin-account")
    return render(request, "web/signin/account.html", {"person": user})


def old_sign_in(request: HttpRequest) -> HttpResponse:
    """``/login/`` (bookmarks, old links) goes to the sign-in page with its ``next``."""
    query = request.META.get("QUERY_STRING", "")
    url = reverse("account_login") + (f"?{query}" if query else "")
    return HttpResponseRedirect(url)
