"""Corpus statistics read from the store: names over all documents, roles, document
summaries. The store's other reads return documents; these aggregate across them, in SQL,
and count the same content stored under several names once.

:class:`CorpusStatistics` is mixed into :class:`reetool.store.Store`, whose connection,
path and document names it uses.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from reetool.document import Entity
from reetool.roles import sentence_of
from reetool.store.connection import fetch, mapped, snapshot
from reetool.store.rows import IS_COPY

#: Characters of text read on each side of a role for its evidence sentence.
CONTEXT_CHARS = 300
NAME_STATS = "SELECT label, canonical, text, count(*), group_concat(doc_id), NULL FROM mentions"
#: Dates are told apart by their normalised value too: ``reetool entities`` lists a date
#: by value ("2025-12"), with its wordings ("last month", "December") as aliases.
DATE_STATS = (
    "SELECT label, canonical, text, count(*), group_concat(doc_id), value FROM mentions "
    "WHERE label = 'DATE' GROUP BY label, canonical, text, value"
)


@dataclass(slots=True)
class DocumentSummary:
    """One stored document without its text: what ``reetool docs`` lists."""

    doc: str
    title: str | None
    published: str | None
    url: str | None
    digest: str
    counts: dict[str, int] = field(default_factory=dict)
    extracted_at: str = ""
    #: The document stored first with the same content, if this one is a copy.
    same_as: str | None = None


@dataclass(slots=True)
class NameStats:
    """One way a name was written, over the whole store (:meth:`Store.name_stats`).

    ``docs`` are opaque document keys (row ids as text): only their union across merged
    names matters, and ids are much cheaper to fetch than paths.
    """

    label: str
    canonical: str
    text: str
    mentions: int
    docs: set[str]
    first: str | None
    last: str | None
    value: str | None = None  # a DATE's normalised value; None for other labels


class CorpusStatistics:
    """The corpus-wide reads of a :class:`reetool.store.Store`."""

    path: Path
    conn: sqlite3.Connection
    #: Whether the mentions table has the roles' columns.
    has_roles: bool

    def shown(self, key: str) -> str:
        """A stored key as the user names the document (defined by the store)."""
        raise NotImplementedError

    def name_stats(self, labels: Iterable[str] | None = None) -> Iterator[NameStats]:
        """Per (label, canonical, text) (only ``labels`` if given): mentions, documents,
        first and last publication date, aggregated in SQL.

        This is all ``reetool entities`` needs, and it reads neither a document's text
        nor a mention row: on a current store the query is answered from the covering
        indexes of migration 3, in their order, with no sort (on an older store opened
        read-only the same query scans the tables: same answer, slower). Rows stream; what
        a caller keeps grows with the distinct (name, document) pairs, never with the text.
        The queries run in one read transaction: a consistent snapshot while others write.
        """
        with snapshot(self.path) as conn:
            with mapped(self.path):
                published = {
                    str(i): p
                    for i, p in conn.execute("SELECT id, published FROM documents WHERE published > ''")
                }
                # The same content under several names counts once: only its first row.
                copies = {str(i) for (i,) in conn.execute(f"SELECT id FROM documents WHERE {IS_COPY}")}
            # group_concat without DISTINCT: one id per mention, so a list's length is the
            # mention count once the copies' ids are dropped.
            # One constant query per label (an index range each) instead of a built IN list.
            for wanted in ["", "DATE"] if labels is None else sorted(set(labels)):
                with mapped(self.path):
                    if wanted == "":  # all labels but DATE, then DATE with its values
                        cur = conn.execute(
                            f"{NAME_STATS} WHERE label != 'DATE' GROUP BY label, canonical, text"
                        )
                    elif wanted == "DATE":
                        cur = conn.execute(DATE_STATS)
                    else:
                        cur = conn.execute(
                            f"{NAME_STATS} WHERE label = ? GROUP BY label, canonical, text", (wanted,)
                        )
                for label, canonical, text, mentions, doc_ids, value in fetch(self.path, cur):
                    ids = doc_ids.split(",")
                    if copies:
                        ids = [i for i in ids if i not in copies]
                        if not ids:
                            continue
                        mentions = len(ids)
                    docs = set(ids)
                    dates = {d for d in map(published.get, docs) if d is not None}
                    first, last = (min(dates), max(dates)) if dates else (None, None)
                    yield NameStats(label, canonical, text, mentions, docs, first, last, value)

    def roles(self) -> Iterator[tuple[str, str | None, Entity, str]]:
        """Every stored ROLE as (doc, published, role, text around it), for ``reetool
        people``: the role's own rows and a window of its document's text, never a whole
        text; copies of a stored content are skipped, as in the other corpus statistics."""
        if not self.has_roles:
            return
        sql = (
            'SELECT documents.doc, documents.published, m.text, m.start, m."end", m.canonical, m.title, '
            f"m.org, substr(documents.text, max(1, m.start - {CONTEXT_CHARS} + 1), "
            f'm."end" - m.start + 2 * {CONTEXT_CHARS}), max(0, m.start - {CONTEXT_CHARS}) '
            "FROM mentions m JOIN documents ON documents.id = m.doc_id "
            f"WHERE m.label = 'ROLE' AND NOT {IS_COPY} ORDER BY documents.id, m.id"
        )
        with mapped(self.path):
            cur = self.conn.execute(sql)
        for doc, published, text, start, end, person, title, org, window, offset in fetch(self.path, cur):
            role = Entity("ROLE", text, start, end, person, title=title, org=org)
            yield self.shown(doc), published, role, sentence_of(window, start - offset, end - offset)

    def documents(self) -> Iterator[DocumentSummary]:
        """Stream one summary per stored document, ordered by doc path; a document whose
        content is stored under an earlier name says which (``same_as``)."""
        with mapped(self.path):
            first = dict(
                self.conn.execute(
                    "SELECT digest, min(doc) FROM documents WHERE digest > '' "
                    "GROUP BY digest HAVING count(*) > 1"
                )
            )
            cur = self.conn.execute(
                "SELECT d.doc, d.title, d.published, d.url, d.digest, d.extracted_at, m.label, count(m.id) "
                "FROM documents d LEFT JOIN mentions m ON m.doc_id = d.id "
                "GROUP BY d.id, m.label ORDER BY d.doc, m.label"
            )
        current: DocumentSummary | None = None
        current_key = None
        for doc, title, published, url, digest, at, label, n in fetch(self.path, cur):
            if current is None or current_key != doc:
                current_key = doc
                if current is not None:
                    yield current
                same = first.get(digest)
                same_as = self.shown(same) if same is not None and same != doc else None
                current = DocumentSummary(self.shown(doc), title, published, url, digest, {}, at, same_as)
            if label is not None:
                current.counts[label] = n
        if current is not None:
            yield current
