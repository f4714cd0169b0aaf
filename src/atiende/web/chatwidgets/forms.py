"""The form of one chat widget: its texts and colour, where its chats go, the sites that may
embed it, and its pre-chat form as simple choices.

The pre-chat form: name, email and phone are each not asked, optional or required; other
questions are lines of a text box, one question a line, ending in ``*`` when required. A
question keeps its stored key while its wording stays the same; a new one gets a key made from
its words. The service checks everything again (``messaging.chat.widgets``).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from atiende.core.errors import AtiendeError
from atiende.messaging.chat.config import FIELD_KEY, KNOWN_FIELDS, MAX_FIELDS
from atiende.messaging.models import ChatWidget

OFF, OPTIONAL, REQUIRED = "off", "optional", "required"
ASK_CHOICES = [(OFF, _("Not asked")), (OPTIONAL, _("Optional")), (REQUIRED, _("Required"))]
KNOWN_LABELS = {"name": _("Name"), "email": _("Email"), "phone": _("Phone")}
LANGUAGE_CHOICES = [("", _("The visitor's browser")), ("es", _("Spanish")), ("en", _("English"))]
MAX_LABEL = 100
REQUIRED_MARK = "*"
# Where a service's error on a field lands in this form.
SERVICE_FIELDS = {"prechat_fields": "prechat_other"}


def _ask_field(key: str) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=KNOWN_LABELS[key], choices=ASK_CHOICES, initial=OFF, widget=forms.RadioSelect
    )


class ChatWidgetForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=200,
        help_text=_("How agents see this widget, e.g. “Tienda online”. Visitors never see it."),
    )
    group_id = forms.TypedChoiceField(
        label=_("Group"),
        coerce=int,
        required=False,
        empty_value=None,
        help_text=_("Its chats become tickets of this group; its agents answer them."),
    )
    allowed_origins = forms.CharField(
        label=_("Sites that may show it"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "off", "spellcheck": "false"}),
        help_text=_(
            "One per line, as https://www.example.com (with :port if any; no path). "
            "A single * lets any site show it. None: only this help desk's own portal."
        ),
    )
    title = forms.CharField(label=_("Title"), required=False, max_length=100)
    greeting = forms.CharField(
        label=_("Greeting"),
        required=False,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("The first thing the visitor reads."),
    )
    accent_color = forms.CharField(
        label=_("Colour"),
        initial="#1f5fbf",
        max_length=7,
        widget=forms.TextInput(attrs={"type": "color"}),
    )
    language = forms.ChoiceField(label=_("Language"), required=False, choices=LANGUAGE_CHOICES)
    prechat_name = _ask_field("name")
    prechat_email = _ask_field("email")
    prechat_phone = _ask_field("phone")
    prechat_other = forms.CharField(
        label=_("Other questions"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One question a line; end it with * when it must be answered."),
    )
    bot_enabled = forms.BooleanField(
        label=_("The bot answers first"),
        required=False,
        help_text=_("It offers help-center articles and hands over to a person when asked."),
    )
    active = forms.BooleanField(
        label=_("Active"),
        required=False,
        initial=True,
        help_text=_("An inactive widget is not shown on any site; its chats stay."),
    )

    LOOKS = ("title", "greeting", "accent_color", "language")
    PRECHAT = ("prechat_name", "prechat_email", "prechat_phone", "prechat_other")
    GENERAL = ("name", "group_id", "allowed_origins", "bot_enabled", "active")

    def __init__(
        self,
        *args: Any,
        groups: list[tuple[int, str]],
        stored_prechat: list[dict[str, Any]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.stored_prechat = list(stored_prechat or [])
        group_field = self.fields["group_id"]
        assert isinstance(group_field, forms.ChoiceField)
        group_field.choices = [("", _("No group (any agent)")), *groups]

    def fieldset(self, names: tuple[str, ...]) -> list[forms.BoundField]:
        return [self[name] for name in names]

    def general_fields(self) -> list[forms.BoundField]:
        return self.fieldset(self.GENERAL)

    def look_fields(self) -> list[forms.BoundField]:
        return self.fieldset(self.LOOKS)

    def prechat_fields(self) -> list[forms.BoundField]:
        return self.fieldset(self.PRECHAT)

    def clean_allowed_origins(self) -> list[str]:
        text = str(self.cleaned_data.get("allowed_origins") or "")
        return [line.strip() for line in text.splitlines() if line.strip()]

    def clean_prechat_other(self) -> list[tuple[str, bool]]:
        """(question, required) per non-empty line."""
        questions: list[tuple[str, bool]] = []
        for raw in str(self.cleaned_data.get("prechat_other") or "").splitlines():
            line = raw.strip()
            required = line.endswith(REQUIRED_MARK)
            label = line.removesuffix(REQUIRED_MARK).strip() if required else line
            if not label:
                continue
            if len(label) > MAX_LABEL:
                raise forms.ValidationError(
                    _("A question may have at most %(max)d characters."),
                    params={"max": MAX_LABEL},
                )
            questions.append((label, required))
        if len(questions) > MAX_FIELDS - len(KNOWN_FIELDS):
            raise forms.ValidationError(
                _("At most %(max)d other questions."),
                params={"max": MAX_FIELDS - len(KNOWN_FIELDS)},
            )
        return questions

    def service_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "name": data["name"],
            "group_id": data["group_id"],
            "allowed_origins": data["allowed_origins"],
            "title": data["title"],
            "greeting": data["greeting"],
            "accent_color": data["accent_color"],
            "language": data["language"],
            "bot_enabled": bool(data["bot_enabled"]),
            "active": bool(data["active"]),
            "prechat_fields": self._prechat(),
        }

    def _prechat(self) -> list[dict[str, Any]]:
        stored = {str(f.get("key")): f for f in self.stored_prechat}
        fields: list[dict[str, Any]] = []
        for key in KNOWN_FIELDS:
            ask = self.cleaned_data[f"prechat_{key}"]
            if ask != OFF:
                label = str(stored.get(key, {}).get("label", ""))
                fields.append({"key": key, "label": label, "required": ask == REQUIRED})
        keys_by_label = {
            _shown_label(f): str(f["key"])
            for f in self.stored_prechat
            if f["key"] not in KNOWN_FIELDS
        }
        taken = set(KNOWN_FIELDS)
        for label, required in self.cleaned_data["prechat_other"]:
            stored_key = keys_by_label.get(label)
            usable = stored_key is not None and stored_key not in taken
            key = stored_key if usable and stored_key else question_key(label, taken)
            taken.add(key)
            fields.append({"key": key, "label": label, "required": required})
        return fields

    @staticmethod
    def initial_for(widget: ChatWidget) -> dict[str, Any]:
        prechat = widget.prechat_fields if isinstance(widget.prechat_fields, list) else []
        initial: dict[str, Any] = {
            "name": widget.name,
            "group_id": widget.group_id,
            "allowed_origins": "\n".join(widget.allowed_origins or []),
            "title": widget.title,
            "greeting": widget.greeting,
            "accent_color": widget.accent_color,
            "language": widget.language,
            "bot_enabled": widget.bot_enabled,
            "active": widget.active,
        }
        asked = {str(f.get("key")): f for f in prechat if isinstance(f, dict)}
        for key in KNOWN_FIELDS:
            found = asked.get(key)
            ask = OFF if found is None else REQUIRED if found.get("required") else OPTIONAL
            initial[f"prechat_{key}"] = ask
        initial["prechat_other"] = "\n".join(
            _shown_label(f) + (f" {REQUIRED_MARK}" if f.get("required") else "")
            for f in asked.values()
            if f.get("key") not in KNOWN_FIELDS
        )
        return initial


def _shown_label(field: dict[str, Any]) -> str:
    """A stored question's words (its key when it was stored without any)."""
    return str(field.get("label") or field.get("key") or "")


def question_key(label: str, taken: set[str]) -> str:
    """A key for a new question made from its words (``¿Número de pedido?`` → ``numero_de_pedido``),
    unlike the keys in ``taken``."""
    base = slugify(label).replace("-", "_")[:28].strip("_") or "question"
    if not base[0].isalpha():
        base = f"q_{base}"[:28]
    key, number = base, 2
    while key in taken or not FIELD_KEY.match(key):
        key = f"{base}_{number}"
        number += 1
    return key


def apply_widget_errors(form: forms.Form, error: AtiendeError) -> None:
    """A service's errors next to their fields; the rest above the form."""
    placed = False
    for item in error.errors:
        name = SERVICE_FIELDS.get(item.field, item.field)
        form.add_error(name if name in form.fields else None, str(item.message))
        placed = True
    if not placed:
        form.add_error(None, str(error.detail))
