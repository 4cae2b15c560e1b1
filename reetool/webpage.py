"""A whole saved web page -> the article's text and the page's metadata.

Selecting the article inside a page (and leaving menus, related stories, comments,
share rows and banners behind) is what trafilatura does best, so that part is its
job; its companion htmldate finds the publication date. What reetool adds around it:

- the article comes back as HTML and is rendered by :mod:`reetool.html_text`, so a page
  and a WordPress fragment end up with the same layout (blank-line paragraphs, ``- ``
  list items, ``cell | cell`` rows, ``<br>`` as a line break);
- the page is never silently emptied: when the extractor keeps little or nothing of a
  page that has text, the page's full text (without script, style, nav, aside and
  footer) is used instead and ``page_fallback`` is counted in the fixes, which the
  command line turns into a warning;
- hostile pages stay bounded: a page over :data:`MAX_EXTRACT_CHARS` skips the extractor
  (whose tree would cost many times the page in memory) and goes straight to the
  streaming full-text path; one lxml cannot parse is read by that path too.

Fragments (WordPress ``content.rendered``, HTML fields of JSON lines) never come here:
they are already the article body, and main-text extraction would drop real paragraphs.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from reetool.html_text import PAGE_DROPPED, html_to_text_explain
from reetool.pagemeta import page_metadata

#: Pages longer than this (characters) are not given to the extractor: its lxml tree and
#: scoring cost many times the page in memory and seconds per megabyte. Saved news pages
#: are well under 2 MB; the full-text path streams and handles the rest.
MAX_EXTRACT_CHARS = 8_000_000
#: The extractor "kept little" when its text is shorter than this many characters while
#: the page's own text is several times longer (tuned on trafilatura's evaluation set).
MIN_ARTICLE_CHARS = 100
_SOFT_HYPHEN = "\xad"
_SPACE = re.compile(r"\s+")


class UnreadablePage(ValueError):
    """Neither lxml nor the forgiving full-text reader finds anything in the page."""


@dataclass(frozen=True, slots=True)
class PageOptions:
    """How much of a page to keep: the article (default), the whole page text
    (``full``), and whether reader comments below the article count as its text."""

    full: bool = False
    comments: bool = False

    @property
    def key(self) -> str:
        """A short tag that changes when the options change what a page's text is."""
        return ("full" if self.full else "main") + ("+comments" if self.comments else "")


@dataclass(slots=True)
class Page:
    """What a page gave: its text and the metadata found in it."""

    text: str
    title: str | None = None
    author: str | None = None
    published: str | None = None
    url: str | None = None
    site: str | None = None
    fixes: dict[str, int] = field(default_factory=dict)


def read_page(html: str, options: PageOptions | None = None) -> Page:
    """The article of ``html`` (or its full text, per ``options``) with its metadata.

    The fixes say which text came out: ``page_main_text`` (the article),
    ``page_full_text`` (asked for), ``page_fallback`` (no article found),
    ``page_too_big`` or ``page_not_parsed`` (full text, the extractor could
    not run), and ``page_empty`` when even the full text is empty.
    """
    options = options or PageOptions()
    fixes: Counter[str] = Counter()
    too_big = len(html) > MAX_EXTRACT_CHARS
    tree = None if too_big else _parse(html)
    meta = page_metadata(tree) if tree is not None else {}
    if options.full or tree is None:
        text = _full_text(html, fixes)
        if tree is None and not too_big and not text.strip():
            raise UnreadablePage("cannot parse the HTML page: no document in it")
        fixes["page_full_text" if options.full else "page_too_big" if too_big else "page_not_parsed"] += 1
    else:
        text = _article(tree, options, fixes)
        if _chars(text) < MIN_ARTICLE_CHARS:
            # "little or nothing": the page's own text may be all there is (a short
            # notice, a body the extractor scored as boilerplate); keep the longer one
            full_fixes: Counter[str] = Counter()
            full = _full_text(html, full_fixes)
            if _chars(full) > 2 * _chars(text):
                text = full
                fixes = full_fixes
                fixes["page_fallback"] += 1
    text = text.replace(_SOFT_HYPHEN, "")
    if not text.strip():
        fixes["page_empty"] += 1
    return Page(text=text, fixes=dict(fixes), **meta)


#: A table cell holding this much text is page layout (old CMSes and ASP.NET sites lay
#: whole pages out in tables), not data: a price table's cells are a few words each.
LAYOUT_CELL_CHARS = 400
_TABLE_PARTS = ("table", "thead", "tbody", "tfoot", "tr", "td", "th")


def _unwrap_layout_tables(tree: Any) -> None:
    """Turn layout tables into plain blocks, so that the article in one of their cells
    comes out as paragraphs rather than as one table row glued to the menu beside it."""
    for table in list(tree.iter("table")):
        if any(len(cell.text_content()) >= LAYOUT_CELL_CHARS for cell in table.iter("td", "th")):
            # its own rows and cells only: a data table nested in a layout cell stays a table
            own = [p for p in table.iter(*_TABLE_PARTS) if p is table or _table_of(p) is table]
            for part in own:
                part.tag = "div"


def _table_of(element: Any) -> Any:
    return next(element.iterancestors("table"), None)


def _full_text(html: str, fixes: Counter[str]) -> str:
    """All the page's text but script, style, nav, aside and footer (forms are kept)."""
    text, dropped = html_to_text_explain(html, PAGE_DROPPED)
    fixes.update(dropped)
    return text


def _chars(text: str) -> int:
    return len(_SPACE.sub("", text))


def _parse(html: str) -> Any:
    """The page as an lxml tree, or None if lxml makes nothing of it."""
    from trafilatura.utils import load_html

    try:
        return load_html(html)
    except Exception:  # lxml raises on a few pathological inputs; the full-text path copes
        return None


def _article(tree: Any, options: PageOptions, fixes: Counter[str]) -> str:
    """The article's text, laid out as reetool lays out every HTML text."""
    from lxml.etree import tostring
    from trafilatura import bare_extraction
    from trafilatura.htmlprocessing import convert_to_html

    _unwrap_layout_tables(tree)
    try:
        doc = bare_extraction(
            tree, include_comments=options.comments, include_tables=True, include_formatting=False
        )
    except Exception:  # a bug in the extractor must cost one page its extraction, not the run
        doc = None
    if doc is None:
        return ""
    fixes["page_main_text"] += 1
    parts = []
    for body in (doc.body, doc.commentsbody if options.comments else None):  # type: ignore[union-attr]
        if body is not None and len(body):
            parts.append(html_to_text_explain(tostring(convert_to_html(body), encoding="unicode"))[0])
    return "\n\n".join(p for p in parts if p)
