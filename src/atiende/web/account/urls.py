"""URLs of one's own account: preferences, password change, canned responses.

Signing in, resets and two-factor are allauth's, under /accounts/ (``web.signin``)."""

from __future__ import annotations

from django.urls import path

from atiende.web.account import availability, views

urlpatterns = [
    path("account/preferences/", views.preferences, name="account-preferences"),
    path("account/password/", views.password_change, name="account-password-change"),
    path("account/canned/", views.my_canned, name="account-canned"),
    path("account/canned/<int:response_id>/", views.my_canned_edit, name="account-canned-edit"),
    path(
        "account/canned/<int:response_id>/delete/",
        views.my_canned_delete,
        name="account-canned-delete",
    ),
    path("account/shortcuts/", views.shortcuts_help, name="account-shortcuts"),
    path("account/status/", availability.status, name="account-status"),
    path("account/away/", availability.out_of_office, name="account-away"),
    path("account/workload/", availability.workload, name="account-workload"),
    path(
        "account/away/<int:period_id>/end/",
        availability.out_of_office_end,
        name="account-away-end",
    ),
]
