"""Sign-in mail (reset links, sign-in codes, verification links) through the outbox.

allauth makes its secret (a reset token, a code, a confirmation key) in the request, so the
mail is rendered there, in the recipient's language, and the outbox row carries the finished
message; the worker's handler only sends it (an SMTP failure retries). The row holds the
secret until it is delivered: the same lifetime as the secret in the recipient's mailbox.
"""

from __future__ import annotations

from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.db import transaction

from atiende.outbox.registry import Delivery, handles
from atiende.outbox.services import enqueue

SIGN_IN_MAIL = "account.sign_in_mail"


def promise(message: EmailMessage) -> None:
    """Write the rendered ``message`` to the outbox; it is sent after the commit."""
    html = ""
    if isinstance(message, EmailMultiAlternatives):
        html = next((str(body) for body, kind in message.alternatives if kind == "text/html"), "")
    with transaction.atomic():
        enqueue(
            SIGN_IN_MAIL,
            payload={
                "to": list(message.to),
                "from": message.from_email,
                "subject": message.subject,
                "body": str(message.body),
                "html": html,
            },
        )


@handles(SIGN_IN_MAIL, atomic=False)
def send_sign_in_mail(effect: Delivery) -> None:
    """Send one sign-in mail as it was rendered."""
    payload = effect.payload
    message = EmailMultiAlternatives(
        payload["subject"], payload["body"], payload["from"], payload["to"]
    )
    if payload.get("html"):
        message.attach_alternative(payload["html"], "text/html")
    message.send()
