"""Categories hold sections, sections hold articles; names are kept per language."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Category(models.Model):
    """A top-level area of the knowledge base ("Facturación", "Cuenta")."""

    # {"es": "Facturación", "en": "Billing"}: one entry per language the category is shown in.
    names = models.JSONField(_("names"), default=dict)
    descriptions = models.JSONField(_("descriptions"), default=dict, blank=True)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    position = models.PositiveIntegerField(_("position"), default=0)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("knowledge-base category")
        verbose_name_plural = _("knowledge-base categories")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.slug


class Section(models.Model):
    """A group of articles inside a category."""

    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="sections")
    names = models.JSONField(_("names"), default=dict)
    descriptions = models.JSONField(_("descriptions"), default=dict, blank=True)
    slug = models.SlugField(_("slug"), max_length=80)
    position = models.PositiveIntegerField(_("position"), default=0)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("knowledge-base section")
        verbose_name_plural = _("knowledge-base sections")
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["category", "slug"], name="kb_section_slug")]

    def __str__(self) -> str:
        return self.slug
