"""The composer's light formatting turns a few marks into HTML and nothing else."""

from __future__ import annotations

import pytest

from atiende.web.ticket.formatting import text_to_rich_html


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("plain", "<p>plain</p>"),
        ("one\ntwo\n\nthree", "<p>one<br>two</p><p>three</p>"),
        ("**bold** and *it*", "<p><strong>bold</strong> and <em>it</em></p>"),
        ("- a\n- **b**", "<ul><li>a</li><li><strong>b</strong></li></ul>"),
        ("1. first\n2) second", "<ol><li>first</li><li>second</li></ol>"),
        ("2 * 3 * 4 and a*b", "<p>2 * 3 * 4 and a*b</p>"),
        ("- a\nnot a list", "<p>- a<br>not a list</p>"),
        ("<script>alert(1)</script> **<b>x</b>**",
         "<p>&lt;script&gt;alert(1)&lt;/script&gt; <strong>&lt;b&gt;x&lt;/b&gt;</strong></p>"),
        ('<img src=x onerror="alert(1)">', "<p>&lt;img src=x onerror=\"alert(1)\"&gt;</p>"),
    ],
)  # fmt: skip
def test_marks_become_html_and_everything_else_stays_text(text: str, expected: str) -> None:
    assert text_to_rich_html(text) == expected
