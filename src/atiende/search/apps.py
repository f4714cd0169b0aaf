from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SearchConfig(AppConfig):
    name = "atiende.search"
    label = "search"
    verbose_name = _("Search")

    def ready(self) -> None:
        from atiende.search import subscribers  # noqa: F401  (registers event handlers)
