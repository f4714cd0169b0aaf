"""Apply the signed-in user's language and time zone to each request.

A user who has not chosen a language (``locale`` empty) keeps what `LocaleMiddleware` found:
their browser's Accept-Language among the shipped languages, else the instance default.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation


class UserPreferencesMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        """Serve the request in the user's language and zone, then give the thread back as found.

        Activation is per thread: without the restore, the next job the thread runs outside a
        request (or the next test) would still speak this user's language.
        """
        previous = translation.get_language()
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            if user.locale:
                translation.activate(user.locale)
                request.LANGUAGE_CODE = user.locale
            try:
                timezone.activate(zoneinfo.ZoneInfo(user.time_zone))
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                timezone.deactivate()
        try:
            response = self.get_response(request)
            response.headers.setdefault("Content-Language", translation.get_language() or "")
            return response
        finally:
            timezone.deactivate()
            if previous:
                translation.activate(previous)
            else:
                translation.deactivate()
