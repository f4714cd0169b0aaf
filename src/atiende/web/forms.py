"""Sign-in for the agent workspace: staff only."""

from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from atiende.accounts.models import User


class StaffSignInForm(AuthenticationForm):
    """Email and password; customers are told this door is not theirs."""

    username = forms.EmailField(
        label=_("Email"),
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("The email or password is not correct."),
        "staff_only": _(
            "This sign-in is for the support team. Customers can follow their requests "
            "through the links in our emails."
        ),
    }

    def confirm_login_allowed(self, user: User) -> None:
        super().confirm_login_allowed(user)
        if not user.is_agent:
            raise forms.ValidationError(self.error_messages["staff_only"], code="staff_only")
