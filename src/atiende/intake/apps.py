from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntakeConfig(AppConfig):
    name = "atiende.intake"
    label = "intake"
    verbose_name = _("Ticket forms")

    def ready(self) -> None:
        from atiende.intake import acknowledgement  # noqa: F401  (registers its outbox handler)
