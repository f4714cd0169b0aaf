"""Ticket forms: a form, its fields in order and each field's condition. Plain tables; the
services in ``intake.services`` are their only writers."""

from __future__ import annotations

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class Audience(models.TextChoices):
    PUBLIC = "public", _("Anyone (public web form and portal)")
    CUSTOMERS = "customers", _("Signed-in customers only")


class Prefill(models.TextChoices):
    NONE = "", _("Nothing")
    NAME = "name", _("Name")
    EMAIL = "email", _("Email")
    PHONE = "phone", _("Phone")
    ORGANIZATION = "organization", _("Organization")


def _in_language(english: str, spanish: str) -> str:
    return spanish if (get_language() or "en")[:2] == "es" and spanish else english


class Form(models.Model):
    """A ticket form; what it creates (group, type, priority) is set by the admin."""

    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=100)
    name_es = models.CharField(_("name (Spanish)"), max_length=100, blank=True)
    intro_en = models.TextField(_("introduction (English)"), blank=True)
    intro_es = models.TextField(_("introduction (Spanish)"), blank=True)
    active = models.BooleanField(_("active"), default=True)
    audience = models.CharField(
        _("who may use it"), max_length=16, choices=Audience.choices, default=Audience.CUSTOMERS
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    group = models.ForeignKey(
        "accounts.Group",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("group"),
    )
    ticket_type = models.CharField(_("ticket type"), max_length=16, blank=True)
    priority = models.CharField(_("priority"), max_length=40, blank=True)
    # The language of the acknowledgement; empty: the visitor's (or the customer's) own.
    language = models.CharField(_("language"), max_length=8, blank=True)
    # Sites allowed to embed the public form (CSP frame-ancestors); empty: any site.
    allowed_origins = models.JSONField(_("sites allowed to embed it"), default=list, blank=True)
    min_fill_seconds = models.PositiveSmallIntegerField(
        _("minimum seconds to fill it in"), default=3
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("ticket form")
        verbose_name_plural = _("ticket forms")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return _in_language(self.name_en, self.name_es)

    @property
    def intro(self) -> str:
        return _in_language(self.intro_en, self.intro_es)


class FormField(models.Model):
    """One field of a form: a built-in (``subject``, ``description``, ``attachments``,
    ``name``, ``email``) or a ticket custom field (``custom_fields.<key>``).

    ``condition`` is ``{"field": <an earlier field's key>, "values": [...]}``: the field is
    shown (and accepted) only when that field is shown and its value is one of ``values``.
    """

    form = models.ForeignKey(Form, on_delete=models.CASCADE, related_name="fields")
    key = models.CharField(_("field"), max_length=80)
    position = models.PositiveIntegerField(_("position"), default=0)
    label_en = models.CharField(_("label (English)"), max_length=200, blank=True)
    label_es = models.CharField(_("label (Spanish)"), max_length=200, blank=True)
    help_en = models.CharField(_("help text (English)"), max_length=500, blank=True)
    help_es = models.CharField(_("help text (Spanish)"), max_length=500, blank=True)
    required = models.BooleanField(_("required"), default=False)
    prefill = models.CharField(
        _("default from the profile"), max_length=16, choices=Prefill.choices, blank=True
    )
    condition = models.JSONField(_("shown when"), null=True, blank=True)

    class Meta:
        verbose_name = _("form field")
        verbose_name_plural = _("form fields")
        ordering = ["form", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["form", "key"], name="intake_field_once_per_form")
        ]

    def __str__(self) -> str:
        return self.key
