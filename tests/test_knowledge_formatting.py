"""Article text becomes HTML safely: paragraphs, lists and links, and nothing from the
database is ever interpreted as markup."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from hypothesis import given
from hypothesis import strategies as st

from frontdoor.knowledge import formatting

ALLOWED_TAGS = {"p", "br", "ul", "ol", "li", "a"}


class TagCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def tags_of(html: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = TagCollector()
    parser.feed(html)
    return parser.tags


def test_paragraphs_line_breaks_and_lists():
    text = (
        "Bring these:\n- a photo ID\n* a utility bill\n\nThen:\n1. sign in\n2) wait\n\n"
        "Line one\nline two"
    )
    assert formatting.to_html(text) == (
        "<p>Bring these:</p>\n<ul><li>a photo ID</li><li>a utility bill</li></ul>\n"
        "<p>Then:</p>\n<ol><li>sign in</li><li>wait</li></ol>\n"
        "<p>Line one<br>\nline two</p>"
    )


def test_windows_line_endings_and_blank_text():
    assert formatting.to_html("a\r\n\r\nb") == "<p>a</p>\n<p>b</p>"
    assert formatting.to_html("") == "" and formatting.to_html(None) == ""
    assert formatting.to_html("  \n\n \t ") == ""


def test_links_in_both_forms():
    html = formatting.to_html(
        "See [the schedule](https://example.gov/sweeping?x=1&y=2), "
        "https://example.gov/pay. Or [call us](tel:+1-555-0100), "
        "[write](mailto:311@example.gov) or [report](/help/)."
    )
    assert '<a href="https://example.gov/sweeping?x=1&amp;y=2" rel="noopener nofollow">' in html
    assert ">https://example.gov/pay</a>." in html  # the full stop is not part of the link
    assert '<a href="tel:+1-555-0100">call us</a>' in html
    assert '<a href="mailto:311@example.gov">write</a>' in html
    assert '<a href="/help/">report</a>' in html


@pytest.mark.parametrize(
    "target",
    [
        "javascript:alert(1)",
        "JavaScript:alert`1`",
        "data:text/html;base64,PHNjcmlwdD4=",
        "//evil.example/x",
        "/\\evil.example",
        "vbscript:x",
        "http://",
        "ftp://example.org",
    ],
)
def test_unsafe_link_targets_stay_text(target):
    text = f"[click]({target})"
    html = formatting.to_html(text)
    assert "<a" not in html
    assert not formatting.safe_url(target)
    if "(" not in target and " " not in target:
        assert formatting.unsafe_links(text) == [target]


def test_html_in_the_text_is_shown_not_interpreted():
    html = formatting.to_html('<script>alert("x")</script>\n<b onclick="x">bold</b>')
    assert "<script" not in html and "<b " not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html


def test_a_link_label_cannot_inject_markup():
    html = formatting.to_html('[<img src=x onerror=alert(1)>](https://example.org/")')
    assert "<img" not in html
    html = formatting.to_html('https://example.org/"onmouseover="alert(1)')
    assert 'onmouseover="' not in html


def test_plain_and_snippet():
    text = "Bring:\n- [your bill](https://x.example/bill)\n- ID\n\n" + "word " * 100
    assert formatting.plain(text).startswith("Bring: your bill ID word")
    snippet = formatting.snippet(text, 40)
    assert len(snippet) <= 40 and snippet.endswith("…")


@given(st.text(max_size=500))
def test_any_text_gives_only_the_tags_we_write(text):
    html = formatting.to_html(text)
    for tag, attributes in tags_of(html):
        assert tag in ALLOWED_TAGS, tag
        if tag == "a":
            assert set(attributes) <= {"href", "rel"}
            assert formatting.safe_url(attributes["href"] or "")
        else:
            assert attributes == {}
    # Every '<' that reached the output is one of ours.
    assert not re.search(r"<(?!/?(p|br|ul|ol|li|a)[ >])", html)
