"""The review workflow of a translation, its schedule and the owner's verify-by reminders.

draft → (an agent submits) → in review → (an administrator publishes) → published →
(an administrator archives) → archived → (unarchives) → draft. A reviewer may send a text in
review back to draft with a note. A published translation whose working copy is submitted
stays published (readers keep the old text) and waits in the review queue.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from atiende.core.actor import Actor
from atiende.core.errors import Invalid
from atiende.core.event_types import ArticleVerificationDue
from atiende.core.events import publish as publish_event
from atiende.core.permissions import require_admin, require_staff
from atiende.kb.models import Article, ArticleState, ArticleTranslation
from atiende.kb.services.articles import lock_translation, publish_locked

SCHEDULER = Actor.system("kb.scheduled_publishing")
REMINDER = Actor.system("kb.verify_reminders")


def submit_for_review(actor: Actor, *, translation_id: int) -> ArticleTranslation:
    """Ask an administrator to publish the working copy."""
    require_staff(actor)
    with transaction.atomic():
        translation = lock_translation(translation_id)
        if translation.state == ArticleState.ARCHIVED:
            raise Invalid.field("state", _("Unarchive the article before submitting it."))
        if translation.submitted_at is not None:
            raise Invalid.field("state", _("This text is already waiting for review."))
        if translation.state == ArticleState.PUBLISHED and (
            translation.title == translation.published_title
            and translation.body == translation.published_body
        ):
            raise Invalid.field("body", _("Nothing changed since the published version."))
        if translation.state == ArticleState.DRAFT:
            translation.state = ArticleState.REVIEW
        translation.submitted_at = timezone.now()
        translation.submitted_by = actor.user
        translation.review_note = ""
        translation.save()
        return translation


def request_changes(actor: Actor, *, translation_id: int, note: str = "") -> ArticleTranslation:
    """Send a submitted text back to its author with what to change (administrators)."""
    require_admin(actor)
    with transaction.atomic():
        translation = lock_translation(translation_id)
        if translation.submitted_at is None:
            raise Invalid.field("state", _("This text is not waiting for review."))
        if translation.state == ArticleState.REVIEW:
            translation.state = ArticleState.DRAFT
        translation.submitted_at = None
        translation.review_note = note.strip()[:500]
        translation.save()
        return translation


def unarchive(actor: Actor, *, translation_id: int) -> ArticleTranslation:
    """Bring an archived translation back as a draft (administrators); publish it again to
    show it. Its versions were never lost."""
    require_admin(actor)
    with transaction.atomic():
        translation = lock_translation(translation_id)
        if translation.state != ArticleState.ARCHIVED:
            raise Invalid.field("state", _("This article is not archived."))
        translation.state = ArticleState.DRAFT
        translation.save()
        return translation


def schedule(
    actor: Actor, *, translation_id: int, publish_at: datetime.datetime | None
) -> ArticleTranslation:
    """Publish the working copy at ``publish_at`` (administrators); ``None`` cancels."""
    require_admin(actor)
    if publish_at is not None:
        if timezone.is_naive(publish_at):
            raise Invalid.field("publish_at", _("Give the time with its time zone."))
        if publish_at <= timezone.now():
            raise Invalid.field("publish_at", _("Choose a time in the future."))
    with transaction.atomic():
        translation = lock_translation(translation_id)
        if publish_at is not None and translation.state == ArticleState.ARCHIVED:
            raise Invalid.field("state", _("Unarchive the article before scheduling it."))
        translation.publish_at = publish_at
        translation.scheduled_by = actor.user if publish_at is not None else None
        translation.save()
        return translation


def publish_due(now: datetime.datetime | None = None) -> int:
    """Publish every translation whose time has come; each in its own transaction, so one
    failure never holds back the others. Answers how many were published."""
    now = now or timezone.now()
    due = list(
        ArticleTranslation.objects.filter(publish_at__lte=now)
        .order_by("publish_at", "pk")
        .values_list("pk", flat=True)
    )
    done = 0
    for pk in due:
        with transaction.atomic():
            translation = lock_translation(pk)
            if translation.publish_at is None or translation.publish_at > now:
                continue  # cancelled or moved meanwhile
            if translation.state == ArticleState.ARCHIVED:
                translation.publish_at = None
                translation.save()
                continue
            publish_locked(
                SCHEDULER,
                translation,
                author=translation.scheduled_by,
                note=_("Scheduled publication"),
            )
            done += 1
    return done


def remind_verification(today: datetime.date | None = None) -> int:
    """Tell each owner once per verify-by date that an article's date has passed."""
    today = today or timezone.localdate()
    due = Article.objects.filter(verify_by__lt=today, owner__isnull=False).exclude(
        verify_reminded_for=F("verify_by")
    )
    sent = 0
    for article_id in list(due.values_list("pk", flat=True)):
        with transaction.atomic():
            article = Article.objects.select_for_update().filter(pk=article_id).first()
            if (
                article is None
                or article.owner_id is None
                or article.verify_by is None
                or article.verify_by >= today
                or article.verify_reminded_for == article.verify_by
            ):
                continue
            translation = (
                ArticleTranslation.objects.filter(article=article).order_by("-state", "pk").first()
            )
            article.verify_reminded_for = article.verify_by
            article.verify_reminded_at = timezone.now()
            article.save(update_fields=["verify_reminded_for", "verify_reminded_at"])
            publish_event(
                ArticleVerificationDue(
                    article_id=article.pk,
                    translation_id=translation.pk if translation else None,
                    title=translation.title if translation else "",
                    owner_id=article.owner_id,
                    verify_by=article.verify_by.isoformat(),
                    actor_id=None,
                    source=REMINDER.source.value,
                    source_detail=REMINDER.detail,
                )
            )
            sent += 1
    return sent
