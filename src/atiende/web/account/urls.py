"""URLs of one's own account: preferences, password change and reset, canned responses."""

from __future__ import annotations

from django.urls import path

from atiende.web.account import views

urlpatterns = [
    path("account/preferences/", views.preferences, name="account-preferences"),
    path("account/password/", views.password_change, name="account-password-change"),
    path(
        "account/password/reset/",
        views.PasswordResetView.as_view(),
        name="account-password-reset",
    ),
    path(
        "account/password/reset/sent/",
        views.PasswordResetDoneView.as_view(),
        name="account-password-reset-done",
    ),
    path(
        "account/password/reset/done/",
        views.PasswordResetCompleteView.as_view(),
        name="account-password-reset-complete",
    ),
    path(
        "account/password/reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="account-password-reset-confirm",
    ),
    path("account/canned/", views.my_canned, name="account-canned"),
    path("account/canned/<int:response_id>/", views.my_canned_edit, name="account-canned-edit"),
    path(
        "account/canned/<int:response_id>/delete/",
        views.my_canned_delete,
        name="account-canned-delete",
    ),
    path("account/shortcuts/", views.shortcuts_help, name="account-shortcuts"),
]
