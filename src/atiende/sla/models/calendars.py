"""Business calendars as data: weekly hours, holidays, and which group works to which."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from atiende.accounts.models import Group


class Calendar(models.Model):
    """Weekly hours (``{"monday": [["09:00", "13:00"], ["14:00", "18:00"]], ...}``) in a time
    zone, closed on its holidays and, when a country is named, that country's public ones."""

    name = models.CharField(_("name"), max_length=150, unique=True)
    time_zone = models.CharField(_("time zone"), max_length=64)
    hours = models.JSONField(_("weekly hours"), default=dict)
    holiday_country = models.CharField(_("public holidays of"), max_length=8, blank=True)
    holiday_subdivision = models.CharField(_("subdivision"), max_length=16, blank=True)
    is_default = models.BooleanField(_("default calendar"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("business calendar")
        verbose_name_plural = _("business calendars")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"],
                condition=models.Q(is_default=True),
                name="sla_calendar_single_default",
            )
        ]

    def __str__(self) -> str:
        return self.name


class Holiday(models.Model):
    """A closed day: this date, or (``yearly``) this month and day every year."""

    calendar = models.ForeignKey(Calendar, on_delete=models.CASCADE, related_name="holidays")
    date = models.DateField(_("date"))
    yearly = models.BooleanField(_("every year"), default=False)
    name = models.CharField(_("name"), max_length=150, blank=True)

    class Meta:
        verbose_name = _("holiday")
        verbose_name_plural = _("holidays")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.name}".strip()


class GroupCalendar(models.Model):
    """The calendar a group works to (groups live below sla, so sla holds the link)."""

    group = models.OneToOneField(Group, on_delete=models.CASCADE, related_name="sla_calendar")
    calendar = models.ForeignKey(Calendar, on_delete=models.CASCADE, related_name="groups")

    class Meta:
        verbose_name = _("group calendar")
        verbose_name_plural = _("group calendars")

    def __str__(self) -> str:
        return f"{self.group_id} → {self.calendar_id}"
