"""The form of one channel account, built from what its provider asks for
(``registry.account_fields``): the settings show their values, the secrets never do.

A secret's field is always empty: typing a value replaces the stored one, leaving it empty
keeps it. Field names are ``settings__<name>`` and ``secrets__<name>``; the service's
``settings.<name>`` errors land next to them (``apply_account_errors``).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from atiende.core.errors import AtiendeError
from atiende.messaging.channels.account_fields import AccountField, ProviderFields
from atiende.messaging.channels.services import MAX_SETTING_VALUE
from atiende.messaging.models import ChannelAccount

BOOLEAN_CHOICES = [("", _("Default")), ("true", _("Yes")), ("false", _("No"))]


def form_name(group: str, name: str) -> str:
    return f"{group}__{name}"


class ChannelAccountForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=200,
        help_text=_("How agents see this account, e.g. “WhatsApp ventas” or “@acme_bot”."),
    )
    group_id = forms.TypedChoiceField(
        label=_("Group"),
        coerce=int,
        required=False,
        empty_value=None,
        help_text=_("New conversations from this account go to this group."),
    )
    active = forms.BooleanField(
        label=_("Active"),
        required=False,
        initial=True,
        help_text=_("An inactive account's webhook answers 404; its conversations stay."),
    )

    GENERAL = ("name", "group_id", "active")

    def __init__(
        self,
        *args: Any,
        spec: ProviderFields,
        groups: list[tuple[int, str]],
        stored_secrets: list[str] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.spec = spec
        self.stored_secrets = set(stored_secrets or ())
        group_field = self.fields["group_id"]
        assert isinstance(group_field, forms.ChoiceField)
        group_field.choices = [("", _("No group (default routing)")), *groups]
        for item in spec.settings:
            self.fields[form_name("settings", item.name)] = _setting_field(item)
        for item in spec.secrets:
            self.fields[form_name("secrets", item.name)] = self._secret_field(item)

    def _secret_field(self, item: AccountField) -> forms.CharField:
        stored = item.name in self.stored_secrets
        help_text = _("Set. Type a new value to replace it.") if stored else item.help
        return forms.CharField(
            label=item.label,
            required=item.required and not stored,
            max_length=MAX_SETTING_VALUE,
            strip=False,
            help_text=help_text,
            widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        )

    def general_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.GENERAL]

    def setting_fields(self) -> list[forms.BoundField]:
        return [self[form_name("settings", item.name)] for item in self.spec.settings]

    def secret_fields(self) -> list[tuple[forms.BoundField, bool]]:
        """Each secret's field and whether a value is stored for it."""
        return [
            (self[form_name("secrets", item.name)], item.name in self.stored_secrets)
            for item in self.spec.secrets
        ]

    def service_data(self, *, kept_settings: dict[str, str] | None = None) -> dict[str, Any]:
        """The cleaned values as the service's fields. Settings left empty are dropped; only
        typed secrets are sent (the others stay as stored). ``kept_settings`` are the stored
        settings the provider does not declare (set from a script): they stay."""
        data = self.cleaned_data
        settings = dict(kept_settings or {})
        for item in self.spec.settings:
            value = str(data.get(form_name("settings", item.name)) or "").strip()
            if value:
                settings[item.name] = value
        secrets = {
            item.name: value
            for item in self.spec.secrets
            if (value := str(data.get(form_name("secrets", item.name)) or "").strip())
        }
        return {
            "name": data["name"],
            "group_id": data["group_id"],
            "active": bool(data["active"]),
            "settings": settings,
            "secrets": secrets,
        }

    @staticmethod
    def initial_for(account: ChannelAccount, spec: ProviderFields) -> dict[str, Any]:
        stored = account.settings if isinstance(account.settings, dict) else {}
        initial: dict[str, Any] = {
            "name": account.name,
            "group_id": account.group_id,
            "active": account.active,
        }
        for item in spec.settings:
            initial[form_name("settings", item.name)] = stored.get(item.name, "")
        return initial


def _setting_field(item: AccountField) -> forms.Field:
    if item.kind == "boolean":
        return forms.ChoiceField(
            label=item.label, required=False, choices=BOOLEAN_CHOICES, help_text=item.help
        )
    attrs = {"autocomplete": "off"}
    if item.kind == "number":
        attrs["inputmode"] = "numeric"
    widget = forms.URLInput(attrs=attrs) if item.kind == "url" else forms.TextInput(attrs=attrs)
    return forms.CharField(
        label=item.label,
        required=item.required,
        max_length=MAX_SETTING_VALUE,
        help_text=item.help,
        widget=widget,
    )


def apply_account_errors(form: forms.Form, error: AtiendeError) -> None:
    """A service's errors next to their fields (``settings.x`` → ``settings__x``), the rest
    above the form."""
    placed = False
    for item in error.errors:
        name = item.field.replace(".", "__", 1)
        if name in form.fields:
            form.add_error(name, str(item.message))
            placed = True
        elif item.field in form.fields:
            form.add_error(item.field, str(item.message))
            placed = True
        else:
            form.add_error(None, f"{item.field}: {item.message}")
            placed = True
    if not placed:
        form.add_error(None, str(error.detail))
