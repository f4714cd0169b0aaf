"""The knowledge-base editor's forms: they parse; the kb services validate and write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from atiende.kb.models import ArticleState, Section, Visibility


def language_choices() -> list[tuple[str, str]]:
    return [(code, str(name)) for code, name in settings.LANGUAGES]


def section_choices(sections: Any) -> list[tuple[int, str]]:
    """Sections as "Category › Section" in the viewer's language, else any name they have."""
    from django.utils.translation import get_language

    lang = get_language() or settings.LANGUAGE_CODE

    def name(names: dict[str, str]) -> str:
        return names.get(lang) or next(iter(names.values()), "—")

    return [
        (s.pk, f"{name(s.category.names)} › {name(s.names)}")
        for s in sections
        if isinstance(s, Section)
    ]


class FilterForm(forms.Form):
    state = forms.ChoiceField(
        label=_("State"),
        required=False,
        choices=[
            ("", _("Any state")),
            ("submitted", _("Waiting for review")),
            *ArticleState.choices,
        ],
    )
    language = forms.ChoiceField(label=_("Language"), required=False)
    section = forms.TypedChoiceField(
        label=_("Section"), required=False, coerce=int, empty_value=None
    )
    q = forms.CharField(label=_("Title or address"), required=False, max_length=200)

    def __init__(self, *args: Any, sections: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = [("", _("Any language")), *language_choices()]  # type: ignore[attr-defined]  # a ChoiceField
        self.fields["section"].choices = [("", _("Any section")), *section_choices(sections)]  # type: ignore[attr-defined]  # a ChoiceField


class NewArticleForm(forms.Form):
    section = forms.TypedChoiceField(label=_("Section"), coerce=int)
    language = forms.ChoiceField(label=_("Language"))
    title = forms.CharField(label=_("Title"), max_length=250)
    visibility = forms.ChoiceField(label=_("Visibility"), choices=Visibility.choices)
    body = forms.CharField(
        label=_("Body (Markdown)"), required=False, widget=forms.Textarea(attrs={"rows": 16})
    )

    def __init__(self, *args: Any, sections: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["section"].choices = section_choices(sections)  # type: ignore[attr-defined]  # a ChoiceField
        self.fields["language"].choices = language_choices()  # type: ignore[attr-defined]  # a ChoiceField


class EditForm(forms.Form):
    revision = forms.IntegerField(widget=forms.HiddenInput)
    title = forms.CharField(label=_("Title"), max_length=250)
    slug = forms.CharField(
        label=_("Address (slug)"),
        max_length=120,
        help_text=_("Lowercase letters, digits and hyphens; unique in this language."),
    )
    body = forms.CharField(
        label=_("Body (Markdown)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 20, "data-kb-body": ""}),
    )


class TranslationForm(forms.Form):
    language = forms.ChoiceField(label=_("Language"))
    title = forms.CharField(label=_("Title"), max_length=250)
    body = forms.CharField(
        label=_("Body (Markdown)"), required=False, widget=forms.Textarea(attrs={"rows": 16})
    )

    def __init__(self, *args: Any, taken: set[str] = frozenset(), **kwargs: Any) -> None:  # type: ignore[assignment]  # a set is fine
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = [  # type: ignore[attr-defined]  # a ChoiceField
            (code, name) for code, name in language_choices() if code not in taken
        ]


class SettingsForm(forms.Form):
    revision = forms.IntegerField(widget=forms.HiddenInput)
    section = forms.TypedChoiceField(label=_("Section"), coerce=int)
    visibility = forms.ChoiceField(label=_("Visibility"), choices=Visibility.choices)
    owner = forms.TypedChoiceField(label=_("Owner"), coerce=int, empty_value=None, required=False)
    verify_by = forms.DateField(
        label=_("Verify by"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("The owner is reminded when this date has passed."),
    )
    related = forms.TypedMultipleChoiceField(
        label=_("Related articles"), coerce=int, required=False
    )

    def __init__(
        self,
        *args: Any,
        sections: Any = (),
        owners: list[tuple[int, str]] = [],  # noqa: B006  # read only
        articles: list[tuple[int, str]] = [],  # noqa: B006  # read only
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["section"].choices = section_choices(sections)  # type: ignore[attr-defined]  # a ChoiceField
        self.fields["owner"].choices = [("", _("Nobody")), *owners]  # type: ignore[attr-defined]  # a ChoiceField
        self.fields["related"].choices = articles  # type: ignore[attr-defined]  # a ChoiceField


class ScheduleForm(forms.Form):
    publish_at = forms.DateTimeField(
        label=_("Publish at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )


class NoteForm(forms.Form):
    note = forms.CharField(label=_("Note"), required=False, max_length=500)


class UploadForm(forms.Form):
    file = forms.FileField(label=_("Image or file"), allow_empty_file=True)


class NamesForm(forms.Form):
    """A category's or section's name in each language."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for code, name in language_choices():
            self.fields[f"name_{code}"] = forms.CharField(
                label=_("Name (%(language)s)") % {"language": name},
                required=False,
                max_length=120,
            )
        self.fields["position"] = forms.IntegerField(
            label=_("Position"), min_value=0, initial=0, required=False
        )

    def names(self) -> dict[str, str]:
        return {
            code: self.cleaned_data.get(f"name_{code}", "") or ""
            for code, _name in language_choices()
        }


class SectionForm(NamesForm):
    def __init__(self, *args: Any, categories: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from django.utils.translation import get_language

        lang = get_language() or settings.LANGUAGE_CODE
        self.fields["category"] = forms.TypedChoiceField(
            label=_("Category"),
            coerce=int,
            choices=[
                (c.pk, c.names.get(lang) or next(iter(c.names.values()), "—")) for c in categories
            ],
        )
