"""The preferences form: what everyone may change about themselves."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from atiende.web.setup.forms import LANGUAGES, set_choices, time_zone_choices


class PreferencesForm(forms.Form):
    name = forms.CharField(label=_("Display name"), max_length=200, required=False)
    locale = forms.ChoiceField(label=_("Language"), choices=LANGUAGES)
    time_zone = forms.ChoiceField(
        label=_("Time zone"), help_text=_("Dates and times are shown in this time zone.")
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "time_zone", time_zone_choices())


class OutOfOfficeForm(forms.Form):
    """A period away, in the agent's own time zone; the service checks the order, that it is
    not over and that it overlaps no other period."""

    starts_at = forms.DateTimeField(
        label=_("Starts"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    ends_at = forms.DateTimeField(
        label=_("Ends"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    note = forms.CharField(
        label=_("Note"),
        max_length=200,
        required=False,
        help_text=_("Only your team sees it, e.g. “Holidays”."),
    )
