"""Categories and sections: staff build the knowledge base's outline."""

from __future__ import annotations

from collections.abc import Mapping

from django.db import transaction
from django.utils.translation import gettext as _

from atiende.core.actor import Actor
from atiende.core.errors import ErrorCollector, Invalid, NotFound
from atiende.core.permissions import require_staff
from atiende.core.services import save_unique
from atiende.kb.models import Category, Section
from atiende.kb.slugs import slug_for


def clean_names(names: Mapping[str, str], field: str = "names") -> dict[str, str]:
    """Names per language code; at least one, each non-empty and at most 120 characters."""
    errors = ErrorCollector()
    cleaned = {str(lang): str(name).strip() for lang, name in names.items()}
    if not cleaned or not any(cleaned.values()):
        errors.add(field, _("Give a name in at least one language."))
    for lang, name in cleaned.items():
        if len(name) > 120:
            errors.add(f"{field}.{lang}", _("At most 120 characters."))
    errors.raise_if_any()
    return {lang: name for lang, name in cleaned.items() if name}


def create_category(actor: Actor, *, names: Mapping[str, str], position: int = 0) -> Category:
    require_staff(actor)
    cleaned = clean_names(names)
    category = Category(
        names=cleaned, slug=slug_for(next(iter(cleaned.values()))), position=position
    )
    with transaction.atomic():
        save_unique(category, field="names", message=_("A category with this name exists."))
    return category


def create_section(
    actor: Actor, *, category_id: int, names: Mapping[str, str], position: int = 0
) -> Section:
    require_staff(actor)
    cleaned = clean_names(names)
    with transaction.atomic():
        if not Category.objects.filter(pk=category_id).exists():
            raise NotFound(_("No such category."))
        section = Section(
            category_id=category_id,
            names=cleaned,
            slug=slug_for(next(iter(cleaned.values()))),
            position=position,
        )
        save_unique(section, field="names", message=_("A section with this name exists here."))
    return section


def update_category(
    actor: Actor,
    *,
    category_id: int,
    names: Mapping[str, str] | None = None,
    position: int | None = None,
) -> Category:
    require_staff(actor)
    cleaned = clean_names(names) if names is not None else None
    with transaction.atomic():
        category = Category.objects.select_for_update().filter(pk=category_id).first()
        if category is None:
            raise NotFound(_("No such category."))
        if cleaned is not None:
            category.names = cleaned
        if position is not None:
            category.position = position
        save_unique(category, field="names", message=_("A category with this name exists."))
    return category


def delete_category(actor: Actor, *, category_id: int) -> None:
    """Delete an empty category; one holding sections is refused, naming why."""
    require_staff(actor)
    with transaction.atomic():
        category = Category.objects.select_for_update().filter(pk=category_id).first()
        if category is None:
            raise NotFound(_("No such category."))
        if category.sections.exists():
            raise Invalid.field("category", _("Move or delete its sections first."))
        category.delete()


def update_section(
    actor: Actor,
    *,
    section_id: int,
    names: Mapping[str, str] | None = None,
    category_id: int | None = None,
    position: int | None = None,
) -> Section:
    require_staff(actor)
    cleaned = clean_names(names) if names is not None else None
    with transaction.atomic():
        section = Section.objects.select_for_update().filter(pk=section_id).first()
        if section is None:
            raise NotFound(_("No such section."))
        if category_id is not None:
            if not Category.objects.filter(pk=category_id).exists():
                raise Invalid.field("category", _("No such category."))
            section.category_id = category_id
        if cleaned is not None:
            section.names = cleaned
        if position is not None:
            section.position = position
        save_unique(section, field="names", message=_("A section with this name exists here."))
    return section


def delete_section(actor: Actor, *, section_id: int) -> None:
    """Delete an empty section; one holding articles is refused, naming why."""
    require_staff(actor)
    with transaction.atomic():
        section = Section.objects.select_for_update().filter(pk=section_id).first()
        if section is None:
            raise NotFound(_("No such section."))
        if section.articles.exists():
            raise Invalid.field("section", _("Move its articles to another section first."))
        section.delete()
