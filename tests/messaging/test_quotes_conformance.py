"""The corpus's reply/quote-stripping cases (talon, email-reply-parser): the share that match.

Rules from the corpus README: ``strip`` compares after CRLF→LF and strip; ``no_whitespace``
compares the HTML result as text with all whitespace removed; ``contains`` checks substrings.
Signature cases pass the sender, as talon's signature extractor gets it; email-reply-parser
cases strip "-- " signatures and mobile footers, as that library's ``.reply`` does.
"""

from __future__ import annotations

import json
from email.message import EmailMessage
from typing import Any

from atiende.core.html import html_to_text
from atiende.messaging.email.parse import parse_message
from atiende.messaging.email.quotes import (
    strip_reply,
    strip_reply_html,
    strip_signature,
    trim_reply_html,
)
from atiende.messaging.inbound.writing import bodies
from tests.messaging.corpus import corpus_dir, no_whitespace, reply_equal

FLOOR = 0.90


def outcome(source: str, case: dict[str, Any]) -> bool:
    if case["kind"] == "html":
        got = strip_reply_html(case["input"])
        return no_whitespace(got) == no_whitespace(case["reply_text"])
    # github's email_reply_parser hides signatures in ``.reply``; talon's cases keep them.
    got = strip_reply(case["input"], signature=source == "email-reply-parser")
    if case["kind"] == "signature":
        got = strip_signature(got, case.get("sender", ""))
    if case["match"] == "contains":
        return all(item in got for item in case.get("reply_contains", [])) and not any(
            item in got for item in case.get("reply_not_contains", [])
        )
    return reply_equal(case["reply_text"], got)


def test_most_quote_cases_give_exactly_the_expected_new_text() -> None:
    folder = corpus_dir() / "quotes"
    results = {
        f"{path.parent.name}/{case['name']}": outcome(path.parent.name, case)
        for path in sorted(folder.glob("*/cases.json"))
        for case in json.loads(path.read_text())
    }
    share = sum(results.values()) / len(results)
    print(f"\nquote conformance: {sum(results.values())}/{len(results)} ({share:.1%})")
    print("\n".join(f"  miss {name}" for name, ok in results.items() if not ok))
    assert len(results) >= 90
    assert share >= FLOOR


def html_cases() -> list[dict[str, Any]]:
    cases = json.loads((corpus_dir() / "quotes" / "talon" / "cases.json").read_text())
    return [case for case in cases if case["kind"] == "html"]


def test_the_html_shown_on_the_ticket_leaves_the_quote_out_as_the_text_does() -> None:
    """The timeline's HTML (not only its text) is cut where talon cuts."""
    cases = html_cases()
    shown = [
        no_whitespace(html_to_text(trim_reply_html(case["input"])))
        == no_whitespace(case["reply_text"])
        for case in cases
    ]
    assert len(cases) >= 25
    assert sum(shown) / len(cases) >= FLOOR


def test_quote_markers_are_read_before_the_mail_is_sanitized() -> None:
    """Through the whole intake path (parse, then the ticket's bodies): sanitizing drops the
    clients' classes and ids, so stripping must read them first."""
    cases = html_cases()
    results = []
    for case in cases:
        msg = EmailMessage()
        msg["From"] = "Bob <bob@example.com>"
        msg["Subject"] = "Re: hi"
        msg.set_content(case["input"], subtype="html")
        text, html = bodies(parse_message(msg.as_bytes()))
        expected = no_whitespace(case["reply_text"])
        results.append(no_whitespace(html_to_text(html)) == expected and bool(text))
    assert sum(results) / len(cases) >= FLOOR
