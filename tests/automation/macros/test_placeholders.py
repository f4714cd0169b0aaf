"""Placeholder filling is one pass: whatever a value contains is inserted as it is."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from atiende.tickets.placeholders import (
    PLACEHOLDERS,
    SPANISH,
    render_placeholders,
    unknown_placeholders,
)

NAMES = st.sampled_from([*PLACEHOLDERS, *SPANISH])
PIECES = st.sampled_from(["a", " ", "{", "}", ".", "|", "ñ", "{{ ", " }}"]) | NAMES.map(
    lambda name: "{{ %s }}" % name  # noqa: UP031  (the braces are the point)
)
TEXT = st.lists(PIECES, max_size=12).map("".join)


@given(values=st.dictionaries(NAMES, TEXT), name=NAMES)
def test_a_value_is_inserted_verbatim_and_never_rescanned(
    values: dict[str, str], name: str
) -> None:
    typed = "{{ " + name + " }}"
    assert render_placeholders(f"<{typed}>", values) == f"<{values.get(name, typed)}>"


def test_unknown_names_are_listed_once_in_order() -> None:
    text = "{{ cliente.apellido }} {{ticket.número}} {{ x }} {{cliente.apellido}} {{ a|b }}"
    assert unknown_placeholders(text, (*PLACEHOLDERS, *SPANISH)) == [
        "cliente.apellido",
        "x",
        "a|b",
    ]
