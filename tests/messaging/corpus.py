"""Locate the shared conformance corpus and compare parse results the way its README says."""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path
from typing import Any

import pytest

from atiende.messaging.email.parse import ParsedEmail


def corpus_dir() -> Path:
    """The shared conformance corpus, read in place (never copied into the repository).

    ``ATIENDE_CONFORMANCE_DIR`` if set, else ``../shared/conformance/email/`` beside the
    repository, else the shared folder of our machines. Missing everywhere (a checkout far from
    the shared folder), the test skips and says where it looked.
    """
    root = Path(__file__).resolve().parents[2]
    candidates = [root.parent / "shared" / "conformance" / "email"]
    candidates.append(Path("/work/shared/conformance/email"))
    if configured := os.environ.get("ATIENDE_CONFORMANCE_DIR"):
        candidates.insert(0, Path(configured))
    for folder in candidates:
        if (folder / "expected").is_dir():
            return folder
    reason = "email conformance corpus not found in " + ", ".join(map(str, candidates))
    print(reason)
    pytest.skip(reason)


def norm(value: str) -> str:
    return " ".join(value.split())


def strip_id(value: str) -> str:
    return value.strip().strip("<>").strip()


def actual_fields(parsed: ParsedEmail) -> dict[str, Any]:
    """The parse result projected onto the corpus schema."""
    named = [a for a in parsed.attachments if a.named]
    return {
        "from_email": parsed.from_[1] if parsed.from_ else "",
        "from_name": parsed.from_[0] if parsed.from_ else "",
        "to": [a for _, a in parsed.to],
        "cc": [a for _, a in parsed.cc],
        "reply_to": parsed.reply_to[0][1] if parsed.reply_to else "",
        "subject": parsed.subject,
        "message_id": parsed.message_id,
        "in_reply_to": parsed.in_reply_to,
        "references": list(parsed.references),
        "html_present": parsed.has_html,
        "is_auto_generated": parsed.is_auto_generated,
        "is_bounce": parsed.is_bounce,
        "attachments": named,
    }


def field_matches(name: str, expected: Any, actual: dict[str, Any], plain_text: str) -> bool:
    """One expected field against the parse result, normalised as the README defines."""
    if name in ("from_email", "reply_to"):
        return bool(str(actual[name]).lower() == expected.lower())
    if name in ("from_name", "subject"):
        return norm(actual[name]) == norm(expected)
    if name in ("to", "cc"):
        return {a.lower() for a in actual[name]} == {e.lower() for e in expected}
    if name in ("message_id", "in_reply_to"):
        return bool(strip_id(actual[name]) == strip_id(expected))
    if name == "references":
        return [strip_id(r) for r in actual[name]] == [strip_id(e) for e in expected]
    if name in ("html_present", "is_auto_generated", "is_bounce"):
        return bool(actual[name] == expected)
    if name == "text_contains":
        text = norm(plain_text)
        return all(norm(item) in text for item in expected)
    if name == "attachments":
        return attachments_match(expected, actual["attachments"])
    raise AssertionError(f"unknown field {name}")


def attachments_match(expected: list[dict[str, Any]], actual: list[Any]) -> bool:
    if len(expected) != len(actual):
        return False
    remaining = list(actual)
    for want in expected:
        key = "filename" if "filename" in want else "content_type"
        attr = "filename" if key == "filename" else "content_type"
        hit = next((a for a in remaining if getattr(a, attr) == want[key]), None)
        if hit is None:
            return False
        remaining.remove(hit)
        if "content_type" in want and hit.content_type != want["content_type"]:
            return False
        if "size" in want and len(hit.payload) != want["size"]:
            return False
        if "sha256" in want and hashlib.sha256(hit.payload).hexdigest() != want["sha256"]:
            return False
    return True


def reply_equal(expected: str, actual: str) -> bool:
    return expected.replace("\r\n", "\n").strip() == actual.replace("\r\n", "\n").strip()


def no_whitespace(value: str) -> str:
    return re.sub(r"\s+", "", value)
