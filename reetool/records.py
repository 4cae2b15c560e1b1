"""The JSON lines contract: the records reetool writes, and the same records read back.

Records are plain dicts with a fixed key order so that JSON lines, JSON and CSV
outputs stay stable for scripts that read them. ``reetool extract --format jsonl``
writes :func:`entity_record` lines; ``reetool entities`` (and every corpus command)
reads them back with :func:`read_jsonl_extractions`, so a pipe between two reetool
commands loses nothing the store would keep.
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from typing import Any, BinaryIO

import orjson

from reetool.document import Document, Entity, Extraction


def document_record(doc: Document) -> dict[str, Any]:
    return {
        "doc": doc.doc,
        "title": doc.title,
        "published": doc.published,
        "url": doc.url,
        "author": doc.author,
        "site": doc.site,
        "text": doc.text,
        "fixes": doc.fixes,
    }


#: The keys of :func:`entity_record`, in order: the columns of entity CSV output.
ENTITY_COLUMNS = (
    "doc", "published", "label", "text", "start", "end", "canonical", "value", "inferred", "symbol",
)


def entity_record(doc: Document, ent: Entity) -> dict[str, Any]:
    """One JSON lines record per mention; ``published`` rides along so that corpus
    commands reading a pipe can date entities without the store."""
    return {
        "doc": doc.doc,
        "published": doc.published,
        "label": ent.label,
        "text": ent.text,
        "start": ent.start,
        "end": ent.end,
        "canonical": ent.canonical,
        "value": ent.value,
        "inferred": ent.inferred,
        "symbol": ent.symbol,
    }


def write_jsonl(records: Iterable[dict[str, Any]], out: BinaryIO | None = None) -> None:
    out = out or sys.stdout.buffer
    for rec in records:
        out.write(orjson.dumps(rec) + b"\n")
    out.flush()


def extraction_record(doc: Document, entities: Iterable[Entity]) -> dict[str, Any]:
    """One object per document for ``extract --format json``: entities grouped by label,
    then by canonical name, each with its mentions as written and where."""
    grouped: dict[str, dict[str, dict[str, Any]]] = {}
    for ent in entities:
        by_name = grouped.setdefault(ent.label, {})
        item = by_name.setdefault(ent.canonical, {"canonical": ent.canonical, "mentions": []})
        if ent.value is not None:
            item.setdefault("value", ent.value)
            item.setdefault("inferred", ent.inferred)
        if ent.symbol is not None:
            item.setdefault("symbol", ent.symbol)
        item["mentions"].append({"text": ent.text, "start": ent.start, "end": ent.end})
    return {
        "doc": doc.doc,
        "title": doc.title,
        "published": doc.published,
        "url": doc.url,
        "entities": {label: list(items.values()) for label, items in grouped.items()},
    }


def doc_summary_record(
    doc: str,
    title: str | None,
    published: str | None,
    url: str | None,
    counts: dict[str, int],
    same_as: str | None = None,
) -> dict[str, Any]:
    """What ``reetool docs`` prints per document; ``same_as`` names the document stored
    first with the same content, when this one is a copy (counted once by the corpus
    commands)."""
    return {
        "doc": doc,
        "title": title,
        "published": published,
        "url": url,
        "counts": dict(sorted(counts.items())),
        "same_as": same_as,
    }


def summaries_from_extractions(extractions: Iterable[Extraction]) -> Iterator[dict[str, Any]]:
    for ext in extractions:
        d = ext.document
        yield doc_summary_record(d.doc, d.title, d.published, d.url, Counter(e.label for e in ext.entities))



def read_jsonl_extractions(
    stream: Iterable[bytes], on_error: Callable[[int, str], None] | None = None
) -> Iterator[Extraction]:
    """Group entity records (``reetool extract --format jsonl``) back into extractions.

    Records of one document arrive together; a record with another ``doc`` starts the
    next extraction. Bad lines are reported to ``on_error(line_number, reason)`` and
    skipped, so one damaged line does not lose the rest of a pipe. Documents have no text.
    """
    current: Extraction | None = None
    for lineno, line in enumerate(stream, 1):
        if not line.strip():
            continue
        try:
            rec = orjson.loads(line)
        except orjson.JSONDecodeError as exc:
            if on_error:
                on_error(lineno, f"not JSON ({exc.msg})")
            continue
        if not isinstance(rec, dict) or not isinstance(rec.get("doc"), str):
            if on_error:
                on_error(lineno, 'not a reetool record (no "doc")')
            continue
        doc = rec["doc"]
        if current is None or current.document.doc != doc:
            if current is not None:
                yield current
            published = rec.get("published")
            current = Extraction(
                Document(
                    doc,
                    "",
                    title=_str_or_none(rec.get("title")),
                    published=_str_or_none(published),
                    url=_str_or_none(rec.get("url")),
                )
            )
        label, text = rec.get("label"), rec.get("text")
        if not isinstance(label, str) or not isinstance(text, str):
            continue  # a document record (reetool clean): it names the document, no mention
        try:
            ent = Entity(
                label,
                text,
                int(rec.get("start") or 0),
                int(rec.get("end") or 0),
                _str_or_none(rec.get("canonical")) or text,
                _str_or_none(rec.get("value")),
                bool(rec.get("inferred")),
                _str_or_none(rec.get("symbol")),
            )
        except (TypeError, ValueError):
            if on_error:
                on_error(lineno, "bad start/end offsets")
            continue
        current.entities.append(ent)
    if current is not None:
        yield current


def _str_or_none(value: object) -> str | None:
    return value if isinstance(value, str) else None
