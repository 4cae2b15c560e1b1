"""Records to rows and back: the columns of ``documents`` and ``mentions`` and how a
:class:`~reetool.document.Document` and its :class:`~reetool.document.Entity` mentions map
onto them, in one place for the writer and every reader."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from typing import Any

import orjson

from reetool.document import Document, Entity

DOC_COLUMNS = "id, doc, digest, title, published, url, text, fixes"
_MENTION_COLUMNS = 'label, text, start, "end", canonical, value, inferred, symbol, title, org'
#: A store older than the roles migration has no title and org columns: it reads as NULL.
_OLD_MENTION_COLUMNS = 'label, text, start, "end", canonical, value, inferred, symbol'
#: Indexed by whether the store has the roles' columns.
INSERT_MENTION = (
    f"INSERT INTO mentions (doc_id, {_OLD_MENTION_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
    f"INSERT INTO mentions (doc_id, {_MENTION_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
)
SELECT_MENTIONS = (
    f"SELECT {_OLD_MENTION_COLUMNS}, NULL, NULL FROM mentions WHERE doc_id = ? ORDER BY id",
    f"SELECT {_MENTION_COLUMNS} FROM mentions WHERE doc_id = ? ORDER BY id",
)
#: Rows whose content is stored under an alphabetically earlier name: corpus statistics
#: skip them. An empty digest (a document built without one) is never a copy.
IS_COPY = (
    "(digest > '' AND EXISTS (SELECT 1 FROM documents AS e WHERE e.digest = documents.digest "
    "AND e.doc < documents.doc))"
)


def entities(conn: sqlite3.Connection, doc_id: int, has_roles: bool = True) -> list[Entity]:
    """The mentions stored for one document, in the order they were written."""
    rows = conn.execute(SELECT_MENTIONS[has_roles], (doc_id,))
    return [
        Entity(lb, tx, s, e, c, v, bool(inf), sym, ti, org) for lb, tx, s, e, c, v, inf, sym, ti, org in rows
    ]


def mention_row(e: Entity) -> tuple[Any, ...]:
    """An entity as the values of :data:`INSERT_MENTION` (after the document's id)."""
    return (e.label, e.text, e.start, e.end, e.canonical, e.value, int(e.inferred), e.symbol, e.title, e.org)


def document(row: Sequence[Any], shown: Callable[[str], str]) -> Document:
    """A ``documents`` row read with :data:`DOC_COLUMNS`, its key named as the user sees it."""
    _id, doc, digest, title, published, url, text, fixes = row
    return Document(shown(doc), text, title, published, url, orjson.loads(fixes or "{}"), digest)
