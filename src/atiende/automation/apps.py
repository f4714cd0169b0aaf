from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AutomationConfig(AppConfig):
    name = "atiende.automation"
    label = "automation"
    verbose_name = _("Automation")

    def ready(self) -> None:
        from atiende.automation import actions  # noqa: F401  (registers the action types)
        from atiende.automation.assignment import subscribers, tasks  # noqa: F401  (assignment)
