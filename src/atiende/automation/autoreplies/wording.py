"""A moment in words, in the customer's language: "lunes 9 de diciembre a las 09:00",
"Monday, December 9 at 09:00".

Customer mail is written in the customer's language, not the request's, so the patterns are
chosen by language here (as ``messaging.templates.BUILTIN`` does); the day and month names
come from Django's own translations.
"""

from __future__ import annotations

from datetime import datetime, tzinfo

from django.utils import translation
from django.utils.dates import MONTHS, WEEKDAYS

PATTERNS = {
    "es": "{weekday} {day} de {month} a las {time}",
    "en": "{weekday}, {month} {day} at {time}",
}
OUT_OF_HOURS = {
    "es": (
        "Gracias por escribirnos. En este momento estamos fuera de nuestro horario de "
        "atención: leeremos su mensaje a partir del {when}."
    ),
    "en": (
        "Thank you for writing to us. We are outside our working hours right now: we will "
        "read your message from {when}."
    ),
}


def language_of(code: str) -> str:
    """``es-MX`` → ``es``; a language we have no wording for → English."""
    short = (code or "").split("-")[0].lower()
    return short if short in PATTERNS else "en"


def when(at: datetime, *, language: str, zone: tzinfo) -> str:
    local = at.astimezone(zone)
    lang = language_of(language)
    with translation.override(lang):
        weekday, month = str(WEEKDAYS[local.weekday()]), str(MONTHS[local.month])
    if lang == "es":
        weekday, month = weekday.lower(), month.lower()
    return PATTERNS[lang].format(
        weekday=weekday, day=local.day, month=month, time=local.strftime("%H:%M")
    )


def out_of_hours(at: datetime, *, language: str, zone: tzinfo) -> str:
    """The out-of-hours answer naming the next opening ``at``."""
    return OUT_OF_HOURS[language_of(language)].format(when=when(at, language=language, zone=zone))
