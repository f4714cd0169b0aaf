"""Satisfaction tables: the settings, survey requests and their answers, opt-outs, and the
agents' pulse, whose answers are kept apart from who answered (see ``docs/surveys.md``)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Scale(models.TextChoices):
    GOOD_BAD = "good_bad", _("Good / bad")
    FIVE = "five", _("1 to 5")
    NPS = "nps", _("0 to 10")


class Kind(models.TextChoices):
    CSAT = "csat", _("Satisfaction (CSAT)")
    NPS = "nps", _("Recommendation (NPS)")


class SurveySettings(models.Model):
    """The one row of survey settings (``pk=1``), editable by admins."""

    csat_enabled = models.BooleanField(_("CSAT surveys"), default=True)
    csat_scale = models.CharField(
        _("CSAT scale"),
        max_length=16,
        choices=[(Scale.GOOD_BAD, Scale.GOOD_BAD.label), (Scale.FIVE, Scale.FIVE.label)],
        default=Scale.GOOD_BAD,
    )
    allow_change = models.BooleanField(_("customers may change their rating"), default=True)
    change_days = models.PositiveIntegerField(_("days to change a rating"), default=7)
    link_days = models.PositiveIntegerField(_("days a survey link works"), default=30)
    nps_enabled = models.BooleanField(_("NPS surveys"), default=False)
    nps_quiet_days = models.PositiveIntegerField(_("days between NPS surveys"), default=90)
    pulse_enabled = models.BooleanField(_("agent pulse"), default=True)
    pulse_every_days = models.PositiveIntegerField(_("days between pulse rounds"), default=14)
    pulse_min_answers = models.PositiveIntegerField(
        _("fewest answers a pulse report shows"), default=5
    )

    class Meta:
        verbose_name = _("survey settings")
        verbose_name_plural = _("survey settings")

    def __str__(self) -> str:
        return "survey settings"


class SurveyRequest(models.Model):
    """One survey asked of one customer: a CSAT for a ticket's resolution episode (the n-th
    time it was solved) or an NPS. ``token`` is the secret the signed links carry; ``rating``
    is the current answer (the last one wins), every answer is kept in ``RatingChange``."""

    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.CSAT)
    ticket = models.ForeignKey(
        "tickets.Ticket", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    episode = models.PositiveIntegerField(default=1)
    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    # The agent and group the ticket had when it was solved (reports per agent and group).
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    group = models.ForeignKey(
        "accounts.Group", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    scale = models.CharField(max_length=16, choices=Scale.choices)
    token = models.CharField(max_length=64, unique=True)
    language = models.CharField(max_length=8, default="")
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    mailed = models.BooleanField(default=False)
    rating = models.SmallIntegerField(null=True, blank=True)
    comment = models.TextField(blank=True, default="")
    rated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["ticket", "episode"],
                condition=models.Q(kind="csat"),
                name="surveys_one_csat_per_episode",
            )
        ]
        indexes = [
            models.Index(fields=["kind", "created_at"]),
            models.Index(fields=["customer", "kind", "created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ticket {self.ticket_id} episode {self.episode}"


class RatingChange(models.Model):
    """Every answer given to a request, in order: the history behind its current rating."""

    request = models.ForeignKey(SurveyRequest, on_delete=models.CASCADE, related_name="history")
    rating = models.SmallIntegerField()
    old_rating = models.SmallIntegerField(null=True, blank=True)
    via = models.CharField(max_length=16)  # "email" or "portal"
    at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.request_id}: {self.old_rating} → {self.rating}"


class SurveyOptOut(models.Model):
    """A customer who asked for no more surveys."""

    customer = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    at = models.DateTimeField()

    def __str__(self) -> str:
        return f"opt-out {self.customer_id}"


class PulseRound(models.Model):
    """One round of the agents' pulse survey (rounds follow each other every N days)."""

    number = models.PositiveIntegerField(unique=True)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"pulse round {self.number}"


class PulseParticipation(models.Model):
    """Who answered (or dismissed) a round, so nobody is asked twice. Holds no answer."""

    round = models.ForeignKey(PulseRound, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    answered = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["round", "user"], name="surveys_pulse_once_per_round")
        ]

    def __str__(self) -> str:
        return f"round {self.round_id}: {self.user_id}"


class PulseAnswer(models.Model):
    """One agent's answers to a round, with no link to the agent: a random id (no insertion
    order to line up with the participation rows), no time, only the round and one group."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    round = models.ForeignKey(PulseRound, on_delete=models.CASCADE, related_name="+")
    group = models.ForeignKey(
        "accounts.Group", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    tools = models.PositiveSmallIntegerField()
    workload = models.PositiveSmallIntegerField()
    support = models.PositiveSmallIntegerField()
    comment = models.TextField(blank=True, default="")

    def __str__(self) -> str:
        return f"answer {self.pk}"
