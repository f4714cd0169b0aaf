"""What a visitor's words mean to the bot: a request for a person, a yes, a no — or a question.

Read in Spanish and English at once, whatever the widget's language (visitors mix them), with
or without accents and in any case: the text is folded first (``fold``), so "Agénte",
"AGENTE" and "agente" are one word. Keywords match whole words or whole phrases, never parts
of words ("agenda" does not ask for an "agente").

A yes or a no is only a short answer made of answer words ("sí, gracias", "no me sirve");
"no puedo entrar" is a new question, not a no.
"""

from __future__ import annotations

import re
import unicodedata

NON_WORD = re.compile(r"[^\w]+")

# Phrases (folded) that ask for a person, in Spanish and English.
HUMAN_PHRASES: tuple[str, ...] = (
    # Spanish
    "agente",
    "agentes",
    "humano",
    "humana",
    "humanos",
    "persona",
    "personas",
    "persona real",
    "operador",
    "operadora",
    "asesor",
    "asesora",
    "hablar con alguien",
    "habla con alguien",
    "pasame con alguien",
    # English
    "human",
    "humans",
    "agent",
    "agents",
    "person",
    "real person",
    "representative",
    "operator",
    "talk to someone",
    "speak to someone",
    "talk with someone",
    "speak with someone",
)

YES_HEADS = frozenset(
    {
        "si",
        "yes",
        "yeah",
        "yep",
        "yup",
        "ok",
        "okay",
        "vale",
        "claro",
        "perfecto",
        "genial",
        "great",
        "sure",
        "gracias",
        "thanks",
        "thank",
        "correcto",
        "exacto",
        "exactly",
        "resuelto",
        "solved",
    }
)
NO_HEADS = frozenset({"no", "nope", "nah", "not", "tampoco", "negativo"})
NEGATIONS = NO_HEADS | {"doesnt", "didnt"}
# Words that may follow a yes or a no without making it a new question.
ANSWER_WORDS = frozenset(
    {
        "gracias",
        "muchas",
        "mil",
        "mucho",
        "thanks",
        "thank",
        "you",
        "me",
        "lo",
        "eso",
        "esto",
        "es",
        "era",
        "que",
        "buscaba",
        "sirve",
        "sirvio",
        "ha",
        "servido",
        "ayuda",
        "ayudo",
        "ayudado",
        "responde",
        "respondio",
        "del",
        "todo",
        "nada",
        "para",
        "it",
        "that",
        "this",
        "does",
        "did",
        "doesnt",
        "didnt",
        "not",
        "really",
        "helps",
        "helped",
        "help",
        "much",
        "so",
        "was",
        "what",
        "i",
        "needed",
        "looking",
        "for",
        "the",
        "answer",
        "exactly",
        "a",
        "lot",
        "si",
        "yes",
        "no",
    }
)
MAX_ANSWER_WORDS = 6


def fold(text: str) -> str:
    """Lower case, accents dropped, punctuation as spaces: ``"¿Sí, AGÉNTE?"`` → ``"si agente"``."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(NON_WORD.sub(" ", bare.replace("'", "").replace("’", "")).split())


def _words(text: str) -> list[str]:
    return fold(text).replace("_", " ").split()


def asks_for_person(text: str) -> bool:
    """Whether ``text`` names a person to talk to (a keyword or phrase, as whole words)."""
    padded = f" {' '.join(_words(text))} "
    return any(f" {phrase} " in padded for phrase in HUMAN_PHRASES)


def _short_answer(words: list[str]) -> bool:
    """A few words, the first a yes or a no, the rest only answer words."""
    if not words or len(words) > MAX_ANSWER_WORDS or words[0] not in YES_HEADS | NO_HEADS:
        return False
    return all(word in ANSWER_WORDS for word in words[1:])


def says_yes(text: str) -> bool:
    """A short yes: "sí", "Sí, gracias", "yes it does", "perfecto" (no negation in it)."""
    words = _words(text)
    return _short_answer(words) and not NEGATIONS.intersection(words)


def says_no(text: str) -> bool:
    """A short no: "no", "No, no me sirve", "thanks, not really" — not "no puedo entrar"."""
    words = _words(text)
    return _short_answer(words) and bool(NEGATIONS.intersection(words))
