"""Articles render through the composer's Markdown rules: hostile input stays inert, only our
own article files show as images, headings get anchors."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from atiende.kb.rendering import render_article


class Elements(HTMLParser):
    """The tags and attributes a browser would build from the HTML (text is not markup)."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, dict(attrs)))


def elements(html: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = Elements()
    parser.feed(html)
    return parser.found


HOSTILE = [
    ("<script>alert(1)</script>", "<script"),
    ("<iframe src='https://evil.example'></iframe>", "<iframe"),
    ("[click](javascript:alert(1))", 'href="javascript'),
    ("[click](JaVaScRiPt:alert(1))", "href="),
    ("[x](vbscript:msgbox(1))", "href="),
    ("[x](data:text/html;base64,PHNjcmlwdD4=)", "href="),
    ('<img src=x onerror="alert(1)">', "<img"),
    ("<a href='#' onclick='alert(1)'>x</a>", "<a "),
    ("![pixel](https://tracker.example/p.gif)", "<img"),
    ("![pixel](//tracker.example/p.gif)", "<img"),
    ("![x](data:image/png;base64,AAAA)", "<img"),
    ("![x](/help/files/12/../../admin/)", "<img"),
    ("![x](/help/files/12/?next=1)", "<img"),
    ("![x](javascript:alert(1))", "<img"),
    ('<svg onload="alert(1)"></svg>', "<svg"),
    ("<style>body{display:none}</style>", "<style"),
]


@pytest.mark.parametrize(("source", "forbidden"), HOSTILE)
def test_hostile_markdown_renders_inert(source: str, forbidden: str) -> None:
    html = render_article(source)
    assert forbidden not in html
    for tag, attrs in elements(html):
        assert tag not in {"script", "iframe", "svg", "style", "object", "embed"}
        assert not [name for name in attrs if name.startswith("on")], (tag, attrs)
        for name in ("href", "src"):
            value = (attrs.get(name) or "").lower()
            assert not value.startswith(("javascript:", "vbscript:", "data:")), (tag, attrs)
        if tag == "img":
            assert str(attrs["src"]).startswith("/help/files/")


def test_raw_html_shows_as_typed() -> None:
    assert render_article("<script>alert(1)</script>") == (
        "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>"
    )


def test_a_foreign_image_becomes_its_alt_text() -> None:
    assert render_article("Mira ![el panel](https://cdn.example/p.png)") == "<p>Mira el panel</p>"


def test_our_article_files_show_as_images() -> None:
    html = render_article("![Paso 1](/help/files/42/)")
    assert html == '<p><img src="/help/files/42/" alt="Paso 1"></p>'


def test_safe_links_stay_and_open_safely() -> None:
    html = render_article("[docs](https://example.com/a) y [correo](mailto:a@example.com)")
    assert 'href="https://example.com/a"' in html and 'href="mailto:a@example.com"' in html
    assert 'rel="noopener noreferrer nofollow"' in html


def test_headings_get_unique_anchors_one_level_down() -> None:
    html = render_article("# Cómo empezar\n\n## Cómo empezar\n\n# Main\n\n### *Énfasis* final")
    assert '<h2 id="como-empezar">Cómo empezar</h2>' in html
    assert '<h3 id="como-empezar-2">Cómo empezar</h3>' in html
    # The page's own ids are never taken by a heading.
    assert '<h2 id="main-2">Main</h2>' in html
    assert 'id="enfasis-final"' in html


def test_formatting_survives() -> None:
    html = render_article(
        "**negrita** ~~tachado~~\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n```\ncódigo <b>\n```"
    )
    assert "<strong>negrita</strong>" in html and "<s>tachado</s>" in html
    assert "<table>" in html and "<td>1</td>" in html
    assert "<pre><code>código &lt;b&gt;" in html
