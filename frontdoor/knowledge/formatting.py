"""Article bodies are plain text with a little formatting, turned into HTML here and only
here. Every character from the database is escaped; the only tags produced are the ones
this module writes (p, br, ul, ol, li, a), so an article can never carry raw HTML or a
script to a resident's browser.

The formatting an editor can use:

- a blank line starts a new paragraph; a single line break stays a line break;
- lines starting with ``- `` or ``* `` are a bulleted list, ``1. `` or ``1) `` a numbered one;
- ``[text](https://example.org/page)`` is a link, and so is a bare ``https://…`` address.
  Links may start with ``https://``, ``http://``, ``mailto:``, ``tel:`` or ``/`` (a page of
  this site); anything else stays plain text.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator

# [text](url) or a bare http(s) address.
_LINK = re.compile(r"\[([^\[\]\n]{1,300})\]\(([^()\s]{1,1000})\)|(https?://[^\s<>\"'\[\]()]+)")
_BULLET = re.compile(r"^\s*[-*•]\s+(.*)$")
_NUMBERED = re.compile(r"^\s*\d{1,3}[.)]\s+(.*)$")
_TRAILING = ".,;:!?"
_HOST = re.compile(r"^[A-Za-z0-9.\-]+(:\d{1,5})?$")


def safe_url(url: str) -> bool:
    """Whether ``url`` may be a link target: web addresses, e-mail, phone, or a page of
    this site (``/…`` but not ``//host``, which would leave the site)."""
    if not url or any(ch.isspace() or ord(ch) < 32 for ch in url):
        return False
    if url.startswith("/"):
        return not url.startswith(("//", "/\\"))
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme in ("http", "https"):
        return bool(parts.netloc) and bool(_HOST.match(parts.netloc.rsplit("@", 1)[-1]))
    if scheme == "mailto":
        return "@" in parts.path
    if scheme == "tel":
        return bool(re.fullmatch(r"\+?[0-9().\-]{3,30}", parts.path))
    return False


def unsafe_links(text: str) -> list[str]:
    """The targets of ``[text](target)`` links that would not be links (for the admin)."""
    return [
        m.group(2) for m in _LINK.finditer(text or "") if m.group(2) and not safe_url(m.group(2))
    ]


def _anchor(url: str, label: str) -> str:
    if url.startswith(("http://", "https://")):
        return format_html('<a href="{}" rel="noopener nofollow">{}</a>', url, label)
    return format_html('<a href="{}">{}</a>', url, label)


def _inline(line: str) -> str:
    """One line of text, escaped, with its links made into anchors."""
    out: list[str] = []
    position = 0
    for match in _LINK.finditer(line):
        out.append(escape(line[position : match.start()]))
        position = match.end()
        label, target, bare = match.groups()
        if bare is not None:
            stripped = bare.rstrip(_TRAILING)
            tail = bare[len(stripped) :]
            if safe_url(stripped):
                out.append(_anchor(stripped, stripped) + escape(tail))
            else:
                out.append(escape(bare))
        elif safe_url(target):
            out.append(_anchor(target, label))
        else:
            out.append(escape(match.group(0)))
    out.append(escape(line[position:]))
    return "".join(out)


def _block(lines: list[str]) -> list[str]:
    """A run of non-blank lines: paragraphs and lists, in order."""
    html: list[str] = []
    paragraph: list[str] = []
    items: list[str] = []
    kind = ""

    def flush_paragraph() -> None:
        if paragraph:
            html.append("<p>" + "<br>\n".join(paragraph) + "</p>")
            paragraph.clear()

    def flush_list() -> None:
        if items:
            html.append(f"<{kind}>" + "".join(f"<li>{i}</li>" for i in items) + f"</{kind}>")
            items.clear()

    for line in lines:
        bullet, numbered = _BULLET.match(line), _NUMBERED.match(line)
        if bullet or numbered:
            flush_paragraph()
            wanted = "ul" if bullet else "ol"
            if items and kind != wanted:
                flush_list()
            kind = wanted
            items.append(_inline((bullet or numbered).group(1).strip()))  # type: ignore[union-attr]
        else:
            flush_list()
            paragraph.append(_inline(line.strip()))
    flush_paragraph()
    flush_list()
    return html


def to_html(text: str | None) -> SafeString:
    """The body as HTML: escaped text in paragraphs, lists and links."""
    lines = (text or "").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    html: list[str] = []
    current: list[str] = []
    for line in [*lines, ""]:
        if line.strip():
            current.append(line)
        elif current:
            html.extend(_block(current))
            current = []
    # Every piece above was escaped or built by format_html.
    return mark_safe("\n".join(html))


def plain(text: str | None) -> str:
    """The body as one line of plain text: link labels kept, list markers dropped."""
    words: list[str] = []
    for line in (text or "").splitlines():
        match = _BULLET.match(line) or _NUMBERED.match(line)
        line = match.group(1) if match else line
        line = _LINK.sub(lambda m: m.group(1) or m.group(3), line)
        words.extend(line.split())
    return " ".join(words)


def snippet(text: str | None, length: int = 180) -> str:
    return Truncator(plain(text)).chars(length)
