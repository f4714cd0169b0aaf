from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RealtimeConfig(AppConfig):
    name = "atiende.realtime"
    verbose_name = _("Real time")

    def ready(self) -> None:
        from atiende.realtime import subscribers  # noqa: F401  (registers event handlers)
