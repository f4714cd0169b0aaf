"""Who read the knowledge base on which day: the numerator of the self-service score.

One row per reader per day (never per page): a signed-in person by their user, a visitor by a
keyed hash of their session (never the session key itself). Staff are not counted.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ReaderDay(models.Model):
    """A reader who opened help-center or portal knowledge-base pages on ``day``."""

    day = models.DateField()
    reader = models.CharField(max_length=64)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("knowledge-base reader")
        verbose_name_plural = _("knowledge-base readers")
        constraints = [models.UniqueConstraint(fields=["day", "reader"], name="kb_reader_day")]

    def __str__(self) -> str:
        return f"{self.day} {self.reader[:8]}"
