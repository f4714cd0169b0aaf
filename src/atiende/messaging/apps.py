from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


def _mailboxes_changed(**_kwargs: Any) -> None:
    from atiende.messaging.inbound.classify import forget_addresses

    forget_addresses()


class MessagingConfig(AppConfig):
    name = "atiende.messaging"
    label = "messaging"
    verbose_name = _("Messaging")

    def ready(self) -> None:
        # Imported at start-up: their tasks register with the scheduler (``tasks`` imports
        # every task module of the app), their handlers subscribe.
        from atiende.messaging import subscribers, tasks  # noqa: F401
        from atiende.messaging.channels import subscribers as channels  # noqa: F401
        from atiende.messaging.chat import subscribers as chat  # noqa: F401

        mailbox = self.get_model("Mailbox")
        post_save.connect(_mailboxes_changed, sender=mailbox, dispatch_uid="mailbox-saved")
        post_delete.connect(_mailboxes_changed, sender=mailbox, dispatch_uid="mailbox-deleted")
