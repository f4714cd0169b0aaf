"""The values of each scale, as stored (small integers) and as shown and linked (labels)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from atiende.surveys.models import Scale

GOOD, BAD = 1, 0
LABELS: dict[str, dict[int, str]] = {
    Scale.GOOD_BAD: {GOOD: "good", BAD: "bad"},
    Scale.FIVE: {n: str(n) for n in range(1, 6)},
    Scale.NPS: {n: str(n) for n in range(0, 11)},
}
WORDS = {"good": _("Good, I'm satisfied"), "bad": _("Bad, I'm not satisfied")}


def label(scale: str, rating: int | None) -> str | None:
    """``"good"``/``"bad"`` or ``"1"``…``"5"``, ``"0"``…``"10"``; None when not rated."""
    if rating is None:
        return None
    return LABELS.get(scale, {}).get(rating, str(rating))


def parse(scale: str, value: str) -> int | None:
    """The stored rating a link's or form's ``value`` means on ``scale``; None when it is
    not one of the scale's values."""
    for rating, text in LABELS.get(scale, {}).items():
        if text == value:
            return rating
    return None


def values(scale: str) -> list[str]:
    """The labels of ``scale``, best first for CSAT (good, 5…1), 0…10 for NPS."""
    if scale == Scale.GOOD_BAD:
        return ["good", "bad"]
    if scale == Scale.FIVE:
        return ["5", "4", "3", "2", "1"]
    return [str(n) for n in range(0, 11)]


def satisfied(scale: str, rating: int | None) -> bool:
    """Good, or 4–5: what counts towards the CSAT percentage."""
    if rating is None:
        return False
    return rating == GOOD if scale == Scale.GOOD_BAD else rating >= 4
