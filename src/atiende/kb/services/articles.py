"""Articles and their translations: write drafts, edit them, publish and archive them.

Who does what (docs/knowledge-base.md): agents write and edit drafts, add translations and
submit them for review (``kb.services.workflow``); administrators publish, ask for changes,
archive, unarchive, schedule and restore. The working copy (``title``/``body``) and the
published text (``published_title``/``published_body``) are apart: editing a published
article changes nothing readers see until it is published again. Each save of the working
copy carries the ``revision`` the editor started from; a stale one is a 409 naming the field.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from atiende.accounts.models import User
from atiende.core.actor import Actor
from atiende.core.errors import Conflict, ErrorCollector, FieldError, Invalid, NotFound
from atiende.core.event_types import ArticlePublished, ArticleWithdrawn
from atiende.core.events import publish as publish_event
from atiende.core.permissions import require_admin, require_staff
from atiende.kb.models import (
    Article,
    ArticleState,
    ArticleTranslation,
    ArticleVersion,
    Section,
    Visibility,
)
from atiende.kb.slugs import MAX_LENGTH as MAX_SLUG
from atiende.kb.slugs import slug_for

MAX_TITLE = 250
MAX_BODY = 200_000
SLUG_SHAPE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


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


def _check_body(body: str, errors: ErrorCollector) -> str:
    if len(body) > MAX_BODY:
        errors.add("body", _("At most 200,000 characters."))
    return body.replace("\x00", "")


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


def _check_slug(slug: str, language: str, exclude: int, errors: ErrorCollector) -> str:
    slug = slug.strip().lower()
    if not SLUG_SHAPE.match(slug) or len(slug) > MAX_SLUG:
        errors.add("slug", _("Use lowercase letters, digits and single hyphens (at most 120)."))
    elif (
        ArticleTranslation.objects.filter(language=language, slug=slug).exclude(pk=exclude).exists()
    ):
        errors.add("slug", _("Another article uses this address in this language."))
    return slug


def lock_translation(translation_id: int) -> ArticleTranslation:
    """The translation, locked for this transaction; a missing one is ``NotFound``."""
    translation = (
        ArticleTranslation.objects.select_for_update()
        .select_related("article")
        .filter(pk=translation_id)
        .first()
    )
    if translation is None:
        raise NotFound(_("No such article."))
    return translation


def stale(field: str, current: int) -> Conflict:
    """A 409 naming ``field``: someone saved since the editor opened the text."""
    message = _("Someone else saved this article since you opened it. Reload to see their changes.")
    return Conflict(message, errors=[FieldError(field, message)], extra={"kb_revision": current})


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
    body = _check_body(body, errors)
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


def add_translation(
    actor: Actor, *, article_id: int, language: str, title: str, body: str = ""
) -> ArticleTranslation:
    """The article in one more language: a draft of its own, linked to the others."""
    require_staff(actor)
    errors = ErrorCollector()
    title = clean_text(language=language, title=title, errors=errors)
    body = _check_body(body, errors)
    errors.raise_if_any()
    with transaction.atomic():
        article = Article.objects.select_for_update().filter(pk=article_id).first()
        if article is None:
            raise NotFound(_("No such article."))
        if ArticleTranslation.objects.filter(article=article, language=language).exists():
            raise Invalid.field("language", _("This article is already written in this language."))
        return ArticleTranslation.objects.create(
            article=article,
            language=language,
            title=title,
            body=body,
            slug=unique_slug(language, title),
            updated_by=actor.user,
        )


def update_translation(
    actor: Actor,
    *,
    translation_id: int,
    revision: int,
    title: str | None = None,
    body: str | None = None,
    slug: str | None = None,
) -> ArticleTranslation:
    """Save the working copy. Readers still see the published text until it is published."""
    require_staff(actor)
    errors = ErrorCollector()
    with transaction.atomic():
        translation = lock_translation(translation_id)
        if translation.revision != revision:
            raise stale("revision", translation.revision)
        if translation.state == ArticleState.ARCHIVED:
            raise Invalid.field("state", _("Unarchive the article before editing it."))
        if title is not None:
            translation.title = clean_text(
                language=translation.language, title=title, errors=errors
            )
        if body is not None:
            translation.body = _check_body(body, errors)
        if slug is not None:
            translation.slug = _check_slug(slug, translation.language, translation.pk, errors)
        errors.raise_if_any()
        translation.revision += 1
        translation.updated_by = actor.user
        translation.save()
        return translation


def update_article(
    actor: Actor,
    *,
    article_id: int,
    revision: int,
    section_id: int | None = None,
    visibility: str | None = None,
    owner_id: int | None = None,
    clear_owner: bool = False,
    verify_by: datetime.date | None = None,
    clear_verify_by: bool = False,
    related_ids: Iterable[int] | None = None,
) -> Article:
    """Change what every language shares: section, visibility, owner, verify-by, related."""
    require_staff(actor)
    errors = ErrorCollector()
    if visibility is not None and visibility not in Visibility.values:
        errors.add("visibility", _("Unknown visibility."))
    with transaction.atomic():
        article = Article.objects.select_for_update().filter(pk=article_id).first()
        if article is None:
            raise NotFound(_("No such article."))
        if article.revision != revision:
            raise stale("revision", article.revision)
        if section_id is not None:
            if not Section.objects.filter(pk=section_id).exists():
                errors.add("section", _("No such section."))
            article.section_id = section_id
        if clear_owner:
            article.owner = None
        elif owner_id is not None:
            owner = User.objects.filter(pk=owner_id, is_active=True).first()
            if owner is None or not owner.is_agent:
                errors.add("owner", _("The owner must be an active agent."))
            else:
                article.owner = owner
        if clear_verify_by:
            article.verify_by = None
        elif verify_by is not None:
            article.verify_by = verify_by
        related: list[int] | None = None
        if related_ids is not None:
            wanted = {int(pk) for pk in related_ids} - {article.pk}
            found = set(Article.objects.filter(pk__in=wanted).values_list("pk", flat=True))
            if wanted - found:
                errors.add("related", _("Some related articles do not exist."))
            related = sorted(found)
        errors.raise_if_any()
        old_visibility = article.visibility
        if visibility is not None:
            article.visibility = visibility
        article.revision += 1
        article.save()
        if related is not None:
            article.related.set(related)  # symmetric: each side lists the other
        if article.visibility != old_visibility:
            for translation in article.translations.filter(state=ArticleState.PUBLISHED):
                _published_event(actor, translation, translation.published_version)
        return article


def _published_event(actor: Actor, translation: ArticleTranslation, number: int) -> None:
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


def publish_locked(
    actor: Actor,
    translation: ArticleTranslation,
    *,
    author: User | None,
    note: str = "",
    title: str | None = None,
    body: str | None = None,
    restored_from: int | None = None,
) -> ArticleVersion:
    """Make a new kept version of ``translation`` (locked by the caller) and show it.

    Without ``title``/``body`` the working copy is published; a restore passes the old text.
    """
    number = translation.published_version + 1
    version = ArticleVersion.objects.create(
        translation=translation,
        number=number,
        title=translation.title if title is None else title,
        body=translation.body if body is None else body,
        author=author,
        note=note[:250],
        restored_from=restored_from,
    )
    translation.state = ArticleState.PUBLISHED
    translation.published_version = number
    translation.published_title = version.title
    translation.published_body = version.body
    translation.published_at = timezone.now()
    translation.publish_at = None
    translation.scheduled_by = None
    translation.submitted_at = None
    translation.submitted_by = None
    translation.review_note = ""
    translation.save()
    _published_event(actor, translation, number)
    return version


def publish(actor: Actor, *, translation_id: int, note: str = "") -> ArticleVersion:
    """Publish the working copy as a new kept version (administrators)."""
    require_admin(actor)
    with transaction.atomic():
        translation = lock_translation(translation_id)
        if translation.state == ArticleState.ARCHIVED:
            raise Invalid.field("state", _("Unarchive the article before publishing it."))
        if (
            translation.state == ArticleState.PUBLISHED
            and translation.title == translation.published_title
            and translation.body == translation.published_body
        ):
            raise Invalid.field("body", _("Nothing changed since the published version."))
        return publish_locked(actor, translation, author=actor.user, note=note)


def archive(actor: Actor, *, translation_id: int) -> None:
    """Take a translation out of reading (its versions stay); indexes drop it."""
    require_admin(actor)
    with transaction.atomic():
        translation = lock_translation(translation_id)
        was_published = translation.state == ArticleState.PUBLISHED
        translation.state = ArticleState.ARCHIVED
        translation.publish_at = None
        translation.scheduled_by = None
        translation.submitted_at = None
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


def delete_translation(actor: Actor, *, translation_id: int) -> None:
    """Delete a translation never published (nothing kept is lost); the article goes with
    its last translation. Published texts are archived instead."""
    require_staff(actor)
    with transaction.atomic():
        translation = lock_translation(translation_id)
        if translation.published_version:
            raise Invalid.field("state", _("A published article is archived, not deleted."))
        article_id = translation.article_id
        translation.delete()
        if not ArticleTranslation.objects.filter(article_id=article_id).exists():
            Article.objects.filter(pk=article_id).delete()
