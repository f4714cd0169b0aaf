"""One's own account: preferences, password, personal canned responses, the shortcuts help.

Preferences are saved through ``accounts.services.update_user``, which lets everyone change
their own name, language and time zone; ``UserPreferencesMiddleware`` applies them from the
next request on. Passwords use Django's auth views with our templates.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordChangeForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse, reverse_lazy
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from atiende.accounts.services import update_user
from atiende.web.account.forms import PreferencesForm
from atiende.web.common import actor, current_user
from atiende.web.setup import canned_views
from atiende.web.setup.common import account_view, page, submit


@account_view
@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    me = current_user(request)
    # Until the user chooses, the form shows the language they are being served in.
    locale = me.locale or translation.get_language()
    initial = {"name": me.name, "locale": locale, "time_zone": me.time_zone}
    form = PreferencesForm(request.POST or None, initial=initial)
    if request.method == "POST":

        def write(data: dict[str, Any]) -> object:
            user = update_user(actor(request), user_id=me.pk, changes=data)
            translation.activate(user.locale)  # "saved" is said in the language just chosen
            return user

        done = gettext_lazy("Preferences saved.")
        if result := submit(request, form, write, done=done, to=reverse("account-preferences")):
            return result
    context = {"section": "preferences", "form": form}
    return page(request, "web/account/preferences.html", context, form=form)


class PasswordChangeView(auth_views.PasswordChangeView):
    """The signed-in agent changes their password and stays signed in."""

    template_name = "web/account/password_change.html"
    form_class = PasswordChangeForm
    success_url = reverse_lazy("account-preferences")
    extra_context = {"section": "password"}

    def form_valid(self, form: PasswordChangeForm) -> HttpResponse:
        response = super().form_valid(form)
        messages.success(self.request, _("Your password was changed."))
        return response


_password_change = PasswordChangeView.as_view()


@account_view
def password_change(request: HttpRequest) -> HttpResponse:
    response = _password_change(request)
    assert isinstance(response, HttpResponse)
    return response


@account_view
@require_http_methods(["GET", "POST"])
def my_canned(request: HttpRequest) -> HttpResponse:
    """The agent's personal canned responses."""
    return canned_views.canned_list(request, shared=False)


@account_view
@require_http_methods(["GET", "POST"])
def my_canned_edit(request: HttpRequest, response_id: int) -> HttpResponse:
    return canned_views.canned_edit(request, response_id, shared=False)


@account_view
@require_POST
def my_canned_delete(request: HttpRequest, response_id: int) -> HttpResponse:
    return canned_views.canned_delete(request, response_id, shared=False)


@account_view
@require_GET
def shortcuts_help(request: HttpRequest) -> HttpResponse:
    """The keyboard shortcuts overlay, translated; ``shortcuts.js`` fetches it once per page."""
    response = render(request, "web/account/_shortcuts_help.html")
    response["Cache-Control"] = "private, max-age=3600"
    response["Vary"] = "Cookie, Accept-Language"
    return response
