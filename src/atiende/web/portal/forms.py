"""The portal's forms: they parse; ``tickets.services`` and ``accounts.services`` decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

MAX_FILES = 10


class ReplyForm(forms.Form):
    body = forms.CharField(
        label=_("Your reply"),
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": _("Write your reply before sending it.")},
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)


class VersionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)


class ProfileForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200, required=False)
    locale = forms.ChoiceField(
        label=_("Preferred language"),
        required=False,
        choices=[("", _("My browser's language")), ("es", "Español"), ("en", "English")],
    )
