"""The live event log and who is looking at which ticket, shared by every process.

The in-memory channel layer does not cross processes (``docs/decisions/0002``), so changes
are appended to ``LiveEvent`` in the process where they happen and each web process reads the
log forward from the last id it saw. ``Presence`` rows, refreshed by heartbeats, say who views
or types on a ticket; a row not refreshed within the presence TTL counts as gone.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class LiveEvent(models.Model):
    """One thing a browser may want to know at once; read by id order, purged after a while.

    The routing columns (group, assignee, requester, user) are copied from the ticket when the
    event is written, so a web process decides who receives it without reading the ticket.
    ``user_id`` set means a personal event (a notification) for that user only.
    """

    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    type = models.CharField(_("type"), max_length=32)
    ticket_id = models.BigIntegerField(_("ticket"), null=True, blank=True)
    group_id = models.BigIntegerField(_("group"), null=True, blank=True)
    assignee_id = models.BigIntegerField(_("assignee"), null=True, blank=True)
    requester_id = models.BigIntegerField(_("requester"), null=True, blank=True)
    user_id = models.BigIntegerField(_("user"), null=True, blank=True)
    payload = models.JSONField(_("payload"), default=dict)

    class Meta:
        verbose_name = _("live event")
        verbose_name_plural = _("live events")
        # The primary key index serves ``id > last ORDER BY id``; this one the purge.
        indexes = [models.Index(fields=["created_at"], name="liveevent_created")]

    def __str__(self) -> str:
        return f"{self.pk} {self.type}"


class Presence(models.Model):
    """One open socket watching one ticket; ``seen_at`` is its last heartbeat."""

    connection = models.CharField(_("connection"), max_length=64, unique=True)
    ticket_id = models.BigIntegerField(_("ticket"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    seen_at = models.DateTimeField(_("seen"))
    typing_at = models.DateTimeField(_("typing"), null=True, blank=True)

    class Meta:
        verbose_name = _("presence")
        verbose_name_plural = _("presences")
        indexes = [models.Index(fields=["ticket_id", "seen_at"], name="presence_ticket_seen")]

    def __str__(self) -> str:
        return f"{self.user_id} on {self.ticket_id}"
