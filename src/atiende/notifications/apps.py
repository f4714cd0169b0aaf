from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "atiende.notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from atiende.notifications import (
            kb_verification,  # noqa: F401  (article reminders)
            subscribers,  # noqa: F401  (registers event handlers)
        )
