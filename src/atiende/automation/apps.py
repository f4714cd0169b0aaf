from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AutomationConfig(AppConfig):
    name = "atiende.automation"
    label = "automation"
    verbose_name = _("Automation")

    def ready(self) -> None:
        from atiende.automation import actions  # noqa: F401  (registers every action type)
        from atiende.automation.actions import validate_actions
        from atiende.automation.autoreplies import hours
        from atiende.automation.autoreplies.notice import notice
        from atiende.messaging.outbound.notices import use_notice_provider
        from atiende.sla import escalation
        from atiende.sla.selectors import calendar_for_group

        use_notice_provider(notice)
        # The sla app sits below automation: its calendars answer "is the team open?" for the
        # auto-replies, and its escalation levels speak the action vocabulary registered here.
        hours.use_calendar_lookup(calendar_for_group)
        escalation.use_action_validator(validate_actions)
