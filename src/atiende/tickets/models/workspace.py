"""What agents keep around their tickets: time spent, saved views, drafts."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class TimeEntry(models.Model):
    """Time an agent spent on a ticket: a running timer, a stopped one, or a manual entry."""

    ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.CASCADE, related_name="time_entries"
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("agent"),
        on_delete=models.PROTECT,
        related_name="time_entries",
    )
    seconds = models.PositiveIntegerField(_("seconds"), default=0)
    note = models.CharField(_("note"), max_length=500, blank=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    running = models.BooleanField(_("running"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("time entry")
        verbose_name_plural = _("time entries")
        indexes = [
            models.Index(fields=["ticket", "created_at"], name="time_ticket"),
            models.Index(fields=["agent", "created_at"], name="time_agent"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["agent", "ticket"], condition=Q(running=True), name="one_running_timer"
            )
        ]

    def __str__(self) -> str:
        return f"{self.agent_id} #{self.ticket_id} {self.seconds}s"


class SavedView(models.Model):
    """An inbox view: the API's ticket filters, the columns shown and the sort, by name."""

    name = models.CharField(_("name"), max_length=100)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.CASCADE,
        related_name="saved_views",
    )
    shared = models.BooleanField(_("shared with the team"), default=False)
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    columns = models.JSONField(_("columns"), default=list, blank=True)
    sort = models.CharField(_("sort"), max_length=20, default="-created_at")
    position = models.PositiveIntegerField(_("position"), default=0)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("saved view")
        verbose_name_plural = _("saved views")
        ordering = ["position", "name", "id"]

    def __str__(self) -> str:
        return self.name


class Draft(models.Model):
    """What an agent is writing on a ticket and has not sent yet: theirs alone.

    Kept on the server (not in the browser) so it follows the agent to another device; one per
    agent and ticket, a reply or an internal note as ``public`` says. Sending clears it. A draft
    is no change to the ticket: it has no history, no event and no effect.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("agent"),
        on_delete=models.CASCADE,
        related_name="drafts",
    )
    ticket = models.ForeignKey(
        "tickets.Ticket", verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="+"
    )
    body = models.TextField(_("text"), blank=True)
    public = models.BooleanField(_("public reply"), default=True)
    updated_at = models.DateTimeField(_("updated"))

    class Meta:
        verbose_name = _("draft")
        verbose_name_plural = _("drafts")
        constraints = [
            models.UniqueConstraint(fields=["user", "ticket"], name="draft_one_per_agent_ticket")
        ]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.ticket_id}"
