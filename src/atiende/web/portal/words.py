"""A ticket's status in the words a customer reads: what it means for them, not our workflow."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from atiende.tickets.models import StatusCategory

IN_PROGRESS = _("In progress")
WAITING_FOR_YOU = _("Waiting for your reply")
# "Resuelta", "Cerrada": a request (solicitud) is feminine in Spanish, unlike a ticket.
SOLVED = _("Resolved")
CLOSED = pgettext_lazy("request", "Closed")

WORDS: dict[str, Promise] = {
    StatusCategory.NEW: IN_PROGRESS,
    StatusCategory.OPEN: IN_PROGRESS,
    StatusCategory.ON_HOLD: IN_PROGRESS,
    StatusCategory.PENDING: WAITING_FOR_YOU,
    StatusCategory.SOLVED: SOLVED,
    StatusCategory.CLOSED: CLOSED,
    StatusCategory.CANCELLED: CLOSED,
}
# A class per meaning, for the badge's colour (the words carry the meaning; colour only helps).
STYLES: dict[str, str] = {
    StatusCategory.NEW: "progress",
    StatusCategory.OPEN: "progress",
    StatusCategory.ON_HOLD: "progress",
    StatusCategory.PENDING: "waiting",
    StatusCategory.SOLVED: "solved",
    StatusCategory.CLOSED: "closed",
    StatusCategory.CANCELLED: "closed",
}
# Categories a customer reads as finished ("closed" filter); the rest are "open".
FINISHED = (StatusCategory.SOLVED, StatusCategory.CLOSED, StatusCategory.CANCELLED)


def customer_words(category: str) -> Promise:
    return WORDS.get(category, IN_PROGRESS)


def style_of(category: str) -> str:
    return STYLES.get(category, "progress")
