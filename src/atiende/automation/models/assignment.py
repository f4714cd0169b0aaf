"""How each group hands out its new tickets (issue 14, assignment strategies)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Strategy(models.TextChoices):
    MANUAL = "manual", _("Manual")
    ROUND_ROBIN = "round_robin", _("Round robin")
    LEAST_LOAD = "least_load", _("Fewest open tickets")
    SKILLS = "skills", _("Skills")
    AFFINITY = "affinity", _("Last agent who helped the customer")


# What affinity falls back to when the customer's last agent is unavailable.
FALLBACKS = (Strategy.ROUND_ROBIN, Strategy.LEAST_LOAD, Strategy.SKILLS)


class GroupAssignment(models.Model):
    """A group's assignment settings, and the row every decision for the group locks.

    Locking it (``SELECT … FOR UPDATE``) serialises the group's decisions across processes, so
    two tickets arriving at once never both take an agent's last free slot; round-robin keeps
    its cursor here for the same reason.
    """

    group = models.OneToOneField(
        "accounts.Group", on_delete=models.CASCADE, primary_key=True, related_name="assignment"
    )
    strategy = models.CharField(
        _("strategy"), max_length=16, choices=Strategy.choices, default=Strategy.MANUAL
    )
    fallback = models.CharField(
        _("fallback strategy"),
        max_length=16,
        choices=[(s.value, s.label) for s in FALLBACKS],
        default=Strategy.LEAST_LOAD,
        help_text=_("For affinity: used when the customer's last agent is not available."),
    )
    match_language = models.BooleanField(
        _("prefer agents who speak the ticket's language"), default=True
    )
    last_assigned = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("last agent assigned"),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("group assignment")
        verbose_name_plural = _("group assignment")

    def __str__(self) -> str:
        return f"{self.group_id}: {self.strategy}"
