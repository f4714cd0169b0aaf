"""Password reset and invitations: Django's token emails, sent in the recipient's language.

Only active staff with an email can reset a password here (the workspace sign-in is theirs);
an agent created without a password is invited through the same link to choose one.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth.forms import PasswordResetForm
from django.http import HttpRequest
from django.utils import translation

from atiende.accounts.models import Role, User, normalize_email

INVITATION_SUBJECT = "web/account/email/invitation_subject.txt"
INVITATION_BODY = "web/account/email/invitation.txt"
RESET_SUBJECT = "web/account/email/password_reset_subject.txt"
RESET_BODY = "web/account/email/password_reset.txt"


class StaffPasswordResetForm(PasswordResetForm):
    """Django's reset form, limited to active staff and written in each user's language."""

    def get_users(self, email: str) -> Iterable[User]:
        """Active agents and admins with this email, including invited ones without a password."""
        address = normalize_email(email)
        if not address:
            return []
        return User.objects.filter(
            email=address, is_active=True, role__in=[Role.ADMIN, Role.AGENT]
        ).iterator()

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        user = context.get("user")
        language = user.locale if isinstance(user, User) else translation.get_language()
        with translation.override(language):
            super().send_mail(
                subject_template_name,
                email_template_name,
                context,
                from_email,
                to_email,
                html_email_template_name,
            )


def send_invitation(request: HttpRequest, user: User) -> None:
    """Email a new agent the link to choose their password (nothing is sent without an email)."""
    if not user.email:
        return
    form = StaffPasswordResetForm({"email": user.email})
    if form.is_valid():
        form.save(
            request=request,
            use_https=request.is_secure(),
            subject_template_name=INVITATION_SUBJECT,
            email_template_name=INVITATION_BODY,
        )
