"""Triggers (rules on events), time-based rules and their due timestamps."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Trigger(models.Model):
    """A rule run on every ticket event, in ``order``: when its conditions hold, its actions
    run as the rule (``Actor(None, Source.RULE, "rule:<id>")``)."""

    name = models.CharField(_("name"), max_length=200)
    active = models.BooleanField(_("active"), default=True)
    order = models.IntegerField(_("order"), default=0)
    conditions = models.JSONField(_("conditions"), default=dict, blank=True)
    actions = models.JSONField(_("actions"), default=list)
    fired_count = models.PositiveBigIntegerField(_("times fired"), default=0)
    last_fired_at = models.DateTimeField(_("last fired"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("trigger")
        verbose_name_plural = _("triggers")
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.name


class TimedCondition(models.TextChoices):
    """What a time-based rule waits on: a state that starts, lasts and ends (an episode)."""

    STATUS = "status", _("In a status category for")
    UNASSIGNED = "unassigned", _("Unassigned for")
    NO_CUSTOMER_REPLY = "no_customer_reply", _("No customer reply for")


class TimedRule(models.Model):
    """A rule run by the scheduler ``minutes`` after its condition became true for a ticket
    (pending for 2 days, solved for 4 days…), once per episode."""

    name = models.CharField(_("name"), max_length=200)
    active = models.BooleanField(_("active"), default=True)
    order = models.IntegerField(_("order"), default=0)
    condition = models.CharField(_("condition"), max_length=24, choices=TimedCondition.choices)
    status_category = models.CharField(
        _("status category"),
        max_length=16,
        blank=True,
        help_text=_("For the status condition: pending, on hold, solved…"),
    )
    minutes = models.PositiveIntegerField(_("after (minutes)"))
    conditions = models.JSONField(_("conditions"), default=dict, blank=True)
    actions = models.JSONField(_("actions"), default=list)
    fired_count = models.PositiveBigIntegerField(_("times fired"), default=0)
    last_fired_at = models.DateTimeField(_("last fired"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("time-based rule")
        verbose_name_plural = _("time-based rules")
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.name


class TimedRuleDue(models.Model):
    """When ``rule`` is due on a ticket. ``due_at`` is set when an episode starts and cleared
    when it ends or the rule fires, so the sweep reads only due rows through its index."""

    rule = models.ForeignKey(TimedRule, on_delete=models.CASCADE, related_name="dues")
    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="+")
    due_at = models.DateTimeField(null=True, blank=True)
    episode = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField(null=True, blank=True)
    fired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("time-based rule due")
        verbose_name_plural = _("time-based rules due")
        constraints = [
            models.UniqueConstraint(fields=["rule", "ticket"], name="timed_due_rule_ticket")
        ]
        indexes = [
            models.Index(fields=["due_at"], name="timed_due_at", condition=Q(due_at__isnull=False))
        ]

    def __str__(self) -> str:
        return f"{self.rule_id}/{self.ticket_id} @ {self.due_at}"
