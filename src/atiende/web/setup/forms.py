"""Forms of the settings pages: they parse input; the services decide what is valid.

Field names match the services' field names (``parent_id``, ``member_ids``, ``allowed_next``…)
so that ``apply_errors`` puts each service error next to its field.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from atiende.accounts.models import Role
from atiende.core.services import time_zones
from atiende.tickets.models import CustomFieldTarget, CustomFieldType, StatusCategory

LANGUAGES = [("en", _("English")), ("es", _("Spanish"))]
# For someone else: leaving it unchosen lets them follow their browser until they choose.
LANGUAGES_OR_UNCHOSEN = [("", _("Not chosen: their browser’s language")), *LANGUAGES]
STAFF_ROLE_CHOICES = [(Role.AGENT.value, Role.AGENT.label), (Role.ADMIN.value, Role.ADMIN.label)]


def set_choices(form: forms.Form, name: str, choices: list[tuple[Any, Any]]) -> None:
    """Fill a choice field's options when the form is built (they come from the database)."""
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    field.choices = choices


def time_zone_choices() -> list[tuple[str, str]]:
    return [(name, name) for name in sorted(time_zones())]


class GroupForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=150)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    email = forms.CharField(
        label=_("Email"),
        required=False,
        help_text=_("The team's own address, if it has one."),
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    member_ids = forms.TypedMultipleChoiceField(
        label=_("Members"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, members: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "member_ids", members)


class AgentForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    email = forms.CharField(
        label=_("Email"), widget=forms.EmailInput(attrs={"autocomplete": "off"})
    )
    role = forms.ChoiceField(label=_("Role"), choices=STAFF_ROLE_CHOICES)
    group_ids = forms.TypedMultipleChoiceField(
        label=_("Groups"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )
    locale = forms.ChoiceField(label=_("Language"), choices=LANGUAGES_OR_UNCHOSEN, required=False)
    time_zone = forms.ChoiceField(label=_("Time zone"))
    two_factor_required = forms.BooleanField(
        label=_("Require two-factor sign-in"),
        help_text=_("They set up an authenticator app before they can use the workspace."),
        required=False,
    )

    def __init__(self, *args: Any, groups: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "group_ids", groups)
        set_choices(self, "time_zone", time_zone_choices())


# Far above any real workload: a larger number is a typo, not a limit (blank: no limit).
MAX_CAPACITY = 10_000
MAX_CHAT_CAPACITY = 100


def _capacity_field(label: Any, help_text: Any, limit: int) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        required=False,
        min_value=0,
        max_value=limit,
        help_text=help_text,
        widget=forms.NumberInput(attrs={"min": 0, "max": limit, "step": 1, "inputmode": "numeric"}),
        error_messages={
            "invalid": _("Give a whole number, or leave it empty for no limit."),
            "min_value": _("The capacity must be 0 or more."),
            "max_value": _("At most %(limit_value)s; leave it empty for no limit."),
        },
    )


class CapacityForm(forms.Form):
    """An agent's capacities for assignment (``accounts.services.update_availability``)."""

    capacity = _capacity_field(
        _("Ticket capacity"),
        _(
            "The most open tickets assignment gives this agent at once, chats apart. "
            "Empty: no limit; 0: no new tickets."
        ),
        MAX_CAPACITY,
    )
    chat_capacity = _capacity_field(
        _("Chat capacity"),
        _(
            "The most live chats assigned to this agent at once, besides their tickets. "
            "Empty: no limit; 0: no chats."
        ),
        MAX_CHAT_CAPACITY,
    )


class NewAgentForm(AgentForm):
    send_invitation = forms.BooleanField(
        label=_("Email an invitation to choose a password"), required=False, initial=True
    )


class StatusForm(forms.Form):
    key = forms.CharField(
        label=_("Key"),
        max_length=40,
        help_text=_("Lower-case letters, digits, '-' or '_'; used by the API and rules."),
    )
    name_en = forms.CharField(label=_("Name (English)"), max_length=100)
    name_es = forms.CharField(label=_("Name (Spanish)"), max_length=100, required=False)
    category = forms.ChoiceField(label=_("Category"), choices=StatusCategory.choices)
    order = forms.IntegerField(label=_("Order"), min_value=0, initial=0)
    is_default = forms.BooleanField(label=_("Default for new tickets"), required=False)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    allowed_next = forms.MultipleChoiceField(
        label=_("May move to"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: any status."),
    )

    def __init__(self, *args: Any, statuses: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "allowed_next", statuses)


class PriorityForm(forms.Form):
    key = forms.CharField(label=_("Key"), max_length=40)
    name_en = forms.CharField(label=_("Name (English)"), max_length=100)
    name_es = forms.CharField(label=_("Name (Spanish)"), max_length=100, required=False)
    order = forms.IntegerField(
        label=_("Order"), min_value=0, initial=0, help_text=_("Higher is more urgent.")
    )
    color = forms.CharField(
        label=_("Colour"), initial="#6c757d", widget=forms.TextInput(attrs={"type": "color"})
    )
    is_default = forms.BooleanField(
        label=pgettext_lazy("feminine", "Default for new tickets"), required=False
    )


class TagForm(forms.Form):
    name = forms.CharField(label=_("New tag"), max_length=200)


class CategoryForm(forms.Form):
    name_en = forms.CharField(label=_("Name (English)"), max_length=100)
    name_es = forms.CharField(label=_("Name (Spanish)"), max_length=100, required=False)
    parent_id = forms.TypedChoiceField(
        label=_("Inside"), coerce=int, empty_value=None, required=False
    )
    is_active = forms.BooleanField(
        label=pgettext_lazy("feminine", "Active"), required=False, initial=True
    )

    def __init__(self, *args: Any, parents: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "parent_id", [("", _("(top level)")), *parents])


class CustomFieldForm(forms.Form):
    name_en = forms.CharField(label=_("Name (English)"), max_length=100)
    name_es = forms.CharField(label=_("Name (Spanish)"), max_length=100, required=False)
    options = forms.CharField(
        label=_("Options"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("For select fields: one option per line."),
    )
    required = forms.BooleanField(label=_("Required"), required=False)
    is_identifier = forms.BooleanField(
        label=_("Identifies the record"),
        required=False,
        help_text=_("Searchable as an identifier, such as a tax id."),
    )
    order = forms.IntegerField(label=_("Order"), min_value=0, initial=0)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def clean_options(self) -> list[str]:
        text: str = self.cleaned_data.get("options") or ""
        return [line.strip() for line in text.splitlines() if line.strip()]


class NewCustomFieldForm(CustomFieldForm):
    target = forms.ChoiceField(label=_("Applies to"), choices=CustomFieldTarget.choices)
    key = forms.CharField(label=_("Key"), max_length=60)
    type = forms.ChoiceField(label=_("Type"), choices=CustomFieldType.choices)

    field_order = ["target", "key", "type", "name_en", "name_es", "options"]


class CannedResponseForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    body = forms.CharField(
        label=_("Text"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Placeholders such as {{ ticket.number }} are filled in when used."),
    )
    group_id = forms.TypedChoiceField(
        label=_("Group"), coerce=int, empty_value=None, required=False
    )
    is_active = forms.BooleanField(
        label=pgettext_lazy("feminine", "Active"), required=False, initial=True
    )

    def __init__(self, *args: Any, groups: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "group_id", [("", _("Every group")), *groups])
