"""What the bot does with one visitor message: a pure function, no database, no clock.

``read_message`` says what the message is (a request for a person, a yes, a no, a question);
``decide`` takes the bot's state, that reading and the articles the knowledge base found for
the question, and returns the replies to write, the next state and the outcome to record.
``services.answer`` reads the inputs and applies the result.

The rules (docs/admin/chat.md, "Bot"):

- the widget's bot is off → hand over (``bot_off``); no public article in the visitor's
  language → greet and hand over (``no_kb``);
- the quick reply "talk to a person" → hand over (``asked``); words asking for one →
  hand over (``keyword``);
- after articles were offered, a yes → resolved by the bot; a no → a miss;
- a question → up to ``MAX_ARTICLES`` articles and "Does this answer your question?", or,
  when nothing matched, a miss;
- the second miss (nothing found, or a no) → hand over (``second_miss``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from enum import StrEnum

from atiende.messaging.chat.bot import keywords
from atiende.messaging.models.chat_bot import BotOutcomeKind, BotStage, HandoverReason

MAX_ARTICLES = 3
MISSES_BEFORE_HANDOVER = 2


class Intent(StrEnum):
    ASKED_FOR_PERSON = "asked"  # the quick reply
    NAMED_PERSON = "keyword"  # the visitor's own words
    YES = "yes"
    NO = "no"
    QUESTION = "question"


class QuickReply(StrEnum):
    """The buttons the widget may show under a bot reply; a click sends its code."""

    YES = "yes"
    PERSON = "person"


class ReplyKind(StrEnum):
    OFFER = "offer"  # articles and "Does this answer your question?"
    NOTHING_FOUND = "nothing_found"  # no article: say it in other words
    ASK_AGAIN = "ask_again"  # after a no: say it in other words
    GLAD = "glad"  # after a yes
    HANDOVER = "handover"  # a person takes over


@dataclass(frozen=True)
class ArticleHit:
    """An article found for the question, as the visitor is shown it."""

    translation_id: int
    title: str
    url: str
    excerpt: str


@dataclass(frozen=True)
class BotState:
    stage: str = BotStage.NEW
    misses: int = 0
    offered: tuple[int, ...] = ()


@dataclass(frozen=True)
class Reply:
    kind: ReplyKind
    articles: tuple[ArticleHit, ...] = ()
    quick_replies: tuple[QuickReply, ...] = ()
    # The first thing the bot says in this chat opens with a greeting.
    greet: bool = False
    # For a hand-over: whether someone of the team is online to take it now.
    agents_available: bool = True


@dataclass(frozen=True)
class Outcome:
    kind: str
    reason: str = ""
    articles: tuple[int, ...] = ()


@dataclass(frozen=True)
class Decision:
    state: BotState
    replies: tuple[Reply, ...] = ()
    outcome: Outcome | None = None

    @property
    def handed_over(self) -> bool:
        return self.state.stage == BotStage.HANDED_OVER


@dataclass(frozen=True)
class Situation:
    """What the bot knows beyond the message: the widget's switch, the knowledge base, the team."""

    bot_enabled: bool = True
    knowledge_base: bool = True
    agents_available: bool = True


def read_message(state: BotState, text: str, quick_reply: str | None = None) -> Intent:
    """What ``text`` (or the quick reply clicked) means, given where the bot is."""
    if quick_reply == QuickReply.PERSON:
        return Intent.ASKED_FOR_PERSON
    if quick_reply == QuickReply.YES and state.stage == BotStage.OFFERED:
        return Intent.YES
    if keywords.asks_for_person(text):
        return Intent.NAMED_PERSON
    if state.stage == BotStage.OFFERED:
        if keywords.says_yes(text):
            return Intent.YES
        if keywords.says_no(text):
            return Intent.NO
    return Intent.QUESTION


def needs_search(state: BotState, intent: Intent, situation: Situation) -> bool:
    """Whether ``decide`` will look at articles (the caller searches only then)."""
    return (
        intent == Intent.QUESTION
        and state.stage != BotStage.HANDED_OVER
        and situation.bot_enabled
        and situation.knowledge_base
    )


def _hand_over(state: BotState, reason: str, situation: Situation) -> Decision:
    reply = Reply(
        ReplyKind.HANDOVER,
        greet=state.stage == BotStage.NEW,
        agents_available=situation.agents_available,
    )
    return Decision(
        state=BotState(stage=BotStage.HANDED_OVER, misses=state.misses, offered=state.offered),
        replies=(reply,),
        outcome=Outcome(BotOutcomeKind.HANDED_OVER, reason, state.offered),
    )


def _missed(state: BotState, kind: ReplyKind, situation: Situation) -> Decision:
    misses = state.misses + 1
    if misses >= MISSES_BEFORE_HANDOVER:
        return _hand_over(replace(state, misses=misses), HandoverReason.SECOND_MISS, situation)
    reply = Reply(kind, quick_replies=(QuickReply.PERSON,), greet=state.stage == BotStage.NEW)
    return Decision(state=BotState(BotStage.RETRY, misses, ()), replies=(reply,))


def decide(
    state: BotState, intent: Intent, found: Sequence[ArticleHit], situation: Situation
) -> Decision:
    """The replies, next state and outcome for one visitor message (see the module's rules)."""
    if state.stage == BotStage.HANDED_OVER:
        return Decision(state=state)
    if not situation.bot_enabled:
        return _hand_over(state, HandoverReason.BOT_OFF, situation)
    if not situation.knowledge_base:
        return _hand_over(state, HandoverReason.NO_KB, situation)
    if intent == Intent.ASKED_FOR_PERSON:
        return _hand_over(state, HandoverReason.ASKED, situation)
    if intent == Intent.NAMED_PERSON:
        return _hand_over(state, HandoverReason.KEYWORD, situation)
    if intent == Intent.YES:
        return Decision(
            state=BotState(BotStage.RESOLVED, 0, ()),
            replies=(Reply(ReplyKind.GLAD),),
            outcome=Outcome(BotOutcomeKind.RESOLVED, "", state.offered),
        )
    if intent == Intent.NO:
        return _missed(state, ReplyKind.ASK_AGAIN, situation)
    articles = tuple(found[:MAX_ARTICLES])
    if not articles:
        return _missed(state, ReplyKind.NOTHING_FOUND, situation)
    offer = Reply(
        ReplyKind.OFFER,
        articles=articles,
        quick_replies=(QuickReply.YES, QuickReply.PERSON),
        greet=state.stage == BotStage.NEW,
    )
    offered = tuple(article.translation_id for article in articles)
    return Decision(state=BotState(BotStage.OFFERED, state.misses, offered), replies=(offer,))
