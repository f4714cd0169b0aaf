from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TicketsConfig(AppConfig):
    name = "atiende.tickets"
    label = "tickets"
    verbose_name = _("Tickets")

    def ready(self) -> None:
        from atiende.accounts import custom_fields as account_fields
        from atiende.tickets import config_cache  # noqa: F401  (connects its invalidation signals)
        from atiende.tickets.custom_fields import clean_custom_fields

        # Users' and organizations' custom fields are defined here; accounts asks through this.
        account_fields.use_checker(clean_custom_fields)
