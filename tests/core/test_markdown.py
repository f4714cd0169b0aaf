"""The one Markdown renderer: formatting becomes HTML, hostile input never becomes markup."""

from __future__ import annotations

from html.parser import HTMLParser

import nh3
import pytest

from atiende.core.markdown import render


@pytest.mark.parametrize(
    ("source", "html"),
    [
        ("plain", "<p>plain</p>"),
        ("one\ntwo\n\nthree", "<p>one<br>two</p><p>three</p>"),
        ("**bold** and _it_", "<p><strong>bold</strong> and <em>it</em></p>"),
        ("- a\n- **b**", "<ul><li>a</li><li><strong>b</strong></li></ul>"),
        ("1. first\n2. second", "<ol><li>first</li><li>second</li></ol>"),
        ("2 * 3 * 4 and a*b", "<p>2 * 3 * 4 and a*b</p>"),
        ("[docs](https://atiende.test/docs)",
         '<p><a href="https://atiende.test/docs" rel="noopener noreferrer nofollow">docs</a></p>'),
        ("see https://atiende.test/a?b=1 now",
         '<p>see <a href="https://atiende.test/a?b=1" rel="noopener noreferrer nofollow">'
         "https://atiende.test/a?b=1</a> now</p>"),
        ("write to ana@example.com",
         '<p>write to <a href="mailto:ana@example.com" rel="noopener noreferrer nofollow">'
         "ana@example.com</a></p>"),
        ("~~old~~ `code`", "<p><s>old</s> <code>code</code></p>"),
    ],
)  # fmt: skip
def test_formatting_becomes_html(source: str, html: str) -> None:
    assert render(source).html == html


def test_the_text_part_reads_like_what_was_typed() -> None:
    source = (
        "Hello **Ana**,\n\n"
        "1. restart\n2. sign in\n\n"
        "- *one*\n- two\n\n"
        "See [the guide](https://atiende.test/g) or https://atiende.test/h\n"
        "> quoted"
    )
    assert render(source).text == (
        "Hello Ana,\n\n"
        "1. restart\n2. sign in\n\n"
        "- one\n- two\n\n"
        "See the guide <https://atiende.test/g> or https://atiende.test/h\n\n"
        "> quoted"
    )


HOSTILE = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "![x](https://evil.test/x.png)",
    '![x" onerror="alert(1)](https://evil.test/x.png)',
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](java\tscript:alert(1))",
    "[click](&#106;avascript:alert(1))",
    "[click](vbscript:msgbox(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "<javascript:alert(1)>",
    '[x](https://ok.test "a\\" onmouseover=\\"alert(1)")',
    '<a href="javascript:alert(1)">x</a>',
    '<iframe src="https://evil.test"></iframe>',
    "<style>body{display:none}</style>",
    '<svg onload="alert(1)">',
    "<details open ontoggle=alert(1)>",
    "[a]: javascript:alert(1)\n\n[a]",
    "**<b onclick=alert(1)>x</b>**",
    "`<script>`",
]

ALLOWED_TAGS = {"p", "br", "strong", "em", "ul", "ol", "li", "a", "code", "pre", "s"} | {
    "blockquote",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
}


class Elements(HTMLParser):
    """Every element and attribute as a browser would read them (entities decoded)."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, attrs))


@pytest.mark.parametrize("source", HOSTILE)
def test_hostile_markdown_never_becomes_active_markup(source: str) -> None:
    """The class: raw HTML stays text, no image is rendered, no attribute but a link's
    href/title/rel exists, and every link is http(s)/mailto."""
    html = render(source).html
    parser = Elements()
    parser.feed(html)
    for tag, attrs in parser.found:
        assert tag in ALLOWED_TAGS, html
        assert {name for name, _value in attrs} <= {"href", "title", "rel"}, html
        href = dict(attrs).get("href")
        if href is not None:
            assert href.startswith(("http://", "https://", "mailto:")), html
    # Already what the sanitizer would keep: nothing left for nh3 to strip.
    assert nh3.clean(html, link_rel="noopener noreferrer nofollow") == html


def test_an_empty_body_renders_empty() -> None:
    assert render("") == render("\n\n")
    assert render("").html == "" and render("").text == ""
