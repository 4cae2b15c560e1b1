"""Reporter helpers shared by every command: record shapes and writers.

Records are plain dicts with a fixed key order so that JSON lines, JSON and CSV
outputs stay stable for scripts that read them.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from typing import Any, BinaryIO

import orjson

from reetool.document import Document, Entity


def default_format(tty_format: str = "table") -> str:
    """Readable output for a person at a terminal, JSON lines for a pipe."""
    return tty_format if sys.stdout.isatty() else "jsonl"


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


def write_json(obj: Any, out: BinaryIO | None = None) -> None:
    out = out or sys.stdout.buffer
    out.write(orjson.dumps(obj, option=orjson.OPT_INDENT_2) + b"\n")
    out.flush()


class JsonArray:
    """``--format json`` for a stream of records: one valid JSON array, written as the
    records come, so a corpus never has to fit in memory to be printed."""

    def __init__(self, out: BinaryIO | None = None) -> None:
        self.out = out or sys.stdout.buffer
        self.count = 0

    def __enter__(self) -> JsonArray:
        return self

    def add(self, record: dict[str, Any]) -> None:
        lead = b",\n" if self.count else b"[\n"
        self.out.write(lead + orjson.dumps(record, option=orjson.OPT_INDENT_2))
        self.out.flush()
        self.count += 1

    def __exit__(self, exc_type: object, *_: object) -> None:
        if exc_type is None:
            self.out.write(b"\n]\n" if self.count else b"[]\n")
            self.out.flush()


#: Characters that make a spreadsheet read a cell as a formula (also tab and CR, which
#: some spreadsheets strip before looking).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> str:
    """A value as a CSV cell that a spreadsheet shows as text, never runs as a formula.

    Article text is attacker-controlled: an organization named ``=HYPERLINK(...)`` must
    not become a live formula when someone opens our CSV. Lists are joined with ``"; "``,
    dicts written as JSON, ``None`` left empty.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, (list, tuple)):
        text = "; ".join("" if v is None else str(v) for v in value)
    elif isinstance(value, dict):
        text = orjson.dumps(value).decode()
    else:
        text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def write_csv(records: Iterable[dict[str, Any]], columns: list[str], out: BinaryIO | None = None) -> None:
    """CSV with a header row, UTF-8, one row per record, formula-like cells neutralised."""
    import csv
    import io

    out = out or sys.stdout.buffer
    text = io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=True)
    try:
        writer = csv.writer(text, lineterminator="\n")
        writer.writerow([csv_cell(c) for c in columns])
        for rec in records:
            writer.writerow([csv_cell(rec.get(c)) for c in columns])
        text.flush()
    finally:
        text.detach()  # leave ``out`` open for the caller
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
