from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KbConfig(AppConfig):
    name = "atiende.kb"
    label = "kb"
    verbose_name = _("Knowledge base")

    def ready(self) -> None:
        from atiende.kb import subscribers  # noqa: F401  (registers event handlers)
