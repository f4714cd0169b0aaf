"""The form of the forms' settings page: it parses; ``intake.services`` decides."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from atiende.intake.models import Audience
from atiende.tickets.models import TicketType

FIELDS_HELP = _(
    'One object per field, in order: {"key": "subject", "required": true, "label_es": "…", '
    '"help_en": "…", "prefill": "name", "condition": {"field": "custom_fields.product", '
    '"values": ["printer"]}}. Keys: subject, description, attachments, name, email, '
    "custom_fields.<key>."
)


class FormSettingsForm(forms.Form):
    slug = forms.CharField(label=_("Slug"), max_length=60)
    name_es = forms.CharField(label=_("Name (Spanish)"), max_length=100, required=False)
    name_en = forms.CharField(label=_("Name (English)"), max_length=100, required=False)
    intro_es = forms.CharField(
        label=_("Introduction (Spanish)"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    intro_en = forms.CharField(
        label=_("Introduction (English)"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    audience = forms.ChoiceField(label=_("Who may use it"), choices=Audience.choices)
    position = forms.IntegerField(label=_("Position"), min_value=0, initial=0)
    group_id = forms.TypedChoiceField(
        label=_("Group of the new tickets"),
        coerce=int,
        empty_value=None,
        required=False,
    )
    ticket_type = forms.ChoiceField(
        label=_("Type of the new tickets"),
        required=False,
        choices=[("", _("Default")), *TicketType.choices],
    )
    priority = forms.ChoiceField(label=_("Priority of the new tickets"), required=False)
    language = forms.ChoiceField(
        label=_("Language of the acknowledgement"),
        required=False,
        choices=[("", _("The visitor's own")), ("es", _("Spanish")), ("en", _("English"))],
    )
    allowed_origins = forms.CharField(
        label=_("Sites allowed to embed it"),
        required=False,
        help_text=_("One per line, such as https://www.example.com. Empty: any site."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    min_fill_seconds = forms.IntegerField(
        label=_("Minimum seconds to fill it in"), min_value=0, max_value=600, initial=3
    )
    fields_json = forms.CharField(
        label=_("Fields"),
        help_text=FIELDS_HELP,
        widget=forms.Textarea(attrs={"rows": 14, "class": "mono"}),
    )

    def __init__(self, *args: Any, groups: list[tuple[Any, str]], priorities: list[tuple[str, str]],
                 **kwargs: Any) -> None:  # fmt: skip
        super().__init__(*args, **kwargs)
        group_field = self.fields["group_id"]
        assert isinstance(group_field, forms.ChoiceField)
        group_field.choices = [("", _("None")), *groups]
        priority_field = self.fields["priority"]
        assert isinstance(priority_field, forms.ChoiceField)
        priority_field.choices = [("", _("Default")), *priorities]

    def clean_allowed_origins(self) -> list[str]:
        return [
            line.strip()
            for line in self.cleaned_data["allowed_origins"].splitlines()
            if line.strip()
        ]

    def clean_fields_json(self) -> list[Any]:
        try:
            value = json.loads(self.cleaned_data["fields_json"])
        except ValueError:
            raise forms.ValidationError(_("Write the fields as a JSON list.")) from None
        if not isinstance(value, list):
            raise forms.ValidationError(_("Write the fields as a JSON list."))
        return value
