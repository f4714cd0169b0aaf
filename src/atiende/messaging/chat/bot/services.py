"""The bot answers a visitor's message: reads the inputs, asks ``decision``, applies it.

One transaction per message: the bot's state row is locked first (two messages of one chat
are answered one after the other), the replies are written into the chat's ticket through
``tickets.services`` as public messages by the system (so they are the transcript, and an
agent's reply — not the bot's — is what marks a chat taken up), the outcome is recorded and a
hand-over moves the chat to the queue, where assignment picks it up (``ChatQueued``): until
then its ticket is nobody's. Only chats handled by the bot are answered, and each
visitor message at most once (a resend after a reconnection is not answered again).

A yes to the articles offered resolves the chat (``resolve``): its ticket is solved by the bot
in the same transaction, with an internal note naming the articles, so it never waits in the
team's unassigned tickets. The chat stays the bot's: when the visitor writes again, their
message reopens the ticket (as any customer reply to a solved ticket does) and the bot answers
it as usual, handing over when asked.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from atiende.core.actor import Actor, Source
from atiende.core.errors import AtiendeError
from atiende.core.language import default_language
from atiende.messaging.chat import services as chat
from atiende.messaging.chat.bot import decision, search, texts
from atiende.messaging.chat.bot.decision import BotState, ReplyKind, Situation
from atiende.messaging.chat.selectors import agents_available
from atiende.messaging.models import (
    BotConversation,
    BotOutcome,
    BotOutcomeKind,
    BotStage,
    ChatHandler,
    ChatSession,
)
from atiende.tickets import services as tickets
from atiende.tickets.models import Channel, Message, StatusCategory
from atiende.tickets.selectors import inbound_message_on
from atiende.tickets.services.common import first_status_in

LANGUAGES = ("es", "en")
# The reason of the queuing (``ChatQueued.reason``) of a chat resolved whose ticket the
# workflow would not let the bot solve.
UNSOLVED = "unsolved"


def bot_actor(widget_id: int) -> Actor:
    """The bot writing into a chat's ticket: the system, named for the audit trail."""
    return Actor(user=None, source=Source.SYSTEM, detail=f"chat-bot:{widget_id}")


@dataclass(frozen=True)
class BotTurn:
    """What the bot did with one message, for the visitor's socket.

    The replies themselves reach the widget as transcript messages (``message_ids``); the
    socket adds the buttons (``quick_replies``) and, with ``handed_over``, tells the widget a
    person takes over (``agents_available`` says whether one is online now).
    """

    message_ids: list[int] = field(default_factory=list)
    quick_replies: list[dict[str, str]] = field(default_factory=list)
    articles: list[dict[str, str]] = field(default_factory=list)
    handed_over: bool = False
    reason: str = ""
    resolved: bool = False
    agents_available: bool = True


def language_of(session: ChatSession) -> str:
    """The bot speaks the widget's language, else the visitor's browser's, else the default."""
    for code in (session.widget.language, session.language):
        if code in LANGUAGES:
            return code
    fallback = default_language()
    return fallback if fallback in LANGUAGES else "es"


def _locked_conversation(session_id: int) -> BotConversation:
    """The chat's bot state, created on its first message, locked for this transaction."""
    if not BotConversation.objects.filter(session_id=session_id).exists():
        try:
            with transaction.atomic():
                BotConversation.objects.create(session_id=session_id)
        except IntegrityError:  # another socket of the visitor created it a moment ago
            pass
    return BotConversation.objects.select_for_update().get(session_id=session_id)


def _bots_chat(session_id: int) -> bool:
    return ChatSession.objects.filter(
        pk=session_id, handled_by=ChatHandler.BOT, ticket__isnull=False
    ).exists()


def answer(session_id: int, message_id: int, *, quick_reply: str | None = None) -> BotTurn | None:
    """Answer the visitor's message ``message_id`` of chat ``session_id``; ``None`` when the
    bot does not answer it (the chat is not the bot's, or this message was answered before).

    ``quick_reply`` is the code of the button the visitor clicked (``"yes"``, ``"person"``).
    """
    if not _bots_chat(session_id):
        return None
    with transaction.atomic():
        conversation = _locked_conversation(session_id)
        session = ChatSession.objects.select_related("widget").get(pk=session_id)
        if session.handled_by != ChatHandler.BOT or session.ticket_id is None:
            return None  # an agent or a hand-over came first
        if message_id <= conversation.last_message_id:
            return None
        message = inbound_message_on(session.ticket_id, message_id)
        if message is None:
            return None
        state = BotState(conversation.stage, conversation.misses, tuple(conversation.offered))
        language = language_of(session)
        intent = decision.read_message(state, message.body_text, quick_reply)
        widget = session.widget
        situation = Situation(
            bot_enabled=widget.bot_enabled,
            knowledge_base=search.has_knowledge_base(language),
            agents_available=agents_available(widget),
        )
        found = (
            search.find_articles(message.body_text, language)
            if decision.needs_search(state, intent, situation)
            else []
        )
        decided = decision.decide(state, intent, found, situation)
        turn = _apply(session, conversation, message, decided, language)
    return turn


def _apply(
    session: ChatSession,
    conversation: BotConversation,
    message: Message,
    decided: decision.Decision,
    language: str,
) -> BotTurn:
    assert session.ticket_id is not None
    actor = bot_actor(session.widget_id)
    written: list[int] = []
    buttons: list[dict[str, str]] = []
    articles: list[dict[str, str]] = []
    outcome = decided.outcome
    solved = True
    if outcome is not None and outcome.kind == BotOutcomeKind.RESOLVED:
        solved = resolve(actor, ticket_id=session.ticket_id, offered=outcome.articles)
        if not solved:  # the workflow keeps it open: the team's to close, so assigned now
            chat.hand_to_queue(actor, session_id=session.pk, reason=UNSOLVED)
    for reply in decided.replies:
        posted = tickets.add_message(
            actor,
            ticket_id=session.ticket_id,
            body=texts.render(reply, language, solved=solved),
            public=True,
            channel=Channel.CHAT,
        )
        written.append(posted.pk)
        buttons = texts.quick_replies(reply, language)
        articles = [{"title": a.title, "url": a.url, "excerpt": a.excerpt} for a in reply.articles]
    if outcome is not None:
        BotOutcome.objects.create(
            session=session,
            widget_id=session.widget_id,
            kind=outcome.kind,
            reason=outcome.reason,
            articles=list(outcome.articles),
        )
    if decided.handed_over:  # the chat is queued: assignment gives it to an agent now
        reason = outcome.reason if outcome is not None else ""
        chat.hand_to_queue(actor, session_id=session.pk, reason=reason)
    state = decided.state
    conversation.stage, conversation.misses = state.stage, state.misses
    conversation.offered = list(state.offered)
    conversation.last_message_id = message.pk
    conversation.updated_at = timezone.now()
    conversation.save()
    handover = next((r for r in decided.replies if r.kind == ReplyKind.HANDOVER), None)
    return BotTurn(
        message_ids=written,
        quick_replies=buttons,
        articles=articles,
        handed_over=decided.handed_over,
        reason=outcome.reason if outcome is not None else "",
        resolved=state.stage == BotStage.RESOLVED,
        agents_available=handover.agents_available if handover is not None else True,
    )


def resolve(actor: Actor, *, ticket_id: int, offered: Sequence[int]) -> bool:
    """Solve the chat's ticket the visitor said the bot answered (in the caller's transaction),
    with an internal note naming the articles offered; True when it is solved.

    The bot acts as the system (``bot_actor``: the history names the widget's bot), so the
    ticket leaves the unassigned tickets and no assignment waits for it. A workflow that
    refuses the move to solved (or has no solved status) leaves the ticket as it was, and the
    note says why; the visitor is then not told it was solved, and the caller hands the chat
    to the team.
    """
    with translation.override(default_language()):
        target = first_status_in(StatusCategory.SOLVED)
        refused = "" if target is not None else _("No active solved status is configured.")
        if target is not None:
            try:  # a savepoint of its own (``update_ticket``): a refusal writes nothing
                tickets.change_status(actor, ticket_id=ticket_id, status=target.key)
            except AtiendeError as error:
                refused = str(error.detail)
        hits = search.offered_articles(offered)
        found = {hit.translation_id for hit in hits}
        missing = [pk for pk in offered if pk not in found]
        note = texts.resolved_note(hits, missing, refused, translation.get_language())
    tickets.add_message(actor, ticket_id=ticket_id, body=note, public=False, channel=Channel.CHAT)
    return not refused
