"""Macros: a reply text with placeholders plus actions, personal or shared (with everyone or
one group); canned responses are macros without actions."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Macro(models.Model):
    """A reusable reply (Markdown with ``{{ ticket.number }}``-style placeholders, possibly
    empty) and a list of actions (``automation.actions``) applied to the ticket with it.

    Shared macros (no owner) are for every agent, or for one group's agents; personal ones are
    their owner's alone.
    """

    name = models.CharField(_("name"), max_length=200)
    body = models.TextField(_("text"), blank=True)
    actions = models.JSONField(_("actions"), default=list, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="macros",
        help_text=_("Empty: shared with the team."),
    )
    group = models.ForeignKey(
        "accounts.Group",
        verbose_name=_("group"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="macros",
        help_text=_("Empty: for every group."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("macro")
        verbose_name_plural = _("macros")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class MacroUsage(models.Model):
    """How often one agent applied one macro (for sorting by use and for reports)."""

    macro = models.ForeignKey(
        Macro, verbose_name=_("macro"), on_delete=models.CASCADE, related_name="usages"
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("agent"),
        on_delete=models.CASCADE,
        related_name="macro_usages",
    )
    count = models.PositiveIntegerField(_("times used"), default=0)
    last_used_at = models.DateTimeField(_("last used"))

    class Meta:
        verbose_name = _("macro usage")
        verbose_name_plural = _("macro usages")
        constraints = [
            models.UniqueConstraint(fields=["macro", "agent"], name="macro_usage_per_agent")
        ]

    def __str__(self) -> str:
        return f"{self.macro_id}/{self.agent_id}: {self.count}"
