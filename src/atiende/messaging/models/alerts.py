"""Monitoring alerts (issue 16, part 6): which ticket an alert's key is being handled on.

Written only by ``messaging.channels.services.alerts``. One *live* incident per account and
key (firing or resolved, its ticket not known to be closed): a repeat folds into its ticket, a
recovery finds it. When its ticket turns out closed the incident *ends*, and the key's next
firing opens a new ticket with a new incident; ended incidents stay as the alert's history.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from atiende.messaging.models.channels import MAX_PROVIDER_ID, ChannelAccount


class AlertIncidentState(models.TextChoices):
    FIRING = "firing", _("Firing")
    RESOLVED = "resolved", _("Resolved")
    ENDED = "ended", _("Ended")  # its ticket was closed: the key's next firing opens a new one


class AlertIncident(models.Model):
    """One alert key's problem on one ticket: how often it fired, and whether it is over.

    ``flooded`` incidents were folded into the account's flood ticket (more new alerts than
    the account's threshold within its window) instead of opening their own. ``occurrence`` is
    the monitor's id of the current firing (Alertmanager's ``startsAt``, Zabbix's event id)
    when it gives one: the same firing delivered again is recognised and not counted twice.
    """

    account = models.ForeignKey(
        ChannelAccount,
        verbose_name=_("account"),
        on_delete=models.PROTECT,
        related_name="alert_incidents",
    )
    key = models.CharField(_("alert key"), max_length=MAX_PROVIDER_ID)
    ticket = models.ForeignKey(
        "tickets.Ticket",
        verbose_name=_("ticket"),
        on_delete=models.CASCADE,
        related_name="alert_incidents",
    )
    state = models.CharField(
        _("state"),
        max_length=10,
        choices=AlertIncidentState.choices,
        default=AlertIncidentState.FIRING,
    )
    flooded = models.BooleanField(_("folded into a flood ticket"), default=False)
    title = models.CharField(_("title"), max_length=255, blank=True, default="")
    occurrence = models.CharField(
        _("monitor's id of the firing"), max_length=64, blank=True, default=""
    )
    count = models.PositiveIntegerField(_("times fired"), default=1)
    first_at = models.DateTimeField(_("first fired at"))
    last_at = models.DateTimeField(_("last fired at"))
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)

    class Meta:
        verbose_name = _("alert incident")
        verbose_name_plural = _("alert incidents")
        constraints = [
            models.UniqueConstraint(
                fields=["account", "key"],
                condition=~Q(state="ended"),
                name="alert_incident_one_live_per_key",
            )
        ]
        indexes = [
            # The flood check: tickets opened by new alerts on an account within the window.
            models.Index(fields=["account", "flooded", "first_at"], name="alert_incident_window"),
        ]

    def __str__(self) -> str:
        return f"{self.account_id} {self.key} → {self.ticket_id} ({self.state} ×{self.count})"
