"""How Atiende tailors allauth: no self sign-up, mail through the outbox, verified addresses.

- Nobody signs up here: people are created by admins, agents and the channels.
- Every mail allauth sends (reset link, sign-in code, verification link, "no account with
  this address") is rendered in the recipient's language and promised to the outbox.
- A confirmed address, or a sign-in by emailed code, marks the user's email verified through
  ``accounts.services.mark_email_verified``: from then on organization sharing applies.
- Staff land in the workspace, customers in the portal (``/portal/``).
"""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.authentication import get_authentication_records
from allauth.account.models import EmailAddress
from django.contrib.sites.shortcuts import get_current_site
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy

from atiende.accounts.models import User
from atiende.accounts.services import mark_email_verified
from atiende.core.language import or_default
from atiende.web.signin import mail


class AccountAdapter(DefaultAccountAdapter):
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        # The workspace's words since before allauth (already translated).
        "email_password_mismatch": gettext_lazy("The email or password is not correct."),
    }

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        """Closed: accounts are made by admins, agents and the channels, never by visitors."""
        return False

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        """Render in the recipient's language (the visitor's when no account is known)."""
        user = context.get("user")
        language = or_default(user.locale) if isinstance(user, User) and user.locale else None
        with translation.override(language or translation.get_language()):
            request = self.request
            full = {"request": request, "email": email, "current_site": get_current_site(request)}
            full.update(context)
            message = self.render_mail(template_prefix, email, full)
        mail.promise(message)

    def get_login_redirect_url(self, request: HttpRequest) -> str:
        user = request.user
        if isinstance(user, User) and user.is_agent:
            return str(super().get_login_redirect_url(request))
        return reverse("portal")

    def confirm_email(self, request: HttpRequest, email_address: EmailAddress) -> bool:
        """allauth marks its mirror row; our user's address is marked verified with it."""
        confirmed = bool(super().confirm_email(request, email_address))
        user = email_address.user
        if confirmed and isinstance(user, User) and _same(user.email, email_address.email):
            mark_email_verified(user)
        return confirmed

    def post_login(self, request: HttpRequest, user: Any, **kwargs: Any) -> HttpResponse:
        """A code mailed to the address proves it; so does an agent's own sign-in."""
        response: HttpResponse = super().post_login(request, user, **kwargs)
        if isinstance(user, User):
            by_code = any(
                record.get("method") == "code" and _same(record.get("email"), user.email)
                for record in get_authentication_records(request, user)
            )
            if by_code or user.is_agent:
                mark_email_verified(user)
        return response


def _same(one: object, other: object) -> bool:
    return isinstance(one, str) and isinstance(other, str) and one.lower() == other.lower()
