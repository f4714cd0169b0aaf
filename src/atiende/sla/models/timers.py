"""One SLA clock per ticket and target kind, with the next instant the sweep must look at it."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from atiende.sla.models.policies import SlaPolicy, TargetKind
from atiende.tickets.models import Ticket


class SlaTimer(models.Model):
    """A running, paused, fulfilled or stopped clock.

    Business time is counted from ``anchor_at`` (the start, or the last resume) with
    ``used_seconds`` already consumed before it; ``due_at = add(anchor_at, target - used)``.
    ``next_check_at`` is the earliest of the warning, the breach and the next escalation level
    still to come; ``None`` when nothing is left to do. The sweep reads only
    ``next_check_at <= now`` through its index.
    """

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("target"), max_length=20, choices=TargetKind.choices)
    policy = models.ForeignKey(SlaPolicy, on_delete=models.CASCADE, related_name="timers")
    minutes = models.PositiveIntegerField(_("target minutes"))
    business_hours = models.BooleanField(default=True)
    started_at = models.DateTimeField(_("started"))
    anchor_at = models.DateTimeField()
    used_seconds = models.FloatField(default=0)
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    warn_at = models.DateTimeField(null=True, blank=True)
    paused_at = models.DateTimeField(_("paused"), null=True, blank=True)
    warned_at = models.DateTimeField(_("warned"), null=True, blank=True)
    breached_at = models.DateTimeField(_("breached"), null=True, blank=True)
    fulfilled_at = models.DateTimeField(_("fulfilled"), null=True, blank=True)
    stopped_at = models.DateTimeField(_("stopped"), null=True, blank=True)
    escalated_level = models.PositiveSmallIntegerField(default=0)
    # [[level, ISO instant], ...] computed with the calendar when scheduled, so the sweep
    # needs no calendar arithmetic.
    levels_at = models.JSONField(default=list, blank=True)
    next_check_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("SLA timer")
        verbose_name_plural = _("SLA timers")
        constraints = [
            models.UniqueConstraint(fields=["ticket", "kind"], name="sla_timer_per_kind")
        ]
        indexes = [
            models.Index(
                fields=["next_check_at"],
                name="sla_timer_next_check",
                condition=models.Q(next_check_at__isnull=False),
            )
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.kind}"

    @property
    def is_running(self) -> bool:
        return self.fulfilled_at is None and self.stopped_at is None and self.paused_at is None
