from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AutomationConfig(AppConfig):
    name = "atiende.automation"
    label = "automation"
    verbose_name = _("Automation")

    def ready(self) -> None:
        from atiende.automation import actions, tasks  # noqa: F401  (action types, the sweep)
        from atiende.automation.timed import subscribers as timed  # noqa: F401
        from atiende.automation.triggers import subscribers  # noqa: F401  (event handlers)
