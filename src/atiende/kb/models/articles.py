"""An article is one subject; each language is a translation with its own workflow and versions.

``Article`` holds what every language shares (section, visibility, owner, the verify-by date,
related articles, the ticket it came from). ``ArticleTranslation`` is the text in one language:
its working copy (``title``/``body``), its state, its schedule, its readable slug.
``ArticleVersion`` keeps every published text with its author, so any version can be compared
and restored.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from atiende.kb.models.structure import Section


class Visibility(models.TextChoices):
    PUBLIC = "public", _("Public")
    INTERNAL = "internal", _("Internal (agents only)")


class ArticleState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    REVIEW = "review", _("In review")
    PUBLISHED = "published", _("Published")
    ARCHIVED = "archived", _("Archived")


class Article(models.Model):
    section = models.ForeignKey(Section, on_delete=models.PROTECT, related_name="articles")
    visibility = models.CharField(
        _("visibility"), max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner"),
    )
    verify_by = models.DateField(_("verify by"), null=True, blank=True)
    # When the owner was last reminded that verify_by passed (one reminder per date).
    verify_reminded_at = models.DateTimeField(null=True, blank=True)
    # The verify-by date the owner was reminded of: a later date reminds again, the same never.
    verify_reminded_for = models.DateField(null=True, blank=True)
    # Bumped by each change of the shared settings: a stale editor gets a conflict.
    revision = models.PositiveIntegerField(default=1)
    position = models.PositiveIntegerField(_("position"), default=0)
    related = models.ManyToManyField("self", blank=True, verbose_name=_("related articles"))
    # The ticket an article was written from ("from ticket to article"); never shown to customers.
    source_ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        ordering = ["position", "id"]
        indexes = [models.Index(fields=["verify_by"], name="kb_article_verify_by")]

    def __str__(self) -> str:
        return f"article {self.pk}"


class ArticleTranslation(models.Model):
    """The article in one language: the working copy and where it stands."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="translations")
    language = models.CharField(_("language"), max_length=12)
    title = models.CharField(_("title"), max_length=250)
    body = models.TextField(_("body (Markdown)"), blank=True)
    slug = models.SlugField(_("slug"), max_length=120, allow_unicode=False)
    state = models.CharField(
        _("state"), max_length=10, choices=ArticleState.choices, default=ArticleState.DRAFT
    )
    # A publication waiting for its time (the scheduler publishes it); null when none.
    publish_at = models.DateTimeField(_("publish at"), null=True, blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    # The version number now published (0: never published).
    published_version = models.PositiveIntegerField(default=0)
    # The published text, kept apart from the working copy so a draft edit never shows.
    published_title = models.CharField(max_length=250, blank=True)
    published_body = models.TextField(blank=True)
    # Who asked for the scheduled publication (the author of the version it makes).
    scheduled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The working copy waits for an administrator's review since then (null: not submitted).
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # What the reviewer asked to change, shown to the author until the next submission.
    review_note = models.CharField(_("review note"), max_length=500, blank=True)
    # Bumped by each save of the working copy: two editors at once never overwrite each other.
    revision = models.PositiveIntegerField(default=1)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("article translation")
        verbose_name_plural = _("article translations")
        constraints = [
            models.UniqueConstraint(
                fields=["article", "language"], name="kb_translation_per_language"
            ),
            models.UniqueConstraint(fields=["language", "slug"], name="kb_slug_per_language"),
        ]
        indexes = [
            models.Index(
                fields=["publish_at"],
                name="kb_translation_scheduled",
                condition=models.Q(publish_at__isnull=False),
            )
        ]

    def __str__(self) -> str:
        return f"{self.article_id}/{self.language}"


class ArticleVersion(models.Model):
    """One published text, kept for ever: compared with others and restorable."""

    translation = models.ForeignKey(
        ArticleTranslation, on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=250)
    body = models.TextField(_("body (Markdown)"), blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("author"),
    )
    note = models.CharField(_("note"), max_length=250, blank=True)
    # The version this one restored, when it was a restore.
    restored_from = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(_("published"), auto_now_add=True)

    class Meta:
        verbose_name = _("article version")
        verbose_name_plural = _("article versions")
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["translation", "number"], name="kb_version_number")
        ]

    def __str__(self) -> str:
        return f"{self.translation_id} v{self.number}"


def article_file_path(instance: ArticleAttachment, filename: str) -> str:
    """Stored under a name we choose; the uploaded name is kept only as ``filename``."""
    return f"kb/{instance.article_id}/{instance.sha256[:16]}"


class ArticleAttachment(models.Model):
    """An image or file of an article (shown to whoever may read the article, no one else)."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=article_file_path, max_length=200)
    filename = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=255)
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("article attachment")
        verbose_name_plural = _("article attachments")

    def __str__(self) -> str:
        return self.filename
