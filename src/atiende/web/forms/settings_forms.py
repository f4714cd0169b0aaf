"""The form of the forms' settings page: it parses; ``intake.services`` decides."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from atiende.intake.models import Audience, Prefill
from atiende.tickets.models import TicketType


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


class FieldRowForm(forms.Form):
    """One field of the form, a row of the fields table (empty rows are ignored)."""

    position = forms.IntegerField(label=_("Order"), required=False, min_value=0)
    key = forms.ChoiceField(label=_("Field"), required=False)
    required = forms.BooleanField(label=_("Required"), required=False)
    label_es = forms.CharField(label=_("Label (Spanish)"), required=False, max_length=200)
    label_en = forms.CharField(label=_("Label (English)"), required=False, max_length=200)
    help_es = forms.CharField(label=_("Help (Spanish)"), required=False, max_length=500)
    help_en = forms.CharField(label=_("Help (English)"), required=False, max_length=500)
    prefill = forms.ChoiceField(
        label=_("Default from the profile"), required=False, choices=Prefill.choices
    )
    condition_field = forms.ChoiceField(label=_("Shown when the field"), required=False)
    condition_values = forms.CharField(
        label=_("has one of (comma-separated)"), required=False, max_length=1000
    )

    def __init__(self, *args: Any, keys: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("key", "condition_field"):
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)
            field.choices = [("", "—"), *keys]
        for name, field in self.fields.items():
            field.widget.attrs["aria-label"] = str(field.label)
            if name in ("label_es", "label_en", "help_es", "help_en", "condition_values"):
                field.widget.attrs["size"] = 14
        self.fields["position"].widget.attrs["class"] = "order"

    def as_raw(self) -> dict[str, Any] | None:
        """The row as the services take a field, or ``None`` for an empty or deleted row."""
        data = self.cleaned_data
        if not data or data.get("DELETE") or not data.get("key"):
            return None
        raw: dict[str, Any] = {
            name: data.get(name) or ""
            for name in ("key", "label_es", "label_en", "help_es", "help_en", "prefill")
        }
        raw["required"] = bool(data.get("required"))
        values = [v.strip() for v in (data.get("condition_values") or "").split(",") if v.strip()]
        if data.get("condition_field") or values:
            raw["condition"] = {"field": data.get("condition_field") or "", "values": values}
        return raw


class LabelledRows(forms.BaseFormSet[FieldRowForm]):
    """Rows whose "Delete" box is named for screen readers like the row's other cells."""

    def add_fields(self, form: FieldRowForm, index: int | None) -> None:
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].widget.attrs["aria-label"] = str(_("Delete"))


FieldRows = forms.formset_factory(FieldRowForm, formset=LabelledRows, extra=3, can_delete=True)
