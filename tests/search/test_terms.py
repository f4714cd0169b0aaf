"""Parsing what a person typed into search words, and ticket numbers."""

from __future__ import annotations

import pytest

from atiende.search.terms import MAX_WORDS, SearchTerms, parse_query
from atiende.tickets.listing import number_in_query


@pytest.mark.parametrize(
    ("query", "words", "prefix"),
    [
        ("printer broken", ("printer", "broken"), True),
        ("printer broken ", ("printer", "broken"), False),
        ('"printer" -broken', ("printer", "-broken"), False),
        ("NEAR(a b)", ("NEAR(a", "b)"), False),
        ("a ab", ("a", "ab"), False),
        ("canción", ("canción",), True),
        ("* - \" ' ()", (), False),
        ("", (), False),
        ("mail\x00box \ud800x", ("mail", "box", "x"), False),
        ("john@example.com", ("john@example.com",), False),
    ],
)
def test_parse_query(query: str, words: tuple[str, ...], prefix: bool) -> None:
    assert parse_query(query) == SearchTerms(words=words, prefix=prefix)


def test_parse_query_bounds_long_input() -> None:
    terms = parse_query("word " * 5_000)
    assert len(terms.words) == MAX_WORDS
    assert len(parse_query("x" * 10_000).words[0]) == 100


def test_no_words_is_falsy() -> None:
    assert not parse_query("!!!")
    assert parse_query("ok")


@pytest.mark.parametrize(
    ("query", "number"),
    [
        ("#1042", 1042),
        ("1042", 1042),
        (" #1042 ", 1042),
        ("#0", None),
        ("#", None),
        ("1042 printer", None),
        ("#12a", None),
        ("١٠٤٢", None),  # only ASCII digits name a ticket
        ("9" * 19, None),  # beyond a bigint
        ("", None),
    ],
)
def test_ticket_number_from_query(query: str, number: int | None) -> None:
    assert number_in_query(query) == number
