"""What readers do with the knowledge base: views, feedback, searches, deflections."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from atiende.kb.models.articles import ArticleTranslation


class ArticleViewDay(models.Model):
    """Views of one translation on one day (a counter, not a row per view)."""

    translation = models.ForeignKey(ArticleTranslation, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    views = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["translation", "day"], name="kb_views_per_day")
        ]

    def __str__(self) -> str:
        return f"{self.translation_id} {self.day}: {self.views}"


class ArticleFeedback(models.Model):
    """ "Was this helpful?" — one answer per reader and translation (changing it replaces it)."""

    translation = models.ForeignKey(
        ArticleTranslation, on_delete=models.CASCADE, related_name="feedback"
    )
    helpful = models.BooleanField(_("helpful"))
    comment = models.TextField(_("comment"), blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Who answered when not signed in: a hash of the session key (never the key itself).
    reader = models.CharField(max_length=64)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("article feedback")
        verbose_name_plural = _("article feedback")
        constraints = [
            models.UniqueConstraint(fields=["translation", "reader"], name="kb_feedback_once")
        ]

    def __str__(self) -> str:
        return f"{self.translation_id}: {'+' if self.helpful else '-'}"


class SearchSource(models.TextChoices):
    HELP_CENTER = "help", _("Help center")
    PORTAL_FORM = "form", _("Request form suggestions")
    AGENT = "agent", _("Agent workspace")
    API = "api", _("API")
    BOT = "bot", _("Chat bot")


class SearchLog(models.Model):
    """Every knowledge-base search with its result count (zero: an article to write)."""

    query = models.CharField(_("query"), max_length=250)
    language = models.CharField(_("language"), max_length=12)
    results = models.PositiveIntegerField(_("results"))
    source = models.CharField(_("source"), max_length=10, choices=SearchSource.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("knowledge-base search")
        verbose_name_plural = _("knowledge-base searches")

    def __str__(self) -> str:
        return f"{self.query!r}: {self.results}"


class Deflection(models.Model):
    """A customer opened a suggested article while writing a request.

    ``submitted`` turns true if the same reader still sent the request; a suggestion opened
    and never followed by a request is a deflection (the self-service metric).
    """

    translation = models.ForeignKey(ArticleTranslation, on_delete=models.CASCADE, related_name="+")
    reader = models.CharField(max_length=64)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    submitted = models.BooleanField(default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("deflection")
        verbose_name_plural = _("deflections")

    def __str__(self) -> str:
        return f"{self.translation_id} {'submitted' if self.submitted else 'deflected'}"
