from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutboxConfig(AppConfig):
    name = "atiende.outbox"
    verbose_name = _("Outbox")

    def ready(self) -> None:
        from atiende.outbox import tasks  # noqa: F401  (registers the minute sweep)
