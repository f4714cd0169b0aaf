"""The shared email conformance corpus: every message parses; the share of matches is printed.

Reads ``../shared/conformance/email/`` in place (never copied into the repo). The parser is the
first slice of the email channel (issue 5); the floor below only guards against regressions.
"""

from __future__ import annotations

import json
from typing import Any

from atiende.messaging.email.parse import parse_message
from atiende.messaging.email.quotes import strip_reply
from tests.messaging.corpus import actual_fields, corpus_dir, field_matches, reply_equal

SKIPPED_FIELDS = {"source_expectation", "notes", "reply_contains", "reply_not_contains"}
MATCH_FLOOR = 0.95


def test_every_message_parses_and_most_expected_fields_match() -> None:
    folder = corpus_dir()
    matched = total = 0
    misses: list[str] = []
    for expected_path in sorted((folder / "expected").glob("*/*.json")):
        source, name = expected_path.parent.name, expected_path.stem
        raw = (folder / "messages" / source / f"{name}.eml").read_bytes()
        parsed = parse_message(raw)  # must not raise
        actual = actual_fields(parsed)
        expected: dict[str, Any] = json.loads(expected_path.read_text())
        for field, want in expected.items():
            if field in SKIPPED_FIELDS:
                continue
            if field == "reply_text":
                ok = reply_equal(want, strip_reply(parsed.text))
            elif field in actual or field == "text_contains":
                ok = field_matches(field, want, actual, parsed.text)
            else:
                continue
            matched += ok
            total += 1
            if not ok:
                misses.append(f"{source}/{name}: {field}")
    share = matched / total
    print(f"\nemail conformance: {matched}/{total} expected fields match ({share:.1%})")
    print("\n".join(f"  miss {line}" for line in misses))
    assert total > 100
    assert share >= MATCH_FLOOR
