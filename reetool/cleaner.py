"""Cleaner stage: turn a :class:`Source` into a :class:`Document` with clean text.

FIRST DRAFT: ftfy plus a tag strip, so the extractor can be built; to be completed.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Iterator

from reetool.document import Document, Failure, Source
from reetool.mojibake import repair


def clean(source: Source) -> Document:
    body = source.body
    if source.markup == "html":
        body = re.sub(r"<(script|style|figure)\b.*?</\1>", " ", body, flags=re.S | re.I)
        body = re.sub(r"</?(p|li|h\d|ul|ol|div|br|hr)\b[^>]*>", "\n", body, flags=re.I)
        body = html.unescape(re.sub(r"<[^>]+>", "", body))
    text, fixes = repair(body)
    text = re.sub(r"\n\s*\n+", "\n\n", text).strip()
    title = repair(html.unescape(source.title))[0] if source.title else None
    return Document(source.doc, text, title, source.published, source.url, dict(fixes), source.digest)


def clean_all(items: Iterable[Source | Failure]) -> Iterator[Document | Failure]:
    for item in items:
        yield item if isinstance(item, Failure) else clean(item)
