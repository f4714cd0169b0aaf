"""The results page's query and filters. A bad filter is shown by its field and ignored."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from atiende.core.text import clean_text
from atiende.tickets.models import Channel, StatusCategory

MAX_QUERY = 200
TABS = ("tickets", "customers", "organizations")


class SearchPageForm(forms.Form):
    tab = forms.ChoiceField(
        required=False,
        choices=[
            ("tickets", _("Tickets")),
            ("customers", _("Customers")),
            ("organizations", _("Organizations")),
        ],
    )
    status_category = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any")), *StatusCategory.choices]
    )
    group = forms.TypedChoiceField(label=_("Group"), required=False, coerce=int, empty_value=None)
    channel = forms.ChoiceField(
        label=_("Channel"), required=False, choices=[("", _("Any")), *Channel.choices]
    )
    created_from = forms.DateField(
        label=_("Created from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    created_to = forms.DateField(
        label=_("Created to"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    cursor = forms.CharField(required=False, max_length=500, widget=forms.HiddenInput)

    def __init__(self, *args: Any, groups: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        group_field = self.fields["group"]
        assert isinstance(group_field, forms.TypedChoiceField)
        group_field.choices = [("", _("Any")), *groups]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("created_from"), data.get("created_to")
        if start and end and start > end:
            self.add_error("created_to", _("The end date is before the start date."))
        return data

    def value(self, name: str) -> Any:
        """A filter's value, or empty when it was invalid."""
        if not hasattr(self, "cleaned_data"):
            self.is_valid()
        return self.cleaned_data.get(name) if name not in self.errors else None

    @property
    def query(self) -> str:
        """What was typed, cut and cleaned but never refused: search treats it as plain text."""
        raw = self.data.get("q", "")
        return clean_text(raw if isinstance(raw, str) else "")[:MAX_QUERY]

    @property
    def active_tab(self) -> str:
        tab = self.value("tab")
        return tab if tab in TABS else "tickets"

    def created_range(self) -> tuple[datetime.datetime | None, datetime.datetime | None]:
        """The dates as a half-open range of instants in the viewer's time zone."""
        zone = timezone.get_current_timezone()
        start, end = self.value("created_from"), self.value("created_to")
        after = datetime.datetime.combine(start, datetime.time.min, zone) if start else None
        before = (
            datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min, zone)
            if end
            else None
        )
        return after, before

    @property
    def has_filters(self) -> bool:
        return any(
            self.value(name)
            for name in ("status_category", "group", "channel", "created_from", "created_to")
        )
