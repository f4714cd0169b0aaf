from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KbConfig(AppConfig):
    name = "atiende.kb"
    label = "kb"
    verbose_name = _("Knowledge base")

    def ready(self) -> None:
        # Subscribers and outbox handlers register themselves on import.
        from atiende.kb import (  # noqa: F401
            semantic_index,
            similar,
            subscribers,
        )
