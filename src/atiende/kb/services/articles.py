"""Articles and their translations: write a draft, publish it (a kept version), archive it.

This is the first, smallest write path of the knowledge base; the workflow (review, schedule,
archive), versions' restore and attachments grow here.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from atiende.core.actor import Actor
from atiende.core.errors import ErrorCollector, NotFound
from atiende.core.event_types import ArticlePublished, ArticleWithdrawn
from atiende.core.events import publish as publish_event
from atiende.core.permissions import require_staff
from atiende.kb.models import (
    Article,
    ArticleState,
    ArticleTranslation,
    ArticleVersion,
    Section,
    Visibility,
)
from atiende.kb.slugs import slug_for

MAX_TITLE = 250


def languages() -> set[str]:
    return {code for code, _name in settings.LANGUAGES}


def clean_text(*, language: str, title: str, errors: ErrorCollector) -> str:
    title = title.strip()
    if language not in languages():
        errors.add("language", _("Unknown language."))
    if not title:
        errors.add("title", _("An article needs a title."))
    elif len(title) > MAX_TITLE:
        errors.add("title", _("At most 250 characters."))
    return title


def unique_slug(language: str, title: str, *, exclude: int | None = None) -> str:
    """The title's slug, numbered ("-2", "-3"…) when another article has it in this language."""
    base, n = slug_for(title), 1
    taken = ArticleTranslation.objects.filter(language=language)
    if exclude is not None:
        taken = taken.exclude(pk=exclude)
    slug = base
    while taken.filter(slug=slug).exists():
        n += 1
        slug = f"{base[:110]}-{n}"
    return slug


def create_article(
    actor: Actor,
    *,
    section_id: int,
    language: str,
    title: str,
    body: str = "",
    visibility: str = Visibility.PUBLIC,
) -> ArticleTranslation:
    """A new article with its first translation, as a draft owned by its author."""
    require_staff(actor)
    errors = ErrorCollector()
    title = clean_text(language=language, title=title, errors=errors)
    if visibility not in Visibility.values:
        errors.add("visibility", _("Unknown visibility."))
    errors.raise_if_any()
    with transaction.atomic():
        if not Section.objects.filter(pk=section_id).exists():
            raise NotFound(_("No such section."))
        article = Article.objects.create(
            section_id=section_id,
            visibility=visibility,
            owner=actor.user,
            created_by=actor.user,
        )
        return ArticleTranslation.objects.create(
            article=article,
            language=language,
            title=title,
            body=body,
            slug=unique_slug(language, title),
            updated_by=actor.user,
        )


def publish(actor: Actor, *, translation_id: int, note: str = "") -> ArticleVersion:
    """Publish the working copy as a new kept version."""
    require_staff(actor)
    with transaction.atomic():
        translation = (
            ArticleTranslation.objects.select_for_update()
            .select_related("article")
            .filter(pk=translation_id)
            .first()
        )
        if translation is None:
            raise NotFound(_("No such article."))
        number = translation.published_version + 1
        version = ArticleVersion.objects.create(
            translation=translation,
            number=number,
            title=translation.title,
            body=translation.body,
            author=actor.user,
            note=note[:250],
        )
        translation.state = ArticleState.PUBLISHED
        translation.published_version = number
        translation.published_title = translation.title
        translation.published_body = translation.body
        translation.published_at = timezone.now()
        translation.publish_at = None
        translation.save()
        publish_event(
            ArticlePublished(
                translation_id=translation.pk,
                article_id=translation.article_id,
                language=translation.language,
                version=number,
                visibility=translation.article.visibility,
                actor_id=actor.user_id,
                source=actor.source.value,
                source_detail=actor.detail,
            )
        )
        return version


def archive(actor: Actor, *, translation_id: int) -> None:
    """Take a translation out of reading (its versions stay); indexes drop it."""
    require_staff(actor)
    with transaction.atomic():
        translation = (
            ArticleTranslation.objects.select_for_update().filter(pk=translation_id).first()
        )
        if translation is None:
            raise NotFound(_("No such article."))
        was_published = translation.state == ArticleState.PUBLISHED
        translation.state = ArticleState.ARCHIVED
        translation.publish_at = None
        translation.save()
        if was_published:
            publish_event(
                ArticleWithdrawn(
                    translation_id=translation.pk,
                    article_id=translation.article_id,
                    language=translation.language,
                    reason="archived",
                    actor_id=actor.user_id,
                    source=actor.source.value,
                    source_detail=actor.detail,
                )
            )
