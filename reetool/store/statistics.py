"""Corpus statistics read from the store: names over all documents, roles, document
summaries. The store's other reads return documents; these aggregate across them, in SQL,
and count the same content stored under several names once.

:class:`CorpusStatistics` is mixed into :class:`reetool.store.Store`, whose connection,
path and document names it uses.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass, field
from heapq import merge
from pathlib import Path
from typing import Any

from reetool.document import Entity
from reetool.store.connection import fetch, mapped, snapshot
from reetool.store.rows import IS_COPY
from reetool.store.schema import PUBLISHED_MONTH

#: Characters of text read on each side of a role for its evidence sentence.
CONTEXT_CHARS = 300
NAME_STATS = "SELECT label, canonical, text, count(*), group_concat(doc_id), NULL FROM mentions"
#: Dates are told apart by their normalised value too: ``reetool entities`` lists a date
#: by value ("2025-12"), with its wordings ("last month", "December") as aliases.
DATE_STATS = (
    "SELECT label, canonical, text, count(*), group_concat(doc_id), value FROM mentions "
    "WHERE label = 'DATE' GROUP BY label, canonical, text, value"
)


#: Names written at most this many times are aggregated from their mentions; more often,
#: from the counts kept per name and month (see :meth:`CorpusStatistics.name_stats`).
FEW = 100
_NAME = "m.label = t.label AND m.canonical = t.canonical AND m.text = t.text"


def _per_label(sql: str) -> tuple[str, str]:
    """``sql`` for the names of one label (an index range; the label is the last
    parameter), and for those of every label but DATE."""
    return sql.format("= ?"), sql.format("!= 'DATE'")


#: Names written at most :data:`FEW` times (the first parameter), as :data:`NAME_STATS`
#: gives them; of one label, or of all but DATE (see :func:`_per_label`).
FEW_MENTIONS = _per_label(
    "SELECT t.label, t.canonical, t.text, count(*), group_concat(m.doc_id), NULL "
    f"FROM name_totals t JOIN mentions m ON {_NAME} WHERE t.mentions <= ? AND t.label {{}} "
    "GROUP BY t.label, t.canonical, t.text ORDER BY t.label, t.canonical, t.text"
)


def _edge(month: str, order: str) -> str:
    """SQL: the first (``ASC``) or last (``DESC``) publication date of the name ``t`` in its
    ``month``: that month's documents in date order (an index range), the first that
    mentions the name (an index probe each). The month holds one, by the counts."""
    return (
        "(SELECT d.published FROM documents d INDEXED BY documents_published "
        f"WHERE d.published >= t.{month} AND d.published < t.{month} || char(1114111) "
        f"AND EXISTS (SELECT 1 FROM mentions m WHERE {_NAME} AND m.doc_id = d.id) "
        f"ORDER BY d.published {order} LIMIT 1)"
    )


#: Names written more than :data:`FEW` times, from the counts kept per name and month:
#: mentions, documents (a document has one month), first and last date.
MANY_MENTIONS = _per_label(
    f"SELECT t.label, t.canonical, t.text, t.mentions, t.documents, {_edge('first', 'ASC')}, "
    f"{_edge('last', 'DESC')} FROM (SELECT s.label, s.canonical, s.text, s.mentions, "
    "sum(n.documents) AS documents, min(nullif(n.month, '')) AS first, max(nullif(n.month, '')) AS last "
    "FROM name_totals s CROSS JOIN name_months n ON n.label = s.label AND n.canonical = s.canonical "
    "AND n.text = s.text WHERE s.mentions > ? AND s.label {} "
    "GROUP BY s.label, s.canonical, s.text) t ORDER BY t.label, t.canonical, t.text"
)
#: The documents of one written name (ids, as in :class:`NameStats`).
NAME_DOCUMENTS = "SELECT DISTINCT doc_id FROM mentions WHERE label = ? AND canonical = ? AND text = ?"
#: Whether a document has a date the kept counts cannot place in a month.
ODD_DATES = (
    "SELECT EXISTS (SELECT 1 FROM documents d INDEXED BY documents_published "
    f"WHERE d.published > '' AND {PUBLISHED_MONTH} = '')"
)


@dataclass(frozen=True, slots=True)
class StoredDocuments(Collection[str]):
    """The documents of one written name as the store counted them: their number is
    known; their keys are read from the store only if they are iterated, that is when
    the name is merged with another and the union must be counted."""

    count: int
    read: Callable[[tuple[str, str, str]], Iterator[str]]
    name: tuple[str, str, str]

    def __len__(self) -> int:
        return self.count

    def __iter__(self) -> Iterator[str]:
        return self.read(self.name)

    def __contains__(self, key: object) -> bool:
        return any(key == k for k in self)


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
    docs: Collection[str]
    first: str | None
    last: str | None
    value: str | None = None  # a DATE's normalised value; None for other labels


class CorpusStatistics:
    """The corpus-wide reads of a :class:`reetool.store.Store`."""

    path: Path
    conn: sqlite3.Connection
    #: Whether the mentions table has the roles' columns.
    has_roles: bool
    #: Whether the store keeps counts per written name and month (migration 9).
    counts_per_document: bool

    def shown(self, key: str) -> str:
        """A stored key as the user names the document (defined by the store)."""
        raise NotImplementedError

    def name_stats(self, labels: Iterable[str] | None = None) -> Iterator[NameStats]:
        """Per (label, canonical, text) (only ``labels`` if given): mentions, documents,
        first and last publication date, aggregated in SQL, in (label, canonical, text)
        order.

        This is all ``reetool entities`` needs, and it reads no document's text. A name
        written a few times is aggregated from its mentions, answered from the covering
        indexes of migration 3 (on an older store opened read-only the same query scans
        the tables: same answer, slower). A name written many times is read from the
        counts kept per name and month (migration 9), so its cost follows its months,
        not its mentions: its first and last date are found by walking the documents of
        its first and last month in date order until one mentions it. Its document set
        is then a :class:`StoredDocuments`, listed only if it must be united with another
        name's (read from the store's own connection: keep the store open until the
        names are merged). Rows stream; the queries run in one read transaction, a
        consistent snapshot while others write.
        """
        with snapshot(self.path) as conn:
            with mapped(self.path):
                published = {
                    str(i): p
                    for i, p in conn.execute("SELECT id, published FROM documents WHERE published > ''")
                }
                # The same content under several names counts once: only its first row.
                copies = {str(i) for (i,) in conn.execute(f"SELECT id FROM documents WHERE {IS_COPY}")}
                # The kept counts hold copies and know dates by month only: read them only
                # where they give the same answer as the mentions.
                kept = self.counts_per_document and not copies
                kept = kept and not conn.execute(ODD_DATES).fetchone()[0]
            # One constant query per label (an index range each) instead of a built IN list.
            for wanted in ["", "DATE"] if labels is None else sorted(set(labels)):
                if kept and wanted != "DATE":
                    every = wanted == ""  # every label but DATE: query 1 of each pair
                    args = (FEW,) if every else (FEW, wanted)
                    with mapped(self.path):
                        few = conn.execute(FEW_MENTIONS[every], args)
                        many = conn.execute(MANY_MENTIONS[every], args)
                    yield from merge(
                        self._from_mentions(fetch(self.path, few), published, copies),
                        self._from_counts(fetch(self.path, many)),
                        key=lambda r: (r.label, r.canonical, r.text),
                    )
                    continue
                with mapped(self.path):
                    if wanted == "DATE":
                        cur = conn.execute(DATE_STATS)
                    elif wanted == "":  # all labels but DATE, then DATE with its values
                        cur = conn.execute(
                            f"{NAME_STATS} WHERE label != 'DATE' GROUP BY label, canonical, text"
                        )
                    else:
                        cur = conn.execute(
                            f"{NAME_STATS} WHERE label = ? GROUP BY label, canonical, text", (wanted,)
                        )
                yield from self._from_mentions(fetch(self.path, cur), published, copies)

    @staticmethod
    def _from_mentions(
        rows: Iterable[tuple[Any, ...]], published: dict[str, str], copies: set[str]
    ) -> Iterator[NameStats]:
        """Names aggregated from their mentions: their documents' ids, listed.

        group_concat without DISTINCT: one id per mention, so a list's length is the
        mention count once the copies' ids are dropped."""
        for label, canonical, text, mentions, doc_ids, value in rows:
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

    def _from_counts(self, rows: Iterable[tuple[Any, ...]]) -> Iterator[NameStats]:
        """Names read from the counts kept per name and month: their documents counted."""
        for label, canonical, text, mentions, documents, first, last in rows:
            docs = StoredDocuments(documents, self._name_documents, (label, canonical, text))
            yield NameStats(label, canonical, text, mentions, docs, first, last)

    def _name_documents(self, name: tuple[str, str, str]) -> Iterator[str]:
        with mapped(self.path):
            cur = self.conn.execute(NAME_DOCUMENTS, name)
        return (str(i) for (i,) in fetch(self.path, cur))

    def roles(self) -> Iterator[tuple[str, str | None, Entity, str]]:
        """Every stored ROLE as (doc, published, role, text around it), for ``reetool
        people``: the role's own rows and a window of its document's text, never a whole
        text; copies of a stored content are skipped, as in the other corpus statistics."""
        if not self.has_roles:
            return
        from reetool.roles import sentence_of  # the role patterns: only `people` reads roles

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
