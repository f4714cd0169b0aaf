"""Announcements the automatic acknowledgement carries while they run (holidays, outages)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class AnnouncementKind(models.TextChoices):
    HOLIDAY = "holiday", _("Holiday")
    OUTAGE = "outage", _("Outage")
    OTHER = "other", _("Other")


class Announcement(models.Model):
    """A text in Spanish and English told to every customer whose ticket arrives between
    ``starts_at`` and ``ends_at`` (for one group's tickets, or all), with the acknowledgement
    or instead of it."""

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(
        _("kind"), max_length=16, choices=AnnouncementKind.choices, default=AnnouncementKind.OTHER
    )
    text_en = models.TextField(_("text (English)"))
    text_es = models.TextField(_("text (Spanish)"))
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    group = models.ForeignKey(
        "accounts.Group",
        verbose_name=_("group"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="announcements",
        help_text=_("Empty: for every group."),
    )
    replaces_acknowledgement = models.BooleanField(
        _("instead of the acknowledgement"),
        default=False,
        help_text=_("Send only this text, without the usual acknowledgement."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("announcement")
        verbose_name_plural = _("announcements")
        ordering = ["starts_at", "id"]
        indexes = [models.Index(fields=["ends_at", "starts_at"], name="announcement_window")]

    def __str__(self) -> str:
        return self.name
