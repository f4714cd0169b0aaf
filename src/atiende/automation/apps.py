from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AutomationConfig(AppConfig):
    name = "atiende.automation"
    label = "automation"
    verbose_name = _("Automation")

    def ready(self) -> None:
        from atiende.automation import actions  # noqa: F401  (registers every action type)
        from atiende.automation.assignment import subscribers, tasks  # noqa: F401  (assignment)
        from atiende.automation.autoreplies.notice import notice
        from atiende.messaging.outbound.notices import use_notice_provider

        # The lead wires the sla calendars here once merged:
        #   hours.use_calendar_lookup(sla.selectors.calendar_for_group)
        use_notice_provider(notice)
