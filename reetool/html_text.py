"""HTML to the text a reader sees, with the block structure kept.

Built on the standard library's forgiving ``html.parser`` rather than a DOM library:
scraped article bodies are fragments, often malformed (unclosed tags, stray ``<``,
half comments), and we only need a single pass that knows which elements start a
block, which are list items or table cells, and which must never be read at all.

The output is plain text: blocks separated by one blank line, list items as lines
starting with ``- ``, table rows as ``cell | cell``, whitespace inside a block
collapsed, entities decoded.
"""

from __future__ import annotations

import re
from collections import Counter
from html.parser import HTMLParser

# Elements whose content is never text for a reader (code, media, page metadata).
DROPPED = frozenset(
    {
        "script",
        "style",
        "figure",
        "noscript",
        "iframe",
        "svg",
        "math",
        "template",
        "head",
        "title",
        "object",
        "canvas",
        "select",
        "textarea",
        "button",
        # page furniture around the article in a saved page: menus, sidebars, site footers, forms
        "nav",
        "aside",
        "footer",
        "form",
    }
)
# A whole page's full text (the fallback when no article is found, and ``--full``) keeps
# forms: ASP.NET pages hold their entire body in one <form>.
PAGE_DROPPED = DROPPED - {"form"}
# Elements that start and end a block: a paragraph-like unit separated by a blank line.
BLOCK = frozenset(
    {
        "p",
        "div",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "blockquote",
        "section",
        "article",
        "header",
        "footer",
        "main",
        "aside",
        "nav",
        "address",
        "pre",
        "form",
        "fieldset",
        "details",
        "summary",
        "dl",
        "figcaption",
        "caption",
        "center",
        "body",
        "html",
        "hgroup",
        "legend",
    }
)
LINE = frozenset({"dt", "dd", "option"})
LISTS = frozenset({"ul", "ol", "menu", "dir"})
CELLS = frozenset({"td", "th"})
VOID = frozenset(
    {
        "br",
        "hr",
        "img",
        "input",
        "meta",
        "link",
        "area",
        "base",
        "col",
        "embed",
        "source",
        "track",
        "wbr",
        "param",
    }
)
# Tags that, met while an unclosed <head> is open, mean the body has started.
_HEAD_OK = frozenset({"title", "meta", "link", "style", "script", "base", "noscript", "template"})

# HTML collapses ASCII whitespace (and we add the no-break space); other Unicode spaces
# and U+0085 (mojibake of "…") are characters the text keeps.
_SPACE = re.compile(r"[ \t\n\r\f\v\xa0]+")


class _TextBuilder(HTMLParser):
    """Accumulates lines; ``_pending`` is the strongest break asked for since the
    last line (1 = newline, 2 = blank line) so that nested blocks never stack up
    blank lines."""

    def __init__(self, dropped: frozenset[str] = DROPPED) -> None:
        super().__init__(convert_charrefs=True)
        self._drop = dropped
        self.out: list[str] = []
        self.dropped: Counter[str] = Counter()
        self._line: list[str] = []
        self._pending = 0
        self._prefix = ""
        self._skip: list[str] = []
        self._lists = 0
        self._pre = 0
        self._rows: list[list[list[str]] | None] = []  # one entry per open table

    # -- output primitives -------------------------------------------------
    def _flush(self) -> None:
        text = _SPACE.sub(" ", "".join(self._line)).strip(" ")
        self._line = []
        if not text:
            return
        if self.out:
            self.out.append("\n" * max(self._pending, 1))
        self.out.append(self._prefix + text)
        self._pending = 0
        self._prefix = ""

    def _break(self, strength: int) -> None:
        if self._cell() is not None:
            self._cell().append(" ")  # type: ignore[union-attr]
            return
        self._flush()
        if self._lists and strength > 1:
            strength = 1  # blocks inside a list item stay inside the list
        self._pending = max(self._pending, strength)

    def _cell(self) -> list[str] | None:
        if self._rows and self._rows[-1]:
            return self._rows[-1][-1]
        return None

    def _end_row(self) -> None:
        if not self._rows or self._rows[-1] is None:
            return
        cells = [_SPACE.sub(" ", "".join(c)).strip(" ") for c in self._rows[-1]]
        self._rows[-1] = None
        if any(cells):
            self._flush()
            self._pending = max(self._pending, 1)
            self._line = [" | ".join(cells)]
            self._flush()
            self._pending = 1

    # -- parser callbacks --------------------------------------------------
    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._skip:
            if self._skip == ["head"] and tag not in _HEAD_OK and tag not in ("head", "html"):
                self._skip.pop()  # an unclosed <head>: the body has begun
            else:
                if tag in self._drop and tag not in VOID:
                    self._skip.append(tag)
                return
        if tag in self._drop:
            self._skip.append(tag)
            self.dropped[tag] += 1
            return
        self._open(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        # <svg/> and friends: an element with no content, nothing to skip.
        if self._skip or tag in self._drop:
            return
        self._open(tag)
        if tag not in VOID:
            self.handle_endtag(tag)

    def _open(self, tag: str) -> None:
        if tag == "br":
            if self._cell() is not None:
                self._cell().append(" ")  # type: ignore[union-attr]
            elif _SPACE.sub("", "".join(self._line)):
                self._flush()
                self._pending = max(self._pending, 1)
            elif self.out and not self._lists:
                self._pending = min(self._pending + 1, 2)  # <br><br> is a paragraph break
        elif tag == "hr":
            self._break(2)
        elif tag in LISTS:
            self._break(1 if self._lists else 2)
            self._lists += 1
        elif tag == "li":
            self._break(1)
            self._prefix = "- "
        elif tag == "table":
            self._break(2)
            self._rows.append(None)
        elif tag == "tr":
            if self._rows:
                self._end_row()
                self._rows[-1] = []
        elif tag in CELLS:
            if not self._rows:
                self._break(1)
                return
            if self._rows[-1] is None:
                self._rows[-1] = []
            self._rows[-1].append([])  # type: ignore[union-attr]
        elif tag in BLOCK:
            if tag == "pre":
                self._pre += 1
            self._break(2)
        elif tag in LINE:
            self._break(1)

    def handle_endtag(self, tag: str) -> None:
        if self._skip:
            if tag in self._skip:
                while self._skip and self._skip.pop() != tag:
                    pass
            return
        if tag in LISTS:
            if self._lists:
                self._lists -= 1
            self._break(1 if self._lists else 2)
            if not self._lists:
                self._prefix = ""
        elif tag == "li":
            self._break(1)
        elif tag == "table":
            if self._rows:
                self._end_row()
                self._rows.pop()
            self._break(2)
        elif tag == "tr":
            self._end_row()
        elif tag in CELLS:
            if self._cell() is not None:
                self._cell().append(" ")  # type: ignore[union-attr]
        elif tag in BLOCK:
            if tag == "pre" and self._pre:
                self._pre -= 1
            self._break(2)
        elif tag in LINE:
            self._break(1)

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        cell = self._cell()
        if cell is not None:
            cell.append(data)
        elif self._pre and "\n" in data:
            first, *rest = data.split("\n")
            self._line.append(first)
            for part in rest:
                self._flush()
                self._pending = max(self._pending, 1)
                self._line.append(part)
        else:
            self._line.append(data)

    def close(self) -> None:
        super().close()
        while self._rows:
            self._end_row()
            self._rows.pop()
        self._flush()


def html_to_text_explain(html: str, dropped: frozenset[str] = DROPPED) -> tuple[str, dict[str, int]]:
    """The text of ``html`` and how many elements of each ``dropped`` kind were removed."""
    html = _cut_unclosed_comment(html)
    builder = _TextBuilder(dropped)
    try:
        builder.feed(html)
        builder.close()
    except Exception:  # html.parser has raised on odd input in the past
        return _fallback(html), {"html_parse_fallback": 1}
    text = "".join(builder.out).replace("\xa0", " ")
    return text, {f"html_dropped_{k}": v for k, v in sorted(builder.dropped.items())}


def html_to_text(html: str) -> str:
    """The text a reader sees in ``html``; see the module docstring for the layout."""
    return html_to_text_explain(html)[0]


_TRUNCATED_TAG = re.compile(r"<[/!?]?[A-Za-z][^<>]*\Z")


def _cut_unclosed_comment(html: str) -> str:
    """A ``<!--`` never closed hides the rest of the page in a browser, and a tag cut
    off by the end of the input (``...</p``) is no text either; do the same.

    An unclosed ``<![CDATA[`` goes too: html.parser would hand everything after it over
    as text, a ``<script>`` body included."""
    pos = 0
    while (m := _SECTION_OPEN.search(html, pos)) is not None:
        closer = "-->" if m.group(0) == "<!--" else "]]>"
        end = html.find(closer, m.end())  # sections do not nest: the first closer ends one
        if end < 0:
            return html[: m.start()]
        pos = end + len(closer)
    return _TRUNCATED_TAG.sub("", html)


_SECTION_OPEN = re.compile(r"<!--|<!\[")


_FALLBACK_DROP = re.compile(
    r"<(" + "|".join(sorted(DROPPED)) + r")\b.*?(?:</\1\s*>|\Z)", re.IGNORECASE | re.DOTALL
)


def _fallback(html: str) -> str:
    """Crude but safe: used only if the parser itself fails. Dropped elements still go."""
    import html as html_lib

    body = _FALLBACK_DROP.sub(" ", html)
    body = re.sub(r"<[^>]*>", " ", body)
    lines = (_SPACE.sub(" ", line).strip() for line in html_lib.unescape(body).split("\n"))
    return "\n".join(line for line in lines if line)
