"""What the help center shows a reader: the outline, a section, an article, its neighbours.

Every article read starts at the one gate, `kb.selectors.readable_translations`; categories
and sections are shown only when they hold an article the reader may read in the page's
language, so an outline of internal articles is never given away. Names come in the reader's
language, else in the first language the category or section has.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Count, QuerySet
from django.utils.translation import gettext as _

from atiende.core.actor import Actor
from atiende.core.errors import NotFound
from atiende.core.permissions import is_staff
from atiende.kb.models import (
    ArticleAttachment,
    ArticleFeedback,
    ArticleTranslation,
    Category,
    Section,
)
from atiende.kb.selectors import readable_translations


def name_in(names: dict[str, str], language: str) -> str:
    """The name in ``language``, else in the first language it has."""
    if names.get(language):
        return names[language]
    return next((name for name in names.values() if name), "")


@dataclass(frozen=True)
class SectionEntry:
    section: Section
    name: str
    description: str
    articles: int


@dataclass(frozen=True)
class CategoryEntry:
    category: Category
    name: str
    description: str
    sections: list[SectionEntry] = field(default_factory=list)


def readable_in(actor: Actor | None, language: str) -> QuerySet[ArticleTranslation]:
    """The translations in ``language`` that ``actor`` may read (through the gate)."""
    return readable_translations(actor).filter(language=language)


def outline(actor: Actor | None, language: str) -> list[CategoryEntry]:
    """Categories with their sections holding readable articles in ``language`` (2 queries)."""
    per_section = Counter(
        {
            row["article__section_id"]: row["n"]
            for row in readable_in(actor, language)
            .values("article__section_id")
            .annotate(n=Count("id"))
        }
    )
    sections = (
        Section.objects.filter(pk__in=list(per_section))
        .select_related("category")
        .order_by("category__position", "category_id", "position", "id")
    )
    entries: dict[int, CategoryEntry] = {}
    for section in sections:
        category = section.category
        entry = entries.get(category.pk)
        if entry is None:
            entry = entries[category.pk] = CategoryEntry(
                category=category,
                name=name_in(category.names, language),
                description=name_in(category.descriptions, language),
            )
        entry.sections.append(
            SectionEntry(
                section=section,
                name=name_in(section.names, language),
                description=name_in(section.descriptions, language),
                articles=per_section[section.pk],
            )
        )
    return list(entries.values())


def category_entry(actor: Actor | None, language: str, category_id: int) -> CategoryEntry:
    """One category of the outline; not found when it holds nothing the reader may read."""
    for entry in outline(actor, language):
        if entry.category.pk == category_id:
            return entry
    raise NotFound(_("No such category."))


@dataclass(frozen=True)
class SectionPage:
    section: Section
    name: str
    description: str
    category_name: str
    articles: list[ArticleTranslation]


def section_page(actor: Actor | None, language: str, section_id: int) -> SectionPage:
    """A section and its readable articles in ``language``, in the editors' order."""
    articles = list(
        readable_in(actor, language)
        .filter(article__section_id=section_id)
        .select_related("article")
        .order_by("article__position", "article_id")
    )
    if not articles:
        raise NotFound(_("No such section."))
    section = Section.objects.select_related("category").get(pk=section_id)
    return SectionPage(
        section=section,
        name=name_in(section.names, language),
        description=name_in(section.descriptions, language),
        category_name=name_in(section.category.names, language),
        articles=articles,
    )


@dataclass(frozen=True)
class ArticlePage:
    translation: ArticleTranslation
    section_name: str
    category_name: str
    related: list[ArticleTranslation]
    # The same article in the other languages the reader may read it in.
    languages: list[ArticleTranslation]


def article_page(actor: Actor | None, language: str, article_id: int) -> ArticlePage:
    """A readable article in ``language`` with what the page shows around it (4 queries)."""
    translation = (
        readable_in(actor, language)
        .filter(article_id=article_id)
        .select_related("article__section__category")
        .first()
    )
    if translation is None:
        raise NotFound(_("No such article."))
    article = translation.article
    related = list(
        readable_in(actor, language)
        .filter(article__in=article.related.all())
        .exclude(article_id=article_id)
        .order_by("published_title")[:10]
    )
    others = list(
        readable_translations(actor)
        .filter(article_id=article_id)
        .exclude(language=language)
        .order_by("language")
    )
    section = article.section
    return ArticlePage(
        translation=translation,
        section_name=name_in(section.names, language),
        category_name=name_in(section.category.names, language),
        related=related,
        languages=others,
    )


def readable_languages(actor: Actor | None, article_id: int) -> list[ArticleTranslation]:
    """Every translation of an article the reader may read (to point a wrong language at)."""
    return list(readable_translations(actor).filter(article_id=article_id).order_by("language"))


def readable_attachment(actor: Actor | None, attachment_id: int) -> ArticleAttachment:
    """An article's file, for whoever may read a published translation of its article; staff
    also get the files of drafts (they write them). Missing and forbidden look the same."""
    files = ArticleAttachment.objects.filter(pk=attachment_id)
    if actor is None or not is_staff(actor):
        files = files.filter(article__in=readable_translations(actor).values("article_id"))
    attachment = files.first()
    if attachment is None:
        raise NotFound(_("No such file."))
    return attachment


def reader_answer(*, translation_id: int, reader: str) -> ArticleFeedback | None:
    """The reader's "was this helpful" answer about this translation, if any."""
    if not reader:
        return None
    return ArticleFeedback.objects.filter(translation_id=translation_id, reader=reader).first()
