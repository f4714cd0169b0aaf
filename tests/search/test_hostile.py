"""Whatever a user types, search answers: no exception, no SQL error."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from atiende.tickets.models import Ticket
from tests.search.conftest import MakeIndexed, found

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("match_mode")]

SYNTAX = [
    '"', "'", "*", "NEAR(", "NEAR(a b, 2)", ")", "(", "-", "+", "^", ":", "{", "}", "OR",
    "AND", "NOT", "subject:", "{subject}:", "&", "|", "!", "<->", ":*", "\\", "%", "%s",
    "\x00", "\ud800", "\udfff", "\u200b", "\ufeff", "💥", "x" * 3000, " ", "canción",
]  # fmt: skip


@pytest.fixture
def ticket(indexed: MakeIndexed) -> Ticket:
    return indexed("Printer jam", "Paper stuck", note="Call vendor")


@pytest.mark.parametrize(
    "query",
    [
        *SYNTAX,
        '"printer',
        'printer"',
        "printer*",
        "print* jam",
        "-printer",
        "printer -jam",
        "printer OR jam",
        "NEAR(printer jam)",
        "subject:printer",
        "'printer' & 'jam'",
        "printer\x00jam",
        "printer \ud800",
        "a" * 10_000,
        "printer " * 2_000,
        "#1042",
    ],
)
@pytest.mark.parametrize("include_internal", [True, False])
def test_hostile_queries_never_raise(ticket: Ticket, query: str, include_internal: bool) -> None:
    found(query, include_internal=include_internal)


def test_syntax_is_plain_text(ticket: Ticket) -> None:
    assert found('"printer') == {ticket.pk}
    assert found("printer -jam") == {ticket.pk}  # "-" is not negation
    assert found("(printer) jam.") == {ticket.pk}
    assert found("NEAR(printer jam)") == set()  # "near" is a word here, and not in the ticket
    assert found("printer OR keyboard") == set()  # every word must match, OR is a word


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    query=st.one_of(
        st.text(st.characters(exclude_categories=())),
        st.lists(st.sampled_from(SYNTAX)).map(" ".join),
        st.lists(st.sampled_from(SYNTAX)).map("".join),
    ),
    include_internal=st.booleans(),
)
def test_any_text_is_a_valid_query(ticket: Ticket, query: str, include_internal: bool) -> None:
    found(query, include_internal=include_internal)
