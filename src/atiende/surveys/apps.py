"""Satisfaction: CSAT on every resolution, NPS, and the agents' own pulse survey (issue 15)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    name = "atiende.surveys"
    label = "surveys"
    verbose_name = _("Surveys")

    def ready(self) -> None:
        from atiende.surveys import mail, subscribers, tasks  # noqa: F401  (handlers, schedule)
