"""Cleaner stage: turn a :class:`Source` into a :class:`Document` with clean text.

The steps run in a fixed order: HTML to text (so the repair sees characters, not
entities), whitespace normalisation and furniture removal, then mojibake repair, and
furniture again if the repair changed anything (a repaired line may turn out to be
furniture). Every step reports what it changed in
``Document.fixes``, in the spirit of ftfy's ``fix_and_explain``.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache

from reetool import boilerplate
from reetool.document import Document, Failure, Source
from reetool.html_text import html_to_text, html_to_text_explain
from reetool.mojibake import repair
from reetool.tally import Tally
from reetool.vocab import Vocab
from reetool.webpage import Page, PageOptions, UnreadablePage, read_page

_LINE_BREAKS = re.compile(r"\r\n|[\r\u2028]")  # not U+0085: ftfy reads it as a mojibake "…"
_PARA_BREAK = "\u2029"
_INVISIBLE = re.compile("[\u200b\ufeff\u2060]")
_TRAILING = re.compile(r"[^\S\n\x85]+$", re.MULTILINE)
_BLANK_RUN = re.compile(r"\n[^\S\n\x85]*\n(?:[^\S\n\x85]*\n)+")
# Whitespace to trim at the edges; U+0085 stays for the mojibake repair to read.
_EDGE_SPACE = "".join(c for c in map(chr, range(0x3001)) if c.isspace() and c != "\x85")
_SPACE_RUN = re.compile(r"\s+")
_MAX_ROUNDS = 3
_ENTITY = re.compile(r"&(?:#\d+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]{1,31});")


@dataclass(frozen=True, slots=True)
class CleanRules:
    """Everything the cleaner knows from vocab, compiled once per run, and how much of a
    whole web page to keep."""

    furniture: boilerplate.FurnitureRules = field(default_factory=boilerplate.FurnitureRules)
    page: PageOptions = field(default_factory=PageOptions)


def load_rules(vocab: Vocab, page: PageOptions | None = None) -> CleanRules:
    """Compile the cleaning rules from ``vocab``; ``ValueError`` on a bad user rule."""
    return CleanRules(furniture=boilerplate.load(vocab), page=page or PageOptions())


@lru_cache(maxsize=8)
def _rules_for(vocab: Vocab) -> CleanRules:
    return load_rules(vocab)


def clean(source: Source, rules: CleanRules | None = None) -> Document:
    """The cleaned title and body of ``source``, with every fix counted."""
    if rules is None:
        rules = _rules_for(Vocab.load())
    fixes: Counter[str] = Counter()
    body = source.body
    page: Page | None = None
    if source.markup == "page":
        page = read_page(body, rules.page)
        body = page.text
        fixes.update(page.fixes)
    elif source.markup == "html":
        body, dropped = html_to_text_explain(body)
        fixes["html_to_text"] += 1
        fixes.update(dropped)
    body = _tidy(body, rules, fixes)
    # ftfy judges a character by its neighbours, so a repair can enable another once
    # furniture or edge whitespace around it is gone: repeat until nothing changes,
    # which is what makes clean(clean(x)) == clean(x). Rarely more than one round.
    for _ in range(_MAX_ROUNDS):
        repaired, counts = repair(body)
        fixes.update(counts)
        if repaired == body:
            break
        body = _tidy(repaired, rules, fixes)
        if body == repaired:
            break
    if page is None:
        title = clean_title(source.title, source.markup, fixes)
        return Document(
            doc=source.doc,
            text=body,
            title=title,
            published=source.published,
            url=source.url,
            fixes={k: v for k, v in fixes.items() if v},
            digest=source.digest,
        )
    return Document(
        doc=source.doc,
        text=body,
        title=clean_title(page.title or source.title, "text", fixes),
        published=page.published or source.published,
        url=page.url or source.url,
        author=_one_line(page.author),
        site=_one_line(page.site),
        fixes={k: v for k, v in fixes.items() if v},
        digest=source.digest,
    )


def _one_line(value: str | None) -> str | None:
    return (_SPACE_RUN.sub(" ", value).strip() or None) if value else None


def _tidy(text: str, rules: CleanRules, fixes: Counter[str]) -> str:
    text, removed = boilerplate.remove(text, rules.furniture)
    fixes.update(removed)
    return normalize_whitespace(text, fixes)


def clean_title(title: str | None, markup: str, fixes: Counter[str] | None = None) -> str | None:
    """A title on one line. Titles of HTML sources are HTML too (WordPress's
    ``title.rendered`` carries entities and sometimes ``<em>``)."""
    if not title:
        return title
    fixes = fixes if fixes is not None else Counter()
    text = title
    if markup == "html" or _ENTITY.search(title) or "<" in title:
        text = html_to_text(title)
    text, repaired = repair(text)
    fixes.update({f"title_{k}": v for k, v in repaired.items()})
    text = _SPACE_RUN.sub(" ", text).strip()
    if text != title:
        fixes["title"] += 1
    return text or None


def normalize_whitespace(text: str, fixes: Counter[str] | None = None) -> str:
    """Unix newlines, no trailing spaces, at most one blank line between blocks."""
    fixes = fixes if fixes is not None else Counter()

    def sub(pattern: re.Pattern[str], repl: str, name: str, s: str) -> str:
        s, n = pattern.subn(repl, s)
        fixes[name] += n
        return s

    text = sub(_LINE_BREAKS, "\n", "line_breaks", text)
    if _PARA_BREAK in text:
        fixes["line_breaks"] += text.count(_PARA_BREAK)
        text = text.replace(_PARA_BREAK, "\n\n")
    text = sub(_INVISIBLE, "", "invisible_chars", text)
    text = sub(_TRAILING, "", "trailing_space", text)
    text = sub(_BLANK_RUN, "\n\n", "blank_lines", text)
    stripped = text.strip(_EDGE_SPACE)
    if stripped != text:
        fixes["trailing_space"] += 1
    return stripped


def clean_all(
    items: Iterable[Source | Failure], rules: CleanRules | None = None, tally: Tally | None = None
) -> Iterator[Document | Failure]:
    """Clean a stream; a document that cannot be cleaned becomes a :class:`Failure`.

    With ``tally``, each document is counted as cleaned or failed (failures coming in
    are the reader's, counted there)."""
    if rules is None:
        rules = _rules_for(Vocab.load())
    for item in items:
        if isinstance(item, Failure):
            yield item
            continue
        out = _clean_one(item, rules)
        if tally is not None:
            if isinstance(out, Failure):
                tally.failed += 1
            else:
                tally.cleaned += 1
        yield out


def _clean_one(item: Source, rules: CleanRules) -> Document | Failure:
    try:
        return clean(item, rules)
    except UnreadablePage as exc:
        return Failure(item.doc, str(exc))
    except Exception as exc:  # one bad document must not stop the run
        return Failure(item.doc, f"cannot clean: {type(exc).__name__}: {exc}")
