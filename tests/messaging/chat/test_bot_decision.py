"""The bot's rules as a table (no database): state + message + articles found → replies, next
state, outcome; and the visitor's words read in Spanish and English, with and without accents,
in any case."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from atiende.messaging.chat.bot import keywords
from atiende.messaging.chat.bot.decision import (
    ArticleHit,
    BotState,
    Intent,
    QuickReply,
    ReplyKind,
    Situation,
    decide,
    needs_search,
    read_message,
)
from atiende.messaging.models import BotOutcomeKind, BotStage, HandoverReason

HIT = ArticleHit(7, "Cómo restablecer la contraseña", "https://x.test/help/es/articles/1-a/", "")
HITS = [HIT, ArticleHit(8, "B", "u", ""), ArticleHit(9, "C", "u", ""), ArticleHit(10, "D", "u", "")]
NEW = BotState()
OFFERED = BotState(BotStage.OFFERED, 0, (7, 8, 9))
OFFERED_AFTER_MISS = BotState(BotStage.OFFERED, 1, (7,))
RETRY = BotState(BotStage.RETRY, 1, ())
ON = Situation()


# ---- reading the message ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("state", "text", "quick_reply", "intent"),
    [
        (NEW, "¿Cómo cambio mi contraseña?", None, Intent.QUESTION),
        (NEW, "Quiero hablar con un agente", None, Intent.NAMED_PERSON),
        (NEW, "cualquier cosa", "person", Intent.ASKED_FOR_PERSON),
        (OFFERED, "Sí, gracias", None, Intent.YES),
        (OFFERED, "cualquier texto", "yes", Intent.YES),
        (OFFERED, "no", None, Intent.NO),
        (OFFERED, "No, no me sirve", None, Intent.NO),
        (OFFERED, "thanks, not really", None, Intent.NO),
        (OFFERED, "No, hablar con una persona", None, Intent.NAMED_PERSON),
        # A new question that starts with "no" is a question, not an answer.
        (OFFERED, "no puedo entrar a mi cuenta", None, Intent.QUESTION),
        (OFFERED, "si cambio el correo, ¿pierdo las facturas?", None, Intent.QUESTION),
        # Yes and no are answers only to an offer.
        (NEW, "sí", None, Intent.QUESTION),
        (RETRY, "no", None, Intent.QUESTION),
        (NEW, "sí", "yes", Intent.QUESTION),
        # An unknown button code is ignored.
        (NEW, "hola", "bogus", Intent.QUESTION),
    ],
)
def test_reading_a_message(
    state: BotState, text: str, quick_reply: str | None, intent: Intent
) -> None:
    assert read_message(state, text, quick_reply) == intent


# ---- the decision table -----------------------------------------------------------------------


def test_a_question_with_articles_offers_the_top_three_with_a_greeting_first() -> None:
    decided = decide(NEW, Intent.QUESTION, HITS, ON)
    (reply,) = decided.replies
    assert reply.kind == ReplyKind.OFFER and reply.greet
    assert [a.translation_id for a in reply.articles] == [7, 8, 9]
    assert reply.quick_replies == (QuickReply.YES, QuickReply.PERSON)
    assert decided.state == BotState(BotStage.OFFERED, 0, (7, 8, 9))
    assert decided.outcome is None
    # Later offers do not greet again.
    assert not decide(RETRY, Intent.QUESTION, HITS, ON).replies[0].greet


@pytest.mark.parametrize(
    ("state", "intent", "found", "situation", "reply", "stage", "outcome"),
    [
        # yes → resolved, crediting what was offered
        (OFFERED, Intent.YES, [], ON, ReplyKind.GLAD, BotStage.RESOLVED, ("resolved", "")),
        # a first miss asks again; the second hands over
        (NEW, Intent.QUESTION, [], ON, ReplyKind.NOTHING_FOUND, BotStage.RETRY, None),
        (OFFERED, Intent.NO, [], ON, ReplyKind.ASK_AGAIN, BotStage.RETRY, None),
        (RETRY, Intent.QUESTION, [], ON, ReplyKind.HANDOVER, "handed_over", ("h", "second_miss")),
        (
            OFFERED_AFTER_MISS,
            Intent.NO,
            [],
            ON,
            ReplyKind.HANDOVER,
            "handed_over",
            ("h", "second_miss"),
        ),
        # a person asked for, by button or by words
        (NEW, Intent.ASKED_FOR_PERSON, [], ON, ReplyKind.HANDOVER, "handed_over", ("h", "asked")),
        (OFFERED, Intent.NAMED_PERSON, [], ON, ReplyKind.HANDOVER, "handed_over", ("h", "keyword")),
        # no knowledge base, or the bot switched off: hand over at once
        (
            NEW,
            Intent.QUESTION,
            [],
            Situation(knowledge_base=False),
            ReplyKind.HANDOVER,
            "handed_over",
            ("h", "no_kb"),
        ),
        (
            OFFERED,
            Intent.YES,
            [],
            Situation(bot_enabled=False),
            ReplyKind.HANDOVER,
            "handed_over",
            ("h", "bot_off"),
        ),
    ],
)
def test_decision_table(
    state: BotState,
    intent: Intent,
    found: list[ArticleHit],
    situation: Situation,
    reply: ReplyKind,
    stage: str,
    outcome: tuple[str, str] | None,
) -> None:
    decided = decide(state, intent, found, situation)
    assert [r.kind for r in decided.replies] == [reply]
    assert decided.state.stage == stage
    if outcome is None:
        assert decided.outcome is None
    else:
        assert decided.outcome is not None
        kind = BotOutcomeKind.RESOLVED if outcome[0] == "resolved" else BotOutcomeKind.HANDED_OVER
        assert (decided.outcome.kind, decided.outcome.reason) == (kind, outcome[1])
        assert decided.outcome.articles == state.offered


def test_no_knowledge_base_greets_and_says_whether_someone_is_there() -> None:
    decided = decide(
        NEW, Intent.QUESTION, [], Situation(knowledge_base=False, agents_available=False)
    )
    (reply,) = decided.replies
    assert reply.greet and not reply.agents_available
    assert decided.outcome is not None and decided.outcome.reason == HandoverReason.NO_KB


def test_a_miss_offers_the_person_button_and_a_yes_resets_the_misses() -> None:
    (reply,) = decide(NEW, Intent.QUESTION, [], ON).replies
    assert reply.quick_replies == (QuickReply.PERSON,)
    assert decide(OFFERED_AFTER_MISS, Intent.YES, [], ON).state.misses == 0


def test_a_chat_handed_over_is_left_to_people() -> None:
    gone = BotState(BotStage.HANDED_OVER, 2, ())
    decided = decide(gone, Intent.QUESTION, HITS, ON)
    assert decided.replies == () and decided.outcome is None and decided.state == gone
    assert not needs_search(gone, Intent.QUESTION, ON)


def test_the_search_runs_only_for_a_question_the_bot_may_answer() -> None:
    assert needs_search(NEW, Intent.QUESTION, ON)
    assert not needs_search(OFFERED, Intent.YES, ON)
    assert not needs_search(NEW, Intent.QUESTION, Situation(knowledge_base=False))
    assert not needs_search(NEW, Intent.QUESTION, Situation(bot_enabled=False))


# ---- keywords: Spanish and English, accents, case ---------------------------------------------

ACCENTED = {"a": "á", "e": "é", "i": "í", "o": "ó", "u": "ú", "n": "ñ"}
FILLER = ["quiero", "por", "favor", "ahora", "please", "I", "want", "to", "la", "cuenta", "hoy"]


def _dress(text: str, data: st.DataObject) -> str:
    """``text`` with random case and random accents on its vowels (and ñ for n)."""
    chars = []
    for char in text:
        if char in ACCENTED and data.draw(st.booleans()):
            char = ACCENTED[char]
        chars.append(char.upper() if data.draw(st.booleans()) else char)
    return "".join(chars)


@given(
    phrase=st.sampled_from(keywords.HUMAN_PHRASES),
    before=st.lists(st.sampled_from(FILLER), max_size=3),
    after=st.lists(st.sampled_from(FILLER), max_size=3),
    punctuation=st.sampled_from(["", "!", "?", ".", "¡", "¿", ","]),
    data=st.data(),
)
def test_any_phrase_asking_for_a_person_is_found_whatever_its_case_and_accents(
    phrase: str, before: list[str], after: list[str], punctuation: str, data: st.DataObject
) -> None:
    text = " ".join([*before, punctuation + _dress(phrase, data) + punctuation, *after])
    assert keywords.asks_for_person(text)


@given(
    words=st.lists(
        st.sampled_from([*FILLER, "agenda", "personal", "humanidad", "contraseña", "factura"]),
        max_size=8,
    ),
    data=st.data(),
)
def test_words_that_only_contain_a_keyword_do_not_ask_for_a_person(
    words: list[str], data: st.DataObject
) -> None:
    assert not keywords.asks_for_person(_dress(" ".join(words), data))


@given(
    answer=st.sampled_from(["si", "si gracias", "si, me sirve", "yes", "yes thanks", "perfecto"]),
    data=st.data(),
)
def test_yes_is_read_whatever_its_case_and_accents(answer: str, data: st.DataObject) -> None:
    text = _dress(answer, data) + data.draw(st.sampled_from(["", "!", ".", " :)"]))
    assert keywords.says_yes(text)
    assert not keywords.says_no(text)


@given(
    answer=st.sampled_from(
        ["no", "no gracias", "no me sirve", "nope", "not really", "no, it doesn't"]
    ),
    data=st.data(),
)
def test_no_is_read_whatever_its_case_and_accents(answer: str, data: st.DataObject) -> None:
    text = _dress(answer, data)
    assert keywords.says_no(text) and not keywords.says_yes(text)


def test_folding_drops_accents_case_and_punctuation() -> None:
    assert keywords.fold("¿Sí, AGÉNTE? ¡Contraseña!") == "si agente contrasena"
