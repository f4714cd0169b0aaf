"""Invitations: a new agent chooses their password through allauth's reset link.

The invitation is not sent from the request: ``send_invitation`` writes an outbox row and the
worker's handler (``send_invitation_mail``) renders and sends the mail in the agent's language.
The token is made when the mail is sent, so a retry carries a link that still works; it is
allauth's reset token (single use, ``PASSWORD_RESET_TIMEOUT``), the same a reset would mail.
Password resets themselves are allauth's (``/accounts/password/reset/``).
"""

from __future__ import annotations

from allauth.account.forms import default_token_generator
from allauth.account.utils import user_pk_to_url_str
from django.contrib.sites.shortcuts import get_current_site
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.http import HttpRequest
from django.template import loader
from django.urls import reverse
from django.utils import translation

from atiende.accounts.models import Role, User
from atiende.core.language import or_default
from atiende.outbox.registry import Delivery, handles
from atiende.outbox.services import enqueue

INVITATION_SUBJECT = "web/account/email/invitation_subject.txt"
INVITATION_BODY = "web/account/email/invitation.txt"
INVITATION_MAIL = "account.password_mail"  # the kind rows already queued carry


@transaction.atomic
def send_invitation(request: HttpRequest, user: User) -> None:
    """Invite a new agent to choose their password (nothing is sent without an email)."""
    if user.email:
        enqueue(
            INVITATION_MAIL,
            payload={
                "user_id": user.pk,
                "template": "invitation",
                "protocol": "https" if request.is_secure() else "http",
                "domain": get_current_site(request).domain,
            },
        )


@handles(INVITATION_MAIL, atomic=False)
def send_invitation_mail(effect: Delivery) -> None:
    """Render and send one invitation in the agent's language (an SMTP failure retries).

    Nothing is sent to a user who is no longer active staff with an email. A crash after the
    server accepted the mail may send it twice; both links work until one of them is used.
    """
    payload = effect.payload
    staff = User.objects.filter(is_active=True, role__in=[Role.ADMIN, Role.AGENT])
    user = staff.filter(pk=payload["user_id"]).first()
    if user is None or not user.email:
        return
    token = default_token_generator.make_token(user)
    path = reverse(
        "account_reset_password_from_key", kwargs={"uidb36": user_pk_to_url_str(user), "key": token}
    )
    base = f"{payload['protocol']}://{payload['domain']}"
    context = {"user": user, "link": base + path, "sign_in": base + reverse("account_login")}
    with translation.override(or_default(user.locale)):
        subject = "".join(loader.render_to_string(INVITATION_SUBJECT, context).splitlines())
        body = loader.render_to_string(INVITATION_BODY, context)
    EmailMultiAlternatives(subject, body, None, [user.email]).send()
