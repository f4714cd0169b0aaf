"""Password reset and invitations: Django's token emails, sent in the recipient's language.

Only active staff with an email can reset a password here (the workspace sign-in is theirs);
an agent created without a password is invited through the same link to choose one.

Neither is sent from the request: the view asks ``request_password_mail``, which writes an
outbox row, and the worker's handler (``send_password_mail``) renders and sends the mail. The
token is made when the mail is sent, so a retry carries a link that still works.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Literal

from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.tokens import default_token_generator
from django.contrib.sites.shortcuts import get_current_site
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template import loader
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from atiende.accounts.models import Role, User, normalize_email
from atiende.core.language import or_default
from atiende.outbox.registry import Delivery, handles
from atiende.outbox.services import enqueue

INVITATION_SUBJECT = "web/account/email/invitation_subject.txt"
INVITATION_BODY = "web/account/email/invitation.txt"
RESET_SUBJECT = "web/account/email/password_reset_subject.txt"
RESET_BODY = "web/account/email/password_reset.txt"

PASSWORD_MAIL = "account.password_mail"  # noqa: S105  (an effect kind, not a secret)
Template = Literal["invitation", "reset"]
TEMPLATES: dict[str, tuple[str, str]] = {
    "invitation": (INVITATION_SUBJECT, INVITATION_BODY),
    "reset": (RESET_SUBJECT, RESET_BODY),
}


def _staff() -> QuerySet[User]:
    return User.objects.filter(is_active=True, role__in=[Role.ADMIN, Role.AGENT])


@transaction.atomic
def request_password_mail(
    *, user_ids: Iterable[int], template: Template, protocol: str, domain: str
) -> int:
    """Promise each user the mail with a link to choose their password; returns how many.

    ``protocol`` and ``domain`` are the request's: the worker that sends has no request.
    """
    if template not in TEMPLATES:
        raise ValueError(f"unknown password mail {template!r}; known: {sorted(TEMPLATES)}")
    count = 0
    for user_id in user_ids:
        enqueue(
            PASSWORD_MAIL,
            payload={
                "user_id": user_id,
                "template": template,
                "protocol": protocol,
                "domain": domain,
            },
        )
        count += 1
    return count


@handles(PASSWORD_MAIL, atomic=False)
def send_password_mail(effect: Delivery) -> None:
    """Render and send one password mail in the user's language (an SMTP failure retries).

    Nothing is sent to a user who is no longer active staff with an email. A crash after the
    server accepted the mail may send it twice; both links work until one of them is used.
    """
    payload = effect.payload
    user = _staff().filter(pk=payload["user_id"]).first()
    if user is None or not user.email:
        return
    subject_template, body_template = TEMPLATES[payload["template"]]
    context = {
        "email": user.email,
        "domain": payload["domain"],
        "site_name": payload["domain"],
        "uid": urlsafe_base64_encode(force_bytes(user.pk)),
        "user": user,
        "token": default_token_generator.make_token(user),
        "protocol": payload["protocol"],
    }
    with translation.override(or_default(user.locale)):
        subject = "".join(loader.render_to_string(subject_template, context).splitlines())
        body = loader.render_to_string(body_template, context)
    EmailMultiAlternatives(subject, body, None, [user.email]).send()


class StaffPasswordResetForm(PasswordResetForm):
    """Django's reset form, limited to active staff; its mail goes through the outbox."""

    def get_users(self, email: str) -> Iterable[User]:
        """Active agents and admins with this email, including invited ones without a password."""
        address = normalize_email(email)
        if not address:
            return []
        return _staff().filter(email=address).iterator()

    def save(  # type: ignore[override]  # Django's keyword arguments, mostly fixed here
        self,
        domain_override: str | None = None,
        subject_template_name: str = RESET_SUBJECT,
        email_template_name: str = RESET_BODY,
        use_https: bool = False,
        request: HttpRequest | None = None,
        **_ignored: Any,
    ) -> None:
        """Promise the reset (or invitation) mail to each matching user; the worker sends it."""
        domain = domain_override or get_current_site(request).domain
        request_password_mail(
            user_ids=[user.pk for user in self.get_users(self.cleaned_data["email"])],
            template="invitation" if email_template_name == INVITATION_BODY else "reset",
            protocol="https" if use_https else "http",
            domain=domain,
        )


def send_invitation(request: HttpRequest, user: User) -> None:
    """Invite a new agent to choose their password (nothing is sent without an email)."""
    if user.email:
        request_password_mail(
            user_ids=[user.pk],
            template="invitation",
            protocol="https" if request.is_secure() else "http",
            domain=get_current_site(request).domain,
        )
