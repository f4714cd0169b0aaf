"""What administrators configure: statuses, priorities, tags, categories, custom fields."""

from __future__ import annotations

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class Bilingual(models.Model):
    """A configurable record named in English and Spanish."""

    name_en = models.CharField(_("name (English)"), max_length=100)
    name_es = models.CharField(_("name (Spanish)"), max_length=100)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        lang = (get_language() or "en")[:2]
        return (self.name_es if lang == "es" else self.name_en) or self.name_en


class StatusCategory(models.TextChoices):
    NEW = "new", _("New")
    OPEN = "open", _("Open")
    PENDING = "pending", _("Pending")
    ON_HOLD = "on_hold", _("On hold")
    SOLVED = "solved", _("Solved")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


# Categories in which a ticket still needs work from the team.
ACTIVE_CATEGORIES = (
    StatusCategory.NEW,
    StatusCategory.OPEN,
    StatusCategory.PENDING,
    StatusCategory.ON_HOLD,
)


class Status(Bilingual):
    key = models.SlugField(_("key"), max_length=40, unique=True)
    category = models.CharField(_("category"), max_length=16, choices=StatusCategory.choices)
    order = models.PositiveIntegerField(_("order"), default=0)
    is_default = models.BooleanField(
        _("default for new tickets"),
        default=False,
        help_text=_("Only one status can be the default."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    allowed_next = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="allowed_previous",
        verbose_name=_("allowed next statuses"),
    )

    class Meta:
        verbose_name = _("status")
        verbose_name_plural = _("statuses")
        ordering = ["order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"],
                condition=models.Q(is_default=True),
                name="status_single_default",
            )
        ]


class Priority(Bilingual):
    key = models.SlugField(_("key"), max_length=40, unique=True)
    order = models.PositiveIntegerField(
        _("order"), default=0, help_text=_("Higher is more urgent.")
    )
    color = models.CharField(_("colour"), max_length=7, default="#6c757d")
    is_default = models.BooleanField(_("default for new tickets"), default=False)

    class Meta:
        verbose_name = _("priority")
        verbose_name_plural = _("priorities")
        ordering = ["order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"],
                condition=models.Q(is_default=True),
                name="priority_single_default",
            )
        ]


class Tag(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Category(Bilingual):
    """A ticket category; categories nest to any depth through ``parent``."""

    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["name_en"]


class CustomFieldType(models.TextChoices):
    TEXT = "text", _("Text")
    NUMBER = "number", _("Number")
    DATE = "date", _("Date")
    SELECT = "select", _("Select")
    MULTISELECT = "multiselect", _("Multi-select")
    CHECKBOX = "checkbox", _("Checkbox")


class CustomFieldTarget(models.TextChoices):
    TICKET = "ticket", _("Ticket")
    USER = "user", _("User")
    ORGANIZATION = "organization", _("Organization")


class CustomField(Bilingual):
    """The definition of an extra field; values live in the target's ``custom_fields`` JSON."""

    target = models.CharField(_("applies to"), max_length=16, choices=CustomFieldTarget.choices)
    key = models.SlugField(_("key"), max_length=60)
    type = models.CharField(_("type"), max_length=16, choices=CustomFieldType.choices)
    options = models.JSONField(
        _("options"), default=list, blank=True, help_text=_("Allowed values for select fields.")
    )
    required = models.BooleanField(_("required"), default=False)
    is_identifier = models.BooleanField(
        _("identifies the record"),
        default=False,
        help_text=_("Searchable as an identifier, such as a tax id."),
    )
    order = models.PositiveIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("custom field")
        verbose_name_plural = _("custom fields")
        ordering = ["target", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["target", "key"], name="custom_field_key_per_target")
        ]
