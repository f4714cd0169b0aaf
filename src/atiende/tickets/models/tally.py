"""How many tickets share each (status, group, assignee): the rollup the inbox counts read."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class TicketTally(models.Model):
    """One count per (status, group, assignee); 0 stands for "no group" and "unassigned".

    Moved by the ticket services in the same transaction as the change (see
    ``atiende.tickets.tally``), so counting the open tickets of a team reads a few hundred rows
    here instead of every open ticket.
    """

    status = models.ForeignKey("tickets.Status", on_delete=models.CASCADE, related_name="+")
    group_key = models.BigIntegerField(_("group"), default=0)
    assignee_key = models.BigIntegerField(_("assignee"), default=0)
    count = models.IntegerField(_("tickets"), default=0)

    class Meta:
        verbose_name = _("ticket count")
        verbose_name_plural = _("ticket counts")
        constraints = [
            models.UniqueConstraint(
                fields=["status", "group_key", "assignee_key"], name="ticket_tally_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.status_id}/{self.group_key}/{self.assignee_key}: {self.count}"
