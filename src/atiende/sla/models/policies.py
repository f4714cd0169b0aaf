"""SLA policies: which tickets they cover, their targets per priority, and escalation levels."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from atiende.sla.models.calendars import Calendar
from atiende.tickets.models import Priority


class TargetKind(models.TextChoices):
    FIRST_REPLY = "first_reply", _("First reply")
    NEXT_REPLY = "next_reply", _("Next reply")
    PERIODIC_UPDATE = "periodic_update", _("Periodic update")
    RESOLUTION = "resolution", _("Resolution")


class SlaPolicy(models.Model):
    """Ordered: the first active policy whose conditions all hold applies to a ticket.

    ``conditions`` is a list of ``{"field": ..., "op": ..., "value": ...}`` clauses (see
    ``sla.conditions``); an empty list matches every ticket.
    """

    name = models.CharField(_("name"), max_length=150, unique=True)
    order = models.PositiveIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    conditions = models.JSONField(_("conditions"), default=list, blank=True)
    calendar = models.ForeignKey(
        Calendar,
        verbose_name=_("calendar"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="policies",
        help_text=_("Empty: the ticket group's calendar, else the default one."),
    )
    warning_minutes = models.PositiveIntegerField(_("warn before a breach (minutes)"), default=30)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.name


class SlaTarget(models.Model):
    """How long a ticket of this priority may wait for one kind of answer under a policy."""

    policy = models.ForeignKey(SlaPolicy, on_delete=models.CASCADE, related_name="targets")
    priority = models.ForeignKey(Priority, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("target"), max_length=20, choices=TargetKind.choices)
    minutes = models.PositiveIntegerField(_("minutes"))
    business_hours = models.BooleanField(_("in business hours"), default=True)

    class Meta:
        verbose_name = _("SLA target")
        verbose_name_plural = _("SLA targets")
        constraints = [
            models.UniqueConstraint(
                fields=["policy", "priority", "kind"], name="sla_target_unique"
            ),
            models.CheckConstraint(condition=models.Q(minutes__gt=0), name="sla_target_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.policy_id} {self.kind} {self.minutes}"


class SlaEscalation(models.Model):
    """At ``minutes`` after a target's breach (0: at it; negative: before it), run ``actions``
    (the automation action vocabulary) on the ticket."""

    policy = models.ForeignKey(SlaPolicy, on_delete=models.CASCADE, related_name="escalations")
    kind = models.CharField(_("target"), max_length=20, choices=TargetKind.choices)
    level = models.PositiveSmallIntegerField(_("level"))
    minutes = models.IntegerField(_("minutes after the breach"), default=0)
    actions = models.JSONField(_("actions"), default=list)

    class Meta:
        verbose_name = _("SLA escalation level")
        verbose_name_plural = _("SLA escalation levels")
        ordering = ["policy", "kind", "level"]
        constraints = [
            models.UniqueConstraint(
                fields=["policy", "kind", "level"], name="sla_escalation_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(level__gte=1, level__lte=4), name="sla_escalation_level"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.policy_id} {self.kind} L{self.level}"
