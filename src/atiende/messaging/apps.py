from importlib import import_module
from importlib.util import find_spec

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# Imported at start-up: their tasks register with the scheduler, their handlers subscribe.
STARTUP_MODULES = (
    "atiende.messaging.inbound.tasks",
    "atiende.messaging.tasks",
    "atiende.messaging.subscribers",
)


class MessagingConfig(AppConfig):
    name = "atiende.messaging"
    label = "messaging"
    verbose_name = _("Messaging")

    def ready(self) -> None:
        for module in STARTUP_MODULES:
            if find_spec(module) is not None:
                import_module(module)
