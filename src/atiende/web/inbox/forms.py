"""Forms of the inbox: they parse and render input; ``tickets.saved_views`` decides what is valid.

Field names are the filter names of ``saved_views.FILTER_NAMES`` (the same as the API's query
parameters), so that ``apply_errors`` puts each service error next to its field.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django import forms
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext_lazy as _

from atiende.tickets import custom_filters
from atiende.tickets.custom_fields import definitions
from atiende.tickets.models import (
    Channel,
    CustomField,
    CustomFieldTarget,
    CustomFieldType,
    StatusCategory,
)
from atiende.tickets.saved_views import (
    COLUMNS,
    DEFAULT_COLUMNS,
    DEFAULT_SORT,
    INBOX_SORTS,
    MAX_DAYS,
    MAX_NAME,
    MAX_QUERY,
    ME,
    SLA_STATES,
    UNASSIGNED,
    FilterChoices,
)
from atiende.tickets.services.bulk import MAX_BULK_IDS


class TagsInput(forms.TextInput):
    """One text box for a repeated ``tag`` parameter: ``tag=a&tag=b`` shows as ``a, b``."""

    def value_from_datadict(
        self, data: Mapping[str, Any], files: MultiValueDict[str, Any], name: str
    ) -> Any:
        if isinstance(data, MultiValueDict):
            return ", ".join(v for v in data.getlist(name) if v.strip())
        return data.get(name)


class IdListField(forms.Field):
    """A repeated ``ids`` parameter: ticket ids as whole numbers."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value: Any) -> list[int]:
        values = value if isinstance(value, list | tuple) else ([value] if value else [])
        try:
            ids = [int(v) for v in values]
        except (TypeError, ValueError):
            raise forms.ValidationError(_("Ticket ids must be whole numbers.")) from None
        if any(not 0 < i < 2**63 for i in ids):
            raise forms.ValidationError(_("Ticket ids must be whole numbers."))
        return list(dict.fromkeys(ids))


class PeopleInput(forms.TextInput):
    """A text box with suggestions (an ARIA combobox, ``web/people_filter.js``) that fills in
    the id filter next to it; without JavaScript the server looks the text up."""

    def __init__(self, kind: str) -> None:
        super().__init__(
            attrs={
                "role": "combobox",
                "aria-autocomplete": "list",
                "aria-expanded": "false",
                "aria-controls": f"id_{kind}-options",
                "autocomplete": "off",
                "data-people": kind,
                "data-people-id": f"id_{kind}_id",
            }
        )


def _choices(form: forms.Form, name: str, choices: list[tuple[Any, Any]]) -> None:
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    field.choices = choices


class FilterForm(forms.Form):
    """The list's filters, its columns and its sort, as a GET form."""

    q = forms.CharField(
        label=_("Text"),
        required=False,
        max_length=MAX_QUERY,
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    status_category = forms.MultipleChoiceField(
        label=_("Status category"),
        required=False,
        choices=StatusCategory.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    status = forms.MultipleChoiceField(
        label=_("Status"), required=False, widget=forms.CheckboxSelectMultiple
    )
    priority = forms.MultipleChoiceField(
        label=_("Priority"), required=False, widget=forms.CheckboxSelectMultiple
    )
    channel = forms.MultipleChoiceField(
        label=_("Channel"),
        required=False,
        choices=Channel.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    group_id = forms.ChoiceField(label=_("Group"), required=False)
    assignee = forms.ChoiceField(label=_("Assignee"), required=False)
    tag = forms.CharField(
        label=_("Tags"),
        required=False,
        help_text=_("Separate tags with commas; a ticket must carry all of them."),
        widget=TagsInput,
    )
    requester = forms.CharField(
        label=_("Requester"),
        required=False,
        max_length=200,
        help_text=_("Name or email; pick from the suggestions."),
        widget=PeopleInput("requester"),
    )
    requester_id = forms.CharField(label=_("Requester"), required=False, widget=forms.HiddenInput)
    organization = forms.CharField(
        label=_("Organization"),
        required=False,
        max_length=200,
        help_text=_("Name or email domain; pick from the suggestions."),
        widget=PeopleInput("organization"),
    )
    organization_id = forms.CharField(
        label=_("Organization"), required=False, widget=forms.HiddenInput
    )
    created_after = forms.CharField(
        label=_("Created from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    created_before = forms.CharField(
        label=_("Created before"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    updated_after = forms.CharField(
        label=_("Updated from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    updated_before = forms.CharField(
        label=_("Updated before"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    solved_since_days = forms.CharField(
        label=_("Solved in the last days"),
        required=False,
        widget=forms.NumberInput(attrs={"min": 1, "max": MAX_DAYS}),
    )
    sla = forms.ChoiceField(
        label=_("SLA"),
        required=False,
        choices=[("", _("Any")), *SLA_STATES.items()],
    )
    sort = forms.ChoiceField(label=_("Sort"), required=False, choices=list(INBOX_SORTS.items()))
    columns = forms.MultipleChoiceField(
        label=_("Columns"),
        required=False,
        choices=list(COLUMNS.items()),
        widget=forms.CheckboxSelectMultiple,
    )

    # Single-line fields first, then the lists of choices, so the grid packs tightly.
    field_order = [
        "q",
        "group_id",
        "assignee",
        "tag",
        "requester",
        "requester_id",
        "organization",
        "organization_id",
        "created_after",
        "created_before",
        "updated_after",
        "updated_before",
        "solved_since_days",
        "sla",
        "sort",
        "status_category",
        "status",
        "priority",
        "channel",
        "columns",
    ]

    def __init__(self, *args: Any, choices: FilterChoices, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "status", list(choices.statuses))
        _choices(self, "priority", list(choices.priorities))
        _choices(self, "group_id", [("", _("Any group")), *choices.groups])
        _choices(
            self,
            "assignee",
            [("", _("Anyone")), (ME, _("Me")), (UNASSIGNED, _("Unassigned")), *choices.agents],
        )

        for field in definitions(CustomFieldTarget.TICKET).values():
            self.fields[custom_filters.PREFIX + field.key] = _custom_field(field)

    def sort_value(self) -> str:
        return str(self.cleaned_data.get("sort") or DEFAULT_SORT)

    def column_values(self) -> list[str]:
        return list(self.cleaned_data.get("columns") or DEFAULT_COLUMNS)


def _custom_field(field: CustomField) -> forms.Field:
    """A filter for one ticket custom field; checked again by ``custom_filters``."""
    label = str(field.name)
    kind = field.type
    if kind in (CustomFieldType.SELECT, CustomFieldType.MULTISELECT):
        choices = [("", _("Any")), *((str(o), str(o)) for o in field.options)]
        return forms.ChoiceField(label=label, required=False, choices=choices)
    if kind == CustomFieldType.CHECKBOX:
        choices = [("", _("Any")), (custom_filters.TRUE, _("Yes")), (custom_filters.FALSE, _("No"))]
        return forms.ChoiceField(label=label, required=False, choices=choices)
    widgets: dict[str, forms.Widget] = {
        CustomFieldType.NUMBER: forms.NumberInput(attrs={"step": "any"}),
        CustomFieldType.DATE: forms.DateInput(attrs={"type": "date"}),
    }
    return forms.CharField(
        label=label,
        required=False,
        max_length=custom_filters.MAX_VALUE,
        widget=widgets.get(kind, forms.TextInput),
        help_text=_("Tickets whose field contains this text.")
        if kind == CustomFieldType.TEXT
        else "",
    )


class SavedViewForm(FilterForm):
    """A saved view: its name and sharing, then the same filters, columns and sort."""

    name = forms.CharField(label=_("Name"), max_length=MAX_NAME)
    shared = forms.BooleanField(
        label=_("Share with the team"),
        required=False,
        help_text=_("Everyone sees it; each person still sees only the tickets they can open."),
    )
    field_order = ["name", "shared", *FilterForm.field_order]


class BulkForm(forms.Form):
    """One action on the selected tickets; the button pressed names the action."""

    ACTIONS = ("assign", "status", "priority", "tags", "merge", "close", "macro")

    ids = IdListField(required=False)
    action = forms.ChoiceField(
        choices=[(a, a) for a in ACTIONS],
        error_messages={"required": _("Choose an action."), "invalid_choice": _("Unknown action.")},
    )
    assignee = forms.ChoiceField(label=_("Assign to"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False)
    priority = forms.ChoiceField(label=_("Priority"), required=False)
    add_tags = forms.CharField(label=_("Add tags"), required=False, max_length=1000)
    remove_tags = forms.CharField(label=_("Remove tags"), required=False, max_length=1000)
    merge_target = forms.IntegerField(
        label=_("Merge into ticket number"), required=False, min_value=1
    )
    macro = forms.TypedChoiceField(label=_("Macro"), coerce=int, empty_value=None, required=False)

    def __init__(
        self,
        *args: Any,
        choices: FilterChoices,
        macros: Sequence[tuple[int, str]] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "macro", [("", "—"), *[(str(pk), name) for pk, name in macros]])
        _choices(
            self,
            "assignee",
            [
                ("", "—"),
                (ME, _("Me")),
                (UNASSIGNED, _("Nobody")),
                *[(str(pk), name) for pk, name in choices.agents],
            ],
        )
        _choices(self, "status", [("", "—"), *choices.statuses])
        _choices(self, "priority", [("", "—"), *choices.priorities])

    def clean_ids(self) -> list[int]:
        ids: list[int] = self.cleaned_data.get("ids") or []
        if not ids:
            raise forms.ValidationError(_("Select at least one ticket."))
        if len(ids) > MAX_BULK_IDS:
            raise forms.ValidationError(
                _("Select at most %(max)d tickets at a time.") % {"max": MAX_BULK_IDS}
            )
        return ids

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        needs = {
            "assign": ("assignee", _("Choose who gets the tickets.")),
            "status": ("status", _("Choose a status.")),
            "priority": ("priority", _("Choose a priority.")),
            "merge": ("merge_target", _("Enter the number of the ticket to merge into.")),
            "macro": ("macro", _("Choose a macro.")),
        }
        action = data.get("action")
        if action in needs:
            name, message = needs[action]
            if data.get(name) in (None, ""):
                self.add_error(name, message)
        if action == "tags" and not (data.get("add_tags") or data.get("remove_tags")):
            self.add_error("add_tags", _("Enter tags to add or to remove."))
        return data


def tag_list(text: str) -> list[str]:
    return [t.strip() for t in (text or "").split(",") if t.strip()]
