"""Sign-in URLs: allauth's under /accounts/, our account page, the old /login/ address."""

from __future__ import annotations

from allauth.account.views import LogoutView
from django.urls import include, path

from atiende.web.signin import views

urlpatterns = [
    path("accounts/me/", views.account, name="signin-account"),
    path("accounts/", include("allauth.urls")),
    path("login/", views.old_sign_in, name="login"),
    path("logout/", LogoutView.as_view(), name="logout"),
]
