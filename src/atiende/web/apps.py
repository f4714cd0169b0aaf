from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebConfig(AppConfig):
    name = "atiende.web"
    label = "web"
    verbose_name = _("Agent workspace")

    def ready(self) -> None:
        from atiende.web.account import passwords  # noqa: F401  (registers the invitation mail)
        from atiende.web.signin import mail  # noqa: F401  (registers the sign-in mail)
