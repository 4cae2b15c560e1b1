"""Cleaner stage: turn a :class:`Source` into a :class:`Document` with clean text.

FIRST DRAFT: ftfy plus a tag strip, so the extractor can be built; to be completed.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from collections.abc import Iterable, Iterator

import ftfy

from reetool.document import Document, Failure, Source


def fix_text(text: str) -> tuple[str, Counter[str]]:
    fixes: Counter[str] = Counter()
    try:
        damaged = text.encode("tis-620")
        fixed = damaged.decode("utf-8", errors="ignore")
    except UnicodeError:
        fixed = text
    if fixed != text:
        fixes["tis620"] += 1
    out = ftfy.fix_text(fixed)
    if out != fixed:
        fixes["ftfy"] += 1
    return out, fixes


def clean(source: Source) -> Document:
    body = source.body
    if source.markup == "html":
        body = re.sub(r"<(script|style|figure)\b.*?</\1>", " ", body, flags=re.S | re.I)
        body = re.sub(r"</?(p|li|h\d|ul|ol|div|br|hr)\b[^>]*>", "\n", body, flags=re.I)
        body = html.unescape(re.sub(r"<[^>]+>", "", body))
    text, fixes = fix_text(body)
    text = re.sub(r"\n\s*\n+", "\n\n", text).strip()
    title = fix_text(html.unescape(source.title))[0] if source.title else None
    return Document(source.doc, text, title, source.published, source.url, dict(fixes), source.digest)


def clean_all(items: Iterable[Source | Failure]) -> Iterator[Document | Failure]:
    for item in items:
        yield item if isinstance(item, Failure) else clean(item)
