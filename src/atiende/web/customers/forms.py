"""Forms of the customers area: customers, identities, organizations, and their custom fields.

Forms only shape input; the accounts services validate it. A service's field errors come back
next to the fields through ``apply_service_errors``, custom fields included
(``custom_fields.<key>`` is shown beside the ``cf_<key>`` input).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from atiende.accounts.models import IdentityChannel, User
from atiende.core.errors import AtiendeError
from atiende.core.text import clean_text
from atiende.tickets.models import CustomField, CustomFieldTarget, CustomFieldType

PREFIX = "cf_"
LOCALES = [("en", _("English")), ("es", _("Spanish"))]
MAX_SEARCH = 200


def apply_service_errors(form: forms.Form, error: AtiendeError) -> None:
    """Each field error beside its input; the rest (or the reason, if none) above the form."""
    placed = False
    for item in error.errors:
        head, _dot, rest = item.field.partition(".")
        name = PREFIX + rest if head == "custom_fields" and rest else head
        if name == "organization_id":
            name = "organization"
        if name in form.fields:
            form.add_error(name, str(item.message))
            placed = True
    if not placed:
        form.add_error(None, str(error.detail))


class CustomFieldsMixin(forms.Form):
    """Adds one input per active custom field of ``target`` and reads them back."""

    target: CustomFieldTarget

    def __init__(self, *args: Any, current: dict[str, Any] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.definitions = list(CustomField.objects.filter(target=self.target, is_active=True))
        for definition in self.definitions:
            name = PREFIX + definition.key
            self.fields[name] = _field_for(definition)
            if current and definition.key in current and not self.is_bound:
                self.initial[name] = current[definition.key]

    @property
    def custom_field_names(self) -> list[str]:
        return [PREFIX + d.key for d in self.definitions]

    def custom_values(self) -> dict[str, Any]:
        """Values for the service: an empty input clears the field (``None``)."""
        values: dict[str, Any] = {}
        for definition in self.definitions:
            value = self.cleaned_data.get(PREFIX + definition.key)
            if definition.type == CustomFieldType.CHECKBOX:
                values[definition.key] = bool(value)
            else:
                values[definition.key] = value if value not in (None, "", []) else None
        return values


def _field_for(definition: CustomField) -> forms.Field:
    label = definition.name
    options = [(str(o), str(o)) for o in definition.options]
    kind = definition.type
    field: forms.Field
    if kind == CustomFieldType.CHECKBOX:
        field = forms.BooleanField(label=label, required=False)
    elif kind == CustomFieldType.SELECT:
        field = forms.ChoiceField(label=label, required=False, choices=[("", "—"), *options])
    elif kind == CustomFieldType.MULTISELECT:
        field = forms.MultipleChoiceField(
            label=label, required=False, choices=options, widget=forms.CheckboxSelectMultiple
        )
    elif kind == CustomFieldType.DATE:
        field = forms.CharField(
            label=label, required=False, widget=forms.DateInput(attrs={"type": "date"})
        )
    elif kind == CustomFieldType.NUMBER:
        field = forms.CharField(
            label=label,
            required=False,
            widget=forms.TextInput(attrs={"inputmode": "decimal"}),
        )
    else:
        field = forms.CharField(label=label, required=False, max_length=5000)
    if definition.required:
        field.help_text = _("Required.")
    return field


class CustomerForm(CustomFieldsMixin):
    target = CustomFieldTarget.USER

    name = forms.CharField(label=_("Name"), required=False, max_length=200)
    email = forms.CharField(
        label=_("Email"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    phone = forms.CharField(
        label=_("Phone"),
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )
    organization = forms.CharField(
        label=_("Organization"),
        required=False,
        max_length=200,
        help_text=_("The organization's exact name; empty for none."),
        widget=forms.TextInput(attrs={"list": "cx-organizations", "autocomplete": "off"}),
    )
    locale = forms.ChoiceField(
        label=_("Language"),
        choices=[("", _("Not chosen: the language of their messages or the default")), *LOCALES],
        required=False,
    )
    time_zone = forms.CharField(
        label=_("Time zone"),
        max_length=64,
        initial="UTC",
        help_text=_("A name such as Europe/Madrid."),
    )
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea)

    def __init__(self, *args: Any, organization_editable: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not organization_editable:
            # Shown, not editable: what is posted for it is ignored (Django's disabled field).
            self.fields["organization"].disabled = True
            self.fields["organization"].help_text = _(
                "Only an administrator can change the organization; a new customer joins the "
                "organization of their email's domain."
            )

    @classmethod
    def for_user(cls, user: User, *, organization_editable: bool = True) -> CustomerForm:
        initial = {
            "name": user.name,
            "email": user.email or "",
            "phone": user.phone,
            "organization": user.organization.name if user.organization else "",
            "locale": user.locale,
            "time_zone": user.time_zone,
            "notes": user.notes,
        }
        return cls(
            initial=initial,
            current=user.custom_fields,
            organization_editable=organization_editable,
        )


class IdentityForm(forms.Form):
    prefix = "identity"

    # A monitor's identity belongs to its alert account (made by the channel), not to a person.
    channel = forms.ChoiceField(
        label=_("Channel"),
        choices=[(v, label) for v, label in IdentityChannel.choices if v != IdentityChannel.ALERT],
    )
    value = forms.CharField(label=_("Address"), max_length=254)


class SearchForm(forms.Form):
    """The ``q`` and ``cursor`` of a list page; a query is cut and cleaned, never refused."""

    cursor = forms.CharField(required=False, max_length=500)

    def query(self) -> str:
        raw = self.data.get("q", "")
        return clean_text(raw if isinstance(raw, str) else "")[:MAX_SEARCH]

    def page_cursor(self) -> str | None:
        return (self.cleaned_data.get("cursor") or None) if self.is_valid() else None


class OrganizationForm(CustomFieldsMixin):
    target = CustomFieldTarget.ORGANIZATION

    name = forms.CharField(label=_("Name"), max_length=200)
    domains = forms.CharField(
        label=_("Email domains"),
        required=False,
        help_text=_("One per line, such as example.com. New customers from them join."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    shared_tickets = forms.BooleanField(
        label=_("Members see the organization's tickets"), required=False
    )
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea)

    def domain_list(self) -> list[str]:
        text = str(self.cleaned_data.get("domains") or "")
        return [d for d in text.replace(",", "\n").split() if d]
