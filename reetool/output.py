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
