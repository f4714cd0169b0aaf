from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SearchConfig(AppConfig):
    name = "atiende.search"
    label = "search"
    verbose_name = _("Search")

    def ready(self) -> None:
        from atiende.search import subscribers  # noqa: F401  (registers event handlers)
        from atiende.search.tickets import filter_tickets
        from atiende.tickets import listing

        # The ticket list narrows by text through the index; tickets does not import search.
        listing.use_text_filter(filter_tickets)
