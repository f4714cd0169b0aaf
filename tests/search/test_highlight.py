"""Marking the query's words in result text: escaped, case- and accent-insensitive."""

from __future__ import annotations

from atiende.search.highlight import highlight, query_words, snippet


def test_words_are_marked_whatever_their_case_or_accents() -> None:
    assert highlight("El Camión llegó tarde", "camion") == "El <mark>Camión</mark> llegó tarde"
    assert highlight("el camion", "CAMIÓN") == "el <mark>camion</mark>"


def test_prefixes_and_close_stems_are_marked_but_not_inner_parts() -> None:
    assert highlight("Las facturas", "factura") == "Las <mark>facturas</mark>"
    assert highlight("The printer", "printers") == "The <mark>printer</mark>"
    assert highlight("reprint", "print") == "reprint"
    marked = highlight("a cat and a category", "a")
    assert marked == "<mark>a</mark> cat and <mark>a</mark> category"


def test_text_is_escaped_and_only_marks_are_html() -> None:
    marked = highlight('<b>x</b> & "printer"', "printer")
    assert marked == "&lt;b&gt;x&lt;/b&gt; &amp; &quot;<mark>printer</mark>&quot;"
    assert highlight("<script>alert(1)</script>", "script") == (
        "&lt;<mark>script</mark>&gt;alert(1)&lt;/<mark>script</mark>&gt;"
    )


def test_query_syntax_is_plain_text() -> None:
    assert query_words('"printer" -toner OR NEAR(') == ("printer", "toner", "or", "near")
    assert highlight("anything", "") == "anything"
    assert highlight("anything", "!!! ???") == "anything"


def test_snippet_is_short_and_centred_on_the_first_match() -> None:
    text = ("lorem ipsum " * 40) + "the VPN tunnel drops " + ("dolor sit " * 40)
    found = snippet(text, "tunnel", size=80)
    assert found is not None
    assert "<mark>tunnel</mark>" in found
    assert found.startswith("… ") and found.endswith(" …")
    assert len(found) < 140


def test_snippet_is_none_without_a_match() -> None:
    assert snippet("nothing to see", "printer") is None
    assert snippet("<i>printer</i>", "printer") == "&lt;i&gt;<mark>printer</mark>&lt;/i&gt;"
