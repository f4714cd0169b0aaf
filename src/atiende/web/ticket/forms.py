"""Forms of the ticket page: one small form per header field, the composer, time, new ticket.

Forms only parse what the browser sent; the services decide what is allowed and their errors
are shown next to these fields (``apply_errors``).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from atiende.accounts.models import User
from atiende.tickets.models import Channel, CustomField, CustomFieldType, Ticket, TicketType
from atiende.tickets.services.time import MAX_ENTRY_SECONDS, MAX_NOTE
from atiende.web.ticket import page

# Header fields editable in place: URL name → (label, form field name, service change key).
FIELDS: dict[str, tuple[Any, str]] = {
    "subject": (_("Subject"), "subject"),
    "status": (_("Status"), "status"),
    "priority": (_("Priority"), "priority"),
    "type": (_("Type"), "type"),
    "group": (_("Group"), "group_id"),
    "assignee": (_("Assignee"), "assignee_id"),
    "category": (_("Category"), "category_id"),
    "tags": (_("Tags"), "tags"),
    "custom_fields": (_("Fields"), "custom_fields"),
}

# Channels an agent records a conversation from when opening a ticket for a customer.
AGENT_CHANNELS = (
    Channel.PHONE,
    Channel.IN_PERSON,
    Channel.EMAIL,
    Channel.CHAT,
    Channel.WHATSAPP,
    Channel.SMS,
    Channel.SOCIAL,
    Channel.WEB,
)


def _optional_id(value: str) -> int | None:
    return int(value) if value else None


class VersionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


def field_form(
    name: str, ticket: Ticket, data: Any = None, version: int | None = None
) -> forms.Form:
    """The edit form of header field ``name`` with the choices it may take now."""
    initial: dict[str, Any] = {"version": version or ticket.version}
    form = VersionForm(data, initial=initial, auto_id="edit-%s")
    label, key = FIELDS[name]
    field: forms.Field
    if name == "subject":
        field = forms.CharField(label=label, max_length=255)
        initial[key] = ticket.subject
    elif name == "status":
        statuses = page.next_statuses(ticket)
        field = forms.CharField(
            label=label, widget=forms.Select(choices=[(s.key, s.name) for s in statuses])
        )
        initial[key] = ticket.status.key
    elif name == "priority":
        field = forms.CharField(
            label=label,
            widget=forms.Select(choices=[(p.key, p.name) for p in page.priorities()]),
        )
        initial[key] = ticket.priority.key
    elif name == "type":
        field = forms.ChoiceField(label=label, choices=TicketType.choices)
        initial[key] = ticket.type
    elif name == "group":
        field = forms.TypedChoiceField(
            label=label,
            required=False,
            coerce=int,
            empty_value=None,
            choices=[("", _("(none)"))] + [(g.pk, g.name) for g in page.groups()],
        )
        initial[key] = ticket.group_id
    elif name == "assignee":
        field = forms.TypedChoiceField(
            label=label,
            required=False,
            coerce=int,
            empty_value=None,
            choices=[("", _("(unassigned)"))]
            + [(a.pk, a.display_name) for a in page.agents_for(ticket.group_id)],
        )
        initial[key] = ticket.assignee_id
    elif name == "category":
        field = forms.TypedChoiceField(
            label=label,
            required=False,
            coerce=int,
            empty_value=None,
            choices=[("", pgettext_lazy("feminine", "(none)"))]
            + [(c.pk, c.name) for c in page.categories()],
        )
        initial[key] = ticket.category_id
    elif name == "tags":
        field = forms.CharField(
            label=label,
            required=False,
            max_length=2000,
            help_text=_("Separate tags with commas."),
        )
        initial[key] = ", ".join(t.name for t in ticket.tags.all())
    else:
        for definition in page.custom_field_defs():
            form.fields[f"cf.{definition.key}"] = custom_field(definition)
            initial[f"cf.{definition.key}"] = ticket.custom_fields.get(definition.key)
        return form
    form.fields[key] = field
    return form


def custom_field(definition: CustomField) -> forms.Field:
    """A form field for one custom field definition (the service checks values again)."""
    label = definition.name
    options = [(str(o), str(o)) for o in definition.options]
    kind = definition.type
    if kind == CustomFieldType.NUMBER:
        return forms.DecimalField(label=label, required=False)
    if kind == CustomFieldType.DATE:
        return forms.DateField(
            label=label, required=False, widget=forms.DateInput(attrs={"type": "date"})
        )
    if kind == CustomFieldType.CHECKBOX:
        return forms.BooleanField(label=label, required=False)
    if kind == CustomFieldType.SELECT:
        return forms.ChoiceField(label=label, required=False, choices=[("", "—"), *options])
    if kind == CustomFieldType.MULTISELECT:
        return forms.MultipleChoiceField(
            label=label, required=False, choices=options, widget=forms.CheckboxSelectMultiple
        )
    return forms.CharField(label=label, required=False, widget=forms.Textarea(attrs={"rows": 2}))


def changes_from(name: str, form: forms.Form) -> dict[str, Any]:
    """The ``update_ticket`` changes a valid field form asks for."""
    data = form.cleaned_data
    if name == "tags":
        return {"tags": [t for t in (p.strip() for p in data["tags"].split(",")) if t]}
    if name == "custom_fields":
        values: dict[str, Any] = {}
        for key, value in data.items():
            if not key.startswith("cf."):
                continue
            if value in (None, "", []):
                values[key[3:]] = None
            elif hasattr(value, "isoformat"):
                values[key[3:]] = value.isoformat()
            elif isinstance(value, bool):
                values[key[3:]] = value
            else:
                values[key[3:]] = value if not hasattr(value, "as_tuple") else str(value)
        return {"custom_fields": values}
    key = FIELDS[name][1]
    return {key: data[key]}


class ComposerForm(forms.Form):
    """A reply or an internal note, with what the agent saw when writing it."""

    body = forms.CharField(
        label=_("Message"),
        required=False,
        strip=False,
        widget=forms.Textarea(
            attrs={"rows": 6, "data-composer": "", "aria-describedby": "composer-body-help"}
        ),
    )
    public = forms.TypedChoiceField(
        label=_("Kind"),
        choices=[("1", _("Public reply")), ("0", _("Internal note"))],
        coerce=lambda v: v == "1",
        initial="1",
        widget=forms.RadioSelect,
    )
    last_seen = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)
    force = forms.BooleanField(required=False, widget=forms.HiddenInput)
    # The agent confirmed a reply to more people than ``ATIENDE_REPLY_CONFIRM_RECIPIENTS``.
    many_ok = forms.BooleanField(required=False, widget=forms.HiddenInput)
    then = forms.ChoiceField(
        required=False, choices=[("", ""), ("pending", "pending"), ("solved", "solved")]
    )
    # "Send by" (``web.ticket.send_by``): ``email`` or ``channel:<account id>``; empty is the
    # way the customer last used. ``template``: an approved WhatsApp template, ``name:lang``.
    via = forms.CharField(label=_("Send by"), required=False, max_length=40)
    template = forms.CharField(label=_("Template"), required=False, max_length=600)

    def ids(self, name: str) -> list[int]:
        """Repeated id fields (``attachment_ids``, ``mentions``); the service checks each id."""
        raw = self.data.getlist(name) if hasattr(self.data, "getlist") else []
        return [int(v) for v in (str(r).strip() for r in raw) if v.isdecimal() and len(v) < 12]


class TimeForm(forms.Form):
    minutes = forms.IntegerField(label=_("Minutes"), min_value=1, max_value=MAX_ENTRY_SECONDS // 60)
    note = forms.CharField(label=_("Note"), required=False, max_length=MAX_NOTE)


class NewTicketForm(forms.Form):
    """A ticket an agent opens for a customer who called, walked in or wrote elsewhere."""

    requester_id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    # Checked by ``find_or_create_customer`` only when no existing customer was picked.
    requester_email = forms.CharField(label=_("Customer email"), required=False, max_length=254)
    requester_name = forms.CharField(label=_("Customer name"), required=False, max_length=200)
    channel = forms.ChoiceField(
        label=_("Contact channel"),
        choices=[(c.value, c.label) for c in AGENT_CHANNELS],
        initial=Channel.PHONE,
    )
    subject = forms.CharField(label=_("Subject"), max_length=255)
    body = forms.CharField(label=_("Message"), widget=forms.Textarea(attrs={"rows": 6}))
    public = forms.TypedChoiceField(
        label=_("The first message is"),
        choices=[("1", _("What the customer said (public)")), ("0", _("An internal note"))],
        coerce=lambda v: v == "1",
        initial="1",
        widget=forms.RadioSelect,
    )
    group_id = forms.TypedChoiceField(
        label=_("Group"), required=False, coerce=int, empty_value=None
    )
    priority = forms.ChoiceField(label=_("Priority"), required=False)
    assignee_id = forms.TypedChoiceField(
        label=_("Assignee"), required=False, coerce=int, empty_value=None
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        group_choices = self.fields["group_id"]
        assert isinstance(group_choices, forms.ChoiceField)
        group_choices.choices = [("", _("(none)"))] + [(g.pk, g.name) for g in page.groups()]
        priority = self.fields["priority"]
        assert isinstance(priority, forms.ChoiceField)
        priority.choices = [("", _("(default)"))] + [(p.key, p.name) for p in page.priorities()]
        assignee = self.fields["assignee_id"]
        assert isinstance(assignee, forms.ChoiceField)
        assignee.choices = [("", _("(unassigned)"))] + [
            (a.pk, a.display_name) for a in page.agents_for(None)
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        missing = not data.get("requester_id") and not data.get("requester_email")
        if missing and "requester_email" not in self.errors:
            self.add_error("requester_email", _("Choose a customer or enter the customer's email."))
        return data


def requester_label(user: User) -> str:
    return f"{user.display_name} <{user.email}>" if user.email else user.display_name
