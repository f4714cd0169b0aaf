"""API authentication: personal tokens (Bearer) or the browser session with CSRF."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import translation
from django.utils.translation import gettext as _
from ninja.errors import HttpError
from ninja.security import HttpBearer
from ninja.security.apikey import APIKeyCookie
from ninja.utils import check_csrf

from atiende.accounts.models import User
from atiende.accounts.services import authenticate_token
from atiende.api import ratelimit
from atiende.core.actor import Actor, Source
from atiende.core.errors import Unauthenticated


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> User:
        ratelimit.refuse_failing_address(request)
        try:
            user = authenticate_token(token)
        except Unauthenticated:
            ratelimit.count_failure(request)
            raise
        if user.locale:  # answers in the token owner's language, else Accept-Language's
            translation.activate(user.locale)
        ratelimit.spend(request, user.pk)
        return user


class SessionWithCsrf(APIKeyCookie):
    """The signed-in browser user; unsafe methods must carry the CSRF token.

    Anonymous calls fall through to a 401 (not a CSRF 403), so clients hear what is missing.
    """

    param_name = "sessionid"

    def __init__(self) -> None:
        super().__init__(csrf=False)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user.is_active:
            return None
        if request.method not in ("GET", "HEAD", "OPTIONS") and check_csrf(request):
            raise HttpError(403, _("CSRF check failed: send the X-CSRFToken header."))
        ratelimit.spend(request, user.pk)
        return user


def actor(request: HttpRequest) -> Actor:
    """The acting user of an authenticated API request."""
    user = request.auth  # type: ignore[attr-defined]  # set by ninja's auth
    assert isinstance(user, User)
    return Actor(user=user, source=Source.API)


AUTH = [BearerToken(), SessionWithCsrf()]
