"""\"Was this helpful?\": one answer per reader and translation; answering again changes it.

A reader is who `reading.reader_key` says (a signed-in person, or a hash of a visitor's
session). Only a translation the reader may read (the gate, `kb.selectors`) takes an answer;
any other is "not found", as if it did not exist.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from atiende.core.actor import Actor
from atiende.core.errors import ErrorCollector, NotFound
from atiende.kb.models import ArticleFeedback
from atiende.kb.selectors import readable_translations

MAX_COMMENT = 2000


def answer(
    actor: Actor | None, *, translation_id: int, reader: str, helpful: bool, comment: str = ""
) -> ArticleFeedback:
    """Record (or change) ``reader``'s answer about a translation ``actor`` may read."""
    errors = ErrorCollector()
    comment = comment.replace("\x00", "").strip()
    if len(comment) > MAX_COMMENT:
        errors.add("comment", _("At most 2000 characters."))
    if not reader:
        errors.add("reader", _("Open the article again to answer."))
    errors.raise_if_any()
    if not readable_translations(actor).filter(pk=translation_id).exists():
        raise NotFound(_("No such article."))
    user = actor.user if actor is not None else None
    with transaction.atomic():
        try:
            with transaction.atomic():
                feedback, created = ArticleFeedback.objects.select_for_update().get_or_create(
                    translation_id=translation_id,
                    reader=reader,
                    defaults={"helpful": helpful, "comment": comment, "user": user},
                )
        except IntegrityError:  # the same reader answered at the same instant elsewhere
            feedback = ArticleFeedback.objects.select_for_update().get(
                translation_id=translation_id, reader=reader
            )
            created = False
        if not created:
            feedback.helpful = helpful
            feedback.comment = comment
            feedback.user = user
            # The answer's time is its last change: the report counts answers in a period.
            feedback.created_at = timezone.now()
            feedback.save(update_fields=["helpful", "comment", "user", "created_at"])
    return feedback
