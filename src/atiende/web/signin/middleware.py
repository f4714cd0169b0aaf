"""Staff who must use two-factor sign-in set it up before anything else in the workspace.

Required of a staff member when an admin ticked it on their profile, or of all staff with
``ATIENDE_STAFF_TWO_FACTOR_REQUIRED``. Until they have an authenticator, every page but the
sign-in pages (``/accounts/``) and static files sends them to set one up; the API called with
their browser session answers 403. The API with a personal token is not affected (a token
carries no session: it is issued to someone signed in, and is revocable).
"""

from __future__ import annotations

from collections.abc import Callable

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from atiende.accounts.models import User

# The API's problem type for this refusal (web cannot import the API's error module).
PROBLEM = "https://atiende.dev/problems/two_factor_required"
OPEN_PREFIXES = ("/accounts/", "/static/", "/logout/", "/manifest.webmanifest")


def two_factor_required(user: User) -> bool:
    """Does this person have to use two-factor sign-in?"""
    return user.is_agent and (
        user.two_factor_required or settings.ATIENDE_STAFF_TWO_FACTOR_REQUIRED
    )


def has_two_factor(user: User) -> bool:
    return bool(Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists())


class TwoFactorRequiredMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            isinstance(user, User)
            and not request.path.startswith(OPEN_PREFIXES)
            and two_factor_required(user)
            and not has_two_factor(user)
        ):
            reason = _("Set up two-factor sign-in to continue: it is required for your account.")
            if request.path.startswith("/api/"):
                body = {"type": PROBLEM, "title": str(reason), "status": 403, "detail": str(reason)}
                return JsonResponse(
                    body,
                    status=403,
                    content_type="application/problem+json",
                )
            messages.warning(request, reason)
            return redirect("mfa_activate_totp")
        return self.get_response(request)
