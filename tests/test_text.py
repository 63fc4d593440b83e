"""Plain text from feed HTML, and the language guess."""

from __future__ import annotations

import pytest

from tracker.feeds.html import html_to_text
from tracker.text import clean_text, guess_language


@pytest.mark.parametrize(
    ("markup", "text"),
    [
        ("<p>Microsoft &amp; TikTok</p><p>Talks&nbsp;go on</p>", "Microsoft & TikTok\nTalks go on"),
        ("Deal <b>agreed</b> <script>alert('x')</script>today", "Deal agreed today"),
        ("<style>p {color: red}</style><div>Body</div>", "Body"),
        ("A<!-- hidden -->B<br/>C", "A B\nC"),
        ("L&#39;accord est sign&eacute;", "L'accord est signé"),
        ("Broken <a href='x'>link", "Broken link"),
        ("Unclosed <script>alert(1)", "Unclosed"),
        ("x < y and 3 > 2", "x < y and 3 > 2"),
        ("   spaced\t\tout\r\n\r\n  lines  ", "spaced out\nlines"),
        ("nul\x00 and \x1b escape and zero\u200bwidth", "nul and escape and zerowidth"),
        ("e\u0301te\u0301", "été"),
    ],
)
def test_html_to_text(markup: str, text: str) -> None:
    assert html_to_text(markup) == text


def test_right_to_left_and_combining_text_survive() -> None:
    text = "\u05e9\u05dc\u05d5\u05dd TikTok \u202b"
    assert clean_text(text) == text


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Microsoft a confirmé les négociations pour le rachat de TikTok dans un délai court.",
         "fr"),
        ("Microsoft said it was in talks with the owner of TikTok for the sale of its business.",
         "en"),
        ("TikTok Microsoft", None),
    ],
)
def test_guess_language(text: str, language: str | None) -> None:
    assert guess_language(text) == language
