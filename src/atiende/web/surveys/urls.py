"""URLs of the surveys area: the mailed links (public), the portal's widget, the report and
the agents' pulse."""

from __future__ import annotations

from django.urls import path

from atiende.web.surveys import views

urlpatterns = [
    path("survey/portal/<int:ticket_id>/", views.portal_rating, name="survey-portal"),
    path("survey/<str:signed>/comment/", views.comment, name="survey-comment"),
    path("survey/<str:signed>/opt-out/", views.opt_out, name="survey-opt-out"),
    path("survey/<str:signed>/<str:value>/", views.rate, name="survey-rate"),
    path(
        "survey/customers/<int:customer_id>/ratings/",
        views.customer_ratings,
        name="survey-customer-ratings",
    ),
    path("reports/satisfaction/", views.report, name="report-satisfaction"),
    path("settings/surveys/", views.survey_settings, name="settings-surveys"),
    path("pulse/", views.pulse_form, name="pulse"),
    path("pulse/dismiss/", views.pulse_dismiss, name="pulse-dismiss"),
    path("pulse/banner/", views.pulse_banner, name="pulse-banner"),
]
