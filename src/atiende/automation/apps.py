from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AutomationConfig(AppConfig):
    name = "atiende.automation"
    label = "automation"
    verbose_name = _("Automation")

    def ready(self) -> None:
        from atiende.automation.actions import validate_actions
        from atiende.sla import escalation

        # SLA escalation levels speak the action vocabulary; sla sits below automation.
        escalation.use_action_validator(validate_actions)
