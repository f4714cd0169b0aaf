"""Reads of the bot: the deflection metric, and the buttons a reconnecting widget shows again.

Deflection: of the chats the bot dealt with in a period, the share it resolved without a
person. Each chat counts once, by its last outcome in the period: a chat the visitor said the
bot answered, and where they then asked for a person after all, counts as handed over.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Count, Max

from atiende.messaging.chat.bot import texts
from atiende.messaging.chat.bot.decision import QuickReply, Reply, ReplyKind
from atiende.messaging.chat.bot.services import language_of
from atiende.messaging.models import (
    BotConversation,
    BotOutcome,
    BotOutcomeKind,
    BotStage,
    ChatHandler,
    ChatSession,
)


@dataclass(frozen=True)
class Deflection:
    resolved: int = 0
    handed_over: int = 0
    # Hand-overs by reason (``HandoverReason`` values).
    reasons: dict[str, int] = field(default_factory=dict)

    @property
    def chats(self) -> int:
        return self.resolved + self.handed_over

    @property
    def rate(self) -> float | None:
        """resolved / (resolved + handed over); ``None`` when the bot dealt with no chat."""
        return self.resolved / self.chats if self.chats else None


def deflection(
    since: datetime, until: datetime | None = None, *, widget_id: int | None = None
) -> Deflection:
    """The bot's outcomes from ``since`` up to ``until`` (excluded), per widget if given.

    Two queries whatever the traffic: each chat's last outcome in the period, then those
    outcomes counted by kind and reason.
    """
    outcomes = BotOutcome.objects.filter(created_at__gte=since)
    if until is not None:
        outcomes = outcomes.filter(created_at__lt=until)
    if widget_id is not None:
        outcomes = outcomes.filter(widget_id=widget_id)
    last = outcomes.values("session_id").annotate(last=Max("pk")).values("last")
    counted = (
        BotOutcome.objects.filter(pk__in=last).values("kind", "reason").annotate(n=Count("pk"))
    )
    resolved, handed_over = 0, 0
    reasons: dict[str, int] = {}
    for row in counted:
        if row["kind"] == BotOutcomeKind.RESOLVED:
            resolved += row["n"]
        else:
            handed_over += row["n"]
            reasons[row["reason"]] = reasons.get(row["reason"], 0) + row["n"]
    return Deflection(resolved=resolved, handed_over=handed_over, reasons=reasons)


def pending_quick_replies(session: ChatSession) -> list[dict[str, str]]:
    """The buttons under the bot's last reply, for a widget that (re)connects; none when the
    chat is not the bot's or the bot asked nothing."""
    if session.handled_by != ChatHandler.BOT or session.pk is None:
        return []
    stage = (
        BotConversation.objects.filter(session_id=session.pk)
        .values_list("stage", flat=True)
        .first()
    )
    if stage == BotStage.OFFERED:
        reply = Reply(ReplyKind.OFFER, quick_replies=(QuickReply.YES, QuickReply.PERSON))
    elif stage == BotStage.RETRY:
        reply = Reply(ReplyKind.NOTHING_FOUND, quick_replies=(QuickReply.PERSON,))
    else:
        return []
    return texts.quick_replies(reply, language_of(session))
