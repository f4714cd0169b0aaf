"""Staff sign-in, sign-out and the signed-in home page."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import redirect

from atiende.accounts.models import User
from atiende.accounts.services import mark_email_verified
from atiende.web.common import staff_required
from atiende.web.forms import StaffSignInForm


class SignInView(auth_views.LoginView):
    form_class = StaffSignInForm
    template_name = "web/login.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        user = request.user
        if isinstance(user, User) and user.is_active and user.is_agent:
            return HttpResponseRedirect(self.get_success_url())
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form: StaffSignInForm) -> HttpResponse:  # type: ignore[override]  # our form
        response = super().form_valid(form)
        user = form.get_user()
        if isinstance(user, User):
            mark_email_verified(user)
        return response


class SignOutView(auth_views.LogoutView):
    """Sign out on POST (a link cannot sign anyone out), then back to the sign-in page."""


@staff_required
def home(request: HttpRequest) -> HttpResponse:
    """The workspace opens on the inbox."""
    return redirect("inbox")
