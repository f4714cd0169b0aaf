"""The outbox: one row per effect that must follow a committed change.

A row is written inside the change's own transaction (``services.enqueue``), so the change and
the promise of its effect commit or roll back together. Delivery (``delivery``) runs the kind's
handler after the commit: at once in the process that made the change, else by the worker's
sweep, which reads only the rows whose ``next_attempt_at`` has come. Live events are not
outbox rows: the ``realtime`` log is written in the change's transaction and is its own durable
outbox (``docs/decisions/0002``).
"""

from __future__ import annotations

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _


class EffectState(models.TextChoices):
    PENDING = "pending", _("pending")
    DELIVERED = "delivered", _("delivered")
    FAILED = "failed", _("failed")


class Effect(models.Model):
    """One effect to deliver: its kind, a key that makes delivering it twice harmless, and
    the ids and plain values its handler needs."""

    kind = models.CharField(_("kind"), max_length=64)
    key = models.CharField(_("idempotency key"), max_length=200, unique=True)
    payload = models.JSONField(_("payload"), default=dict, encoder=DjangoJSONEncoder)
    state = models.CharField(
        _("state"), max_length=10, choices=EffectState.choices, default=EffectState.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)

    class Meta:
        verbose_name = _("outbox effect")
        verbose_name_plural = _("outbox effects")
        indexes = [
            # The sweep's only read: pending rows that are due, oldest first ("time is data").
            models.Index(
                fields=["next_attempt_at"],
                name="outbox_effect_due",
                condition=models.Q(state="pending"),
            ),
            models.Index(fields=["state", "created_at"], name="outbox_effect_state"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.key} ({self.state})"
