from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AutomationConfig(AppConfig):
    name = "atiende.automation"
    label = "automation"
    verbose_name = _("Automation")

    def ready(self) -> None:
        from atiende.automation import actions, escalation, tasks  # noqa: F401  (registers)
        from atiende.automation.assignment import subscribers as assigning  # noqa: F401
        from atiende.automation.autoreplies.notice import notice
        from atiende.automation.timed import subscribers as timed  # noqa: F401
        from atiende.automation.triggers import subscribers  # noqa: F401  (event handlers)
        from atiende.automation.triggers.opening import apply_opening_rules
        from atiende.messaging.outbound.notices import use_notice_provider
        from atiende.tickets.services.opening import use_opening_rules

        use_notice_provider(notice)
        # Rules that only set a new ticket's fields act before its first write.
        use_opening_rules(apply_opening_rules)
        # SLA escalation levels act through the action registry (``automation.escalation``:
        # it hears SlaEscalated and gives sla the actions' validator).
        escalation.plug_in()
