"""An article's verify-by date passed: its owner hears it by mail, through the outbox.

The knowledge base publishes ``ArticleVerificationDue`` once per date (``kb.services.workflow``);
this subscriber writes one outbox row in that transaction, and the handler mails the owner in
their language after the commit. (The bell's notifications are about tickets only.)
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from atiende.accounts.models import User
from atiende.core.event_types import ArticleVerificationDue
from atiende.core.events import subscribe
from atiende.core.language import or_default
from atiende.outbox.registry import Delivery, handles
from atiende.outbox.services import enqueue

VERIFICATION_DUE = "notify.article_verification_due"


@subscribe(ArticleVerificationDue, in_transaction=True)
def verification_due(event: ArticleVerificationDue) -> None:
    enqueue(
        VERIFICATION_DUE,
        payload={
            "article_id": event.article_id,
            "translation_id": event.translation_id,
            "title": event.title,
            "owner_id": event.owner_id,
            "verify_by": event.verify_by,
        },
    )


@handles(VERIFICATION_DUE, atomic=False)
def mail_owner(effect: Delivery) -> None:
    """Mail the owner, if still an active agent with an address."""
    payload = effect.payload
    owner = User.objects.filter(pk=payload["owner_id"], is_active=True).first()
    if owner is None or not owner.is_agent or not owner.email:
        return
    with translation.override(or_default(owner.locale)):
        subject = _("Check the article “%(title)s”") % {"title": payload["title"]}
        body = _(
            "You own the knowledge-base article “%(title)s”. Its verify-by date "
            "(%(date)s) has passed: read it, update it if needed and set a new date.\n\n%(url)s"
        ) % {
            "title": payload["title"],
            "date": payload["verify_by"],
            "url": settings.ATIENDE_SITE_URL
            + reverse("kb-editor", args=[payload["translation_id"]]),
        }
    EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [owner.email]).send()
