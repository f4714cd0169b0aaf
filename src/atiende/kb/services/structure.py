"""Categories and sections: staff build the knowledge base's outline."""

from __future__ import annotations

from collections.abc import Mapping

from django.db import transaction
from django.utils.translation import gettext as _

from atiende.core.actor import Actor
from atiende.core.errors import ErrorCollector, NotFound
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
