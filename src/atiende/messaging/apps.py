from importlib import import_module
from importlib.util import find_spec
from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _

# Imported at start-up: their tasks register with the scheduler, their handlers subscribe.
STARTUP_MODULES = (
    "atiende.messaging.inbound.tasks",
    "atiende.messaging.tasks",
    "atiende.messaging.subscribers",
)


def _mailboxes_changed(**_kwargs: Any) -> None:
    from atiende.messaging.inbound.classify import forget_addresses

    forget_addresses()


class MessagingConfig(AppConfig):
    name = "atiende.messaging"
    label = "messaging"
    verbose_name = _("Messaging")

    def ready(self) -> None:
        for module in STARTUP_MODULES:
            if find_spec(module) is not None:
                import_module(module)
        mailbox = self.get_model("Mailbox")
        post_save.connect(_mailboxes_changed, sender=mailbox, dispatch_uid="mailbox-saved")
        post_delete.connect(_mailboxes_changed, sender=mailbox, dispatch_uid="mailbox-deleted")
