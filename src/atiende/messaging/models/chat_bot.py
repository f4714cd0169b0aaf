"""The bot in front of the live chat (issue 16, part 3): where each chat stands with the bot,
and what the bot achieved (the deflection metric).

Written only by ``messaging.chat.bot.services``. ``BotConversation`` is the bot's memory of one
chat (what it offered, how often it missed); ``BotOutcome`` is append-only: every hand-over to
a person (with its reason) and every question the visitor said the bot answered.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class BotStage(models.TextChoices):
    """Where the bot is with a chat."""

    NEW = "new", _("Not yet answered")
    # Articles were offered: the next message may be the answer to "does this answer it?".
    OFFERED = "offered", _("Articles offered")
    # Nothing matched, or the visitor said no: the next message is read as a new question.
    RETRY = "retry", _("Asked to rephrase")
    RESOLVED = "resolved", _("Resolved by the bot")
    HANDED_OVER = "handed_over", _("Handed over to a person")


class BotConversation(models.Model):
    """The bot's state for one chat; one row per chat the bot answered at least once."""

    session = models.OneToOneField(
        "messaging.ChatSession",
        verbose_name=_("chat"),
        on_delete=models.CASCADE,
        related_name="bot",
    )
    stage = models.CharField(
        _("stage"), max_length=12, choices=BotStage.choices, default=BotStage.NEW
    )
    misses = models.PositiveSmallIntegerField(_("misses"), default=0)
    # The translation ids offered last (what a "yes" says was helpful).
    offered = models.JSONField(_("articles offered"), default=list, blank=True)
    # The last visitor message the bot answered: a message is answered at most once.
    last_message_id = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("bot conversation")
        verbose_name_plural = _("bot conversations")

    def __str__(self) -> str:
        return f"{self.session_id}: {self.stage}"


class BotOutcomeKind(models.TextChoices):
    RESOLVED = "resolved", _("Resolved by the bot")
    HANDED_OVER = "handed_over", _("Handed over to a person")


class HandoverReason(models.TextChoices):
    ASKED = "asked", _("The visitor asked for a person")
    KEYWORD = "keyword", _("The visitor's words asked for a person")
    SECOND_MISS = "second_miss", _("The bot missed twice")
    NO_KB = "no_kb", _("No knowledge base to answer from")
    BOT_OFF = "bot_off", _("The widget's bot was switched off")


class BotOutcome(models.Model):
    """A hand-over to a person or a question resolved by the bot, when and why."""

    session = models.ForeignKey(
        "messaging.ChatSession",
        verbose_name=_("chat"),
        on_delete=models.CASCADE,
        related_name="bot_outcomes",
    )
    widget = models.ForeignKey(
        "messaging.ChatWidget",
        verbose_name=_("widget"),
        on_delete=models.CASCADE,
        related_name="bot_outcomes",
    )
    kind = models.CharField(_("outcome"), max_length=12, choices=BotOutcomeKind.choices)
    reason = models.CharField(
        _("reason"), max_length=12, choices=HandoverReason.choices, blank=True, default=""
    )
    # The translation ids offered before this outcome (a "yes" credits these).
    articles = models.JSONField(_("articles offered"), default=list, blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("bot outcome")
        verbose_name_plural = _("bot outcomes")

    def __str__(self) -> str:
        return f"{self.session_id}: {self.kind} {self.reason}".rstrip()
