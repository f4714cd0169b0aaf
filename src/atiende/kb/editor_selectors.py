"""The editor's reads: drafts, texts in review, archived ones and kept versions — staff only.

Readers (visitors, customers) never come here; they read through ``kb.selectors``. Each
function answers ``NotFound`` to anyone who is not staff, so a guessed id tells nothing.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from atiende.accounts.models import Role, User
from atiende.core.actor import Actor
from atiende.core.errors import NotFound
from atiende.core.permissions import is_staff
from atiende.kb.models import (
    Article,
    ArticleAttachment,
    ArticleTranslation,
    ArticleVersion,
    Category,
    Section,
)


def _staff_only(actor: Actor | None) -> None:
    if actor is None or not is_staff(actor):
        raise NotFound(_("No such article."))


def editable_translations(
    actor: Actor | None,
    *,
    state: str = "",
    language: str = "",
    section_id: int | None = None,
    query: str = "",
) -> QuerySet[ArticleTranslation]:
    """Every translation in any state, newest change first, filtered as asked."""
    _staff_only(actor)
    found = ArticleTranslation.objects.select_related(
        "article", "article__section", "article__owner", "updated_by"
    )
    if state == "submitted":
        found = found.filter(submitted_at__isnull=False)
    elif state:
        found = found.filter(state=state)
    if language:
        found = found.filter(language=language)
    if section_id is not None:
        found = found.filter(article__section_id=section_id)
    if query:
        found = found.filter(Q(title__icontains=query) | Q(slug__icontains=query))
    return found.order_by("-updated_at", "-pk")


def review_queue(actor: Actor | None) -> QuerySet[ArticleTranslation]:
    """Texts waiting for an administrator, oldest submission first."""
    _staff_only(actor)
    return (
        ArticleTranslation.objects.filter(submitted_at__isnull=False)
        .select_related("article", "submitted_by")
        .order_by("submitted_at", "pk")
    )


def get_translation(actor: Actor | None, translation_id: int) -> ArticleTranslation:
    _staff_only(actor)
    translation = (
        ArticleTranslation.objects.select_related(
            "article",
            "article__section",
            "article__owner",
            "article__source_ticket",
            "updated_by",
            "submitted_by",
            "scheduled_by",
        )
        .filter(pk=translation_id)
        .first()
    )
    if translation is None:
        raise NotFound(_("No such article."))
    return translation


def get_article(actor: Actor | None, article_id: int) -> Article:
    _staff_only(actor)
    article = Article.objects.select_related("section", "owner").filter(pk=article_id).first()
    if article is None:
        raise NotFound(_("No such article."))
    return article


def sibling_translations(actor: Actor | None, article_id: int) -> QuerySet[ArticleTranslation]:
    """The article's texts in every language."""
    _staff_only(actor)
    return ArticleTranslation.objects.filter(article_id=article_id).order_by("language")


def related_articles(actor: Actor | None, article_id: int) -> QuerySet[ArticleTranslation]:
    """One text of each related article (each language it has)."""
    _staff_only(actor)
    return ArticleTranslation.objects.filter(article__related=article_id).order_by(
        "article_id", "language"
    )


def versions(actor: Actor | None, translation_id: int) -> QuerySet[ArticleVersion]:
    """Every published version, newest first, with its author."""
    get_translation(actor, translation_id)
    return ArticleVersion.objects.filter(translation_id=translation_id).select_related("author")


def get_version(actor: Actor | None, translation_id: int, number: int) -> ArticleVersion:
    version = versions(actor, translation_id).filter(number=number).first()
    if version is None:
        raise NotFound(_("No such version."))
    return version


def attachments(actor: Actor | None, article_id: int) -> QuerySet[ArticleAttachment]:
    _staff_only(actor)
    return ArticleAttachment.objects.filter(article_id=article_id).order_by("-created_at", "-pk")


def categories(actor: Actor | None) -> QuerySet[Category]:
    _staff_only(actor)
    return Category.objects.prefetch_related("sections").order_by("position", "pk")


def sections(actor: Actor | None) -> QuerySet[Section]:
    _staff_only(actor)
    return Section.objects.select_related("category").order_by(
        "category__position", "category_id", "position", "pk"
    )


def due_for_verification(actor: Actor | None) -> QuerySet[ArticleTranslation]:
    """The actor's own articles whose verify-by date has passed."""
    _staff_only(actor)
    assert actor is not None
    return (
        ArticleTranslation.objects.filter(
            article__owner_id=actor.user_id, article__verify_by__lt=timezone.localdate()
        )
        .select_related("article")
        .order_by("article__verify_by", "pk")
    )


def owner_choices(actor: Actor | None) -> list[tuple[int, str]]:
    """Active agents and admins, who may own an article."""
    _staff_only(actor)
    staff = User.objects.filter(is_active=True, role__in=(Role.AGENT, Role.ADMIN)).order_by(
        "name", "pk"
    )
    return [(user.pk, str(user.display_name)) for user in staff[:500]]


def article_choices(actor: Actor | None, *, exclude: int) -> list[tuple[int, str]]:
    """Other articles, each named by one of its titles, to relate to."""
    _staff_only(actor)
    titles: dict[int, str] = {}
    rows = (
        ArticleTranslation.objects.exclude(article_id=exclude)
        .order_by("article_id", "language")
        .values_list("article_id", "title", "language")[:2000]
    )
    for article_id, title, language in rows:
        titles.setdefault(article_id, f"{title} ({language})")
    return sorted(titles.items(), key=lambda item: item[1].lower())
