"""Reply and forward prefixes of a subject, in the languages mail clients write them."""

from __future__ import annotations

import re

# RE/AW/SV/Antw/R (reply) and FW/Fwd/RV/TR/WG/ENC/Doorst (forward), with "[2]" or "(2)" counts
# and any number of them: "RE: RV: Fwd: RV: TR: AW: La factura".
PREFIXES = re.compile(
    r"^\s*(?:(?:re|aw|sv|vs|antw|odp|ynt|r|res|fw|fwd|rv|tr|wg|enc|doorst|rif|i)"
    r"\s*(?:\[\d+\]|\(\d+\))?\s*[:：]\s*)+",
    re.IGNORECASE,
)


def strip_prefixes(subject: str) -> str:
    """``subject`` without its leading reply/forward prefixes (kept whole if that is all)."""
    stripped = PREFIXES.sub("", subject).strip()
    return stripped or subject.strip()
