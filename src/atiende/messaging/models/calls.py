"""Phone calls (issue 16, part 5): one row per call, told by the PBX or Twilio step by step, or
logged by hand by an agent.

Written only by ``messaging.channels.services.calls``. A call's ``state`` only moves forward
(``CALL_STATE_ORDER``): a late "ringing" after the call ended changes nothing. The ticket
holds the conversation; this row keeps what the ticket's text cannot be queried by (the
provider's id, the numbers, the agent, the times, the recording).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from atiende.messaging.models.channels import MAX_PROVIDER_ID, ChannelAccount

MAX_NUMBER = 255


class CallDirection(models.TextChoices):
    INBOUND = "inbound", _("Inbound")
    OUTBOUND = "outbound", _("Outbound")


class CallState(models.TextChoices):
    """``contract.CallState`` without "recorded" (a recording is not a step of the call)."""

    RINGING = "ringing", _("Ringing")
    ANSWERED = "answered", _("Answered")
    ENDED = "ended", pgettext_lazy("call state", "Ended")
    MISSED = "missed", _("Missed")


# A call never goes back: ended and missed are both final (the first one told wins).
CALL_STATE_ORDER = {
    CallState.RINGING: 0,
    CallState.ANSWERED: 1,
    CallState.ENDED: 2,
    CallState.MISSED: 2,
}


class Call(models.Model):
    """One phone call and where it was written down.

    ``account`` is empty for a call an agent logged by hand. ``provider_call_id`` (Twilio's
    CallSid, the PBX's unique id) is unique per account once given: every step of one call
    finds the same row. ``customer`` is found by the phone identity of the caller (inbound) or
    of the called number (outbound); ``agent`` by the PBX's extension or address
    (``agent_address``) when it names a staff member. ``message`` is the call's entry in the
    ticket's conversation (the call log, an internal note), which the recording is attached
    to; ``recording_note`` says why a recording was not attached (too large, not audio), the
    ``recording_url`` staying here so nothing is lost.
    """

    account = models.ForeignKey(
        ChannelAccount,
        verbose_name=_("account"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="calls",
    )
    provider_call_id = models.CharField(
        _("provider's call id"), max_length=MAX_PROVIDER_ID, blank=True, default=""
    )
    direction = models.CharField(
        _("direction"), max_length=8, choices=CallDirection.choices, default=CallDirection.INBOUND
    )
    caller = models.CharField(_("caller"), max_length=MAX_NUMBER, blank=True, default="")
    called = models.CharField(_("called"), max_length=MAX_NUMBER, blank=True, default="")
    agent_address = models.CharField(
        _("agent as the PBX names them"), max_length=MAX_NUMBER, blank=True, default=""
    )
    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("customer"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="calls",
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("agent"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="calls_taken",
    )
    state = models.CharField(
        _("state"), max_length=10, choices=CallState.choices, default=CallState.RINGING
    )
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    duration = models.PositiveIntegerField(_("duration (seconds)"), default=0)
    note = models.TextField(_("note"), blank=True, default="")
    recording_url = models.TextField(_("recording URL"), blank=True, default="")
    recording = models.ForeignKey(
        "tickets.Attachment",
        verbose_name=_("recording"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    recording_note = models.TextField(_("why the recording is not attached"), blank=True)
    ticket = models.ForeignKey(
        "tickets.Ticket",
        verbose_name=_("ticket"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="calls",
    )
    message = models.ForeignKey(
        "tickets.Message",
        verbose_name=_("call log entry"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("logged by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("call")
        verbose_name_plural = _("calls")
        constraints = [
            models.UniqueConstraint(
                fields=["account", "provider_call_id"],
                condition=~Q(provider_call_id=""),
                name="call_unique_provider_id",
            )
        ]
        indexes = [
            models.Index(fields=["account", "customer", "id"], name="call_customer"),
        ]

    def __str__(self) -> str:
        return f"{self.account_id} {self.provider_call_id or '-'} ({self.state})"
