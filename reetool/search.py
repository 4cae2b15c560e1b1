"""Search stage: find stored documents by words, phrases and the entities they mention.

The words go to the store's SQLite FTS5 index of titles and cleaned texts (store
migration 4), ranked by bm25 with a title match weighing more than one in the body.
Entity filters (``ORG="Lynas Rare Earths"``, ``ELEMENT=Dy``) are resolved to merged
entities exactly as ``reetool entities`` merges names (:mod:`reetool.entity_docs`) and
become a set of document ids; publication-date limits compare ISO dates as text.

A snippet comes back from FTS5 with two control characters around each matched term;
:func:`split_snippet` turns it into plain text plus highlight offsets, so that every
output escapes it in its own way (:func:`snippet_html` for HTML) and article text never
reaches a page unescaped.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from html import escape
from typing import TYPE_CHECKING, Any

import orjson

from reetool.store import Store, StoreError

if TYPE_CHECKING:
    from reetool.vocab import Vocab

#: Column weights for bm25: a word in the title counts five times one in the text.
TITLE_WEIGHT, TEXT_WEIGHT = 5.0, 1.0
#: Words of context in a snippet.
SNIPPET_TOKENS = 24
_OPEN = "\x02"  # FTS5 marks a match with these, and nothing else in a text uses them
_CLOSE = "\x03"
_MARKERS = re.compile("[\x02\x03]")
_SPACE = re.compile(r"\s+")
#: A word FTS5 reads as it is: letters, digits, underscore, any non-ASCII, maybe a ``*``.
_BAREWORD = re.compile(r"^(?:[\w\u0080-\U0010ffff]+\*?|AND|OR|NOT|\(|\))$")


class SearchError(ValueError):
    """A query or filter the user can fix; the message says how."""


@dataclass(slots=True)
class Hit:
    """One matching document: where it is, how well it matched, and why."""

    doc: str
    title: str | None
    published: str | None
    url: str | None
    score: float | None
    snippet: str
    highlights: list[tuple[int, int]] = field(default_factory=list)

    def record(self) -> dict[str, Any]:
        """The hit's fields in their order, the score rounded, highlights as JSON pairs."""
        score = None if self.score is None else round(self.score, 4)
        return {**asdict(self), "score": score, "highlights": [list(h) for h in self.highlights]}


def parse_filter(spec: str) -> tuple[str, str]:
    """``LABEL=NAME`` (``ORG="Lynas Rare Earths"``, ``ELEMENT=Dy``) as ``(LABEL, NAME)``."""
    label, sep, name = spec.partition("=")
    label, name = label.strip().upper(), name.strip().strip("\"'").strip()
    if not sep or not label or not name:
        raise SearchError(f'{spec!r}: expected LABEL=NAME, e.g. ORG="Lynas Rare Earths" or ELEMENT=Dy')
    return label, name


def search(
    store: Store,
    query: str | None,
    *,
    with_: Sequence[tuple[str, str]] = (),
    since: str | None = None,
    until: str | None = None,
    limit: int | None = 20,
    vocab: Vocab | None = None,
) -> Iterator[Hit]:
    """Documents matching the FTS5 ``query`` (best first) and mentioning every entity of
    ``with_``, published within ``since``..``until`` (inclusive; a bare ``2025`` or
    ``2025-03`` covers the whole year or month). Without a query, the matching documents
    come newest first with the opening of their text as the snippet."""
    query = (query or "").strip()
    if not query and not with_ and not since and not until:
        raise SearchError("nothing to search for: give words, --with LABEL=NAME, --since or --until")
    if not _has_index(store):
        raise SearchError(
            "this store has no full-text index yet; open it once with a current reetool "
            "that may write it (e.g. `reetool extract` on any file, or `reetool search` "
            "with write permission)"
        )
    params: dict[str, Any] = {
        "docs": orjson.dumps(sorted(_documents_with(store, with_, vocab))).decode() if with_ else None,
        "since": since or None,
        "before": _after(until) if until else None,
        "limit": _limit(limit),
    }
    if query:
        yield from _ranked(store, query, params)
    else:
        for doc, title, published, url, text in store.conn.execute(_LATEST, params):
            yield Hit(store.shown(doc), title, published, url, None, _opening(text), [])


#: A publication date that compares as one: "n.d." sorts after "2025" as text.
_DATED = "(d.published GLOB '[0-9][0-9][0-9][0-9]*')"
#: The filters, each off when its parameter is NULL: documents (JSON list of ids),
#: published on or after ``since``, published before ``before``.
_FILTER = (
    "(:docs IS NULL OR d.id IN (SELECT value FROM json_each(:docs))) "
    f"AND (:since IS NULL OR ({_DATED} AND d.published >= :since)) "
    f"AND (:before IS NULL OR ({_DATED} AND d.published < :before))"
)
_RANKED = (
    "SELECT d.doc, d.title, d.published, d.url, bm25(documents_fts, :title_weight, :text_weight) AS score, "
    f"snippet(documents_fts, 1, '{_OPEN}', '{_CLOSE}', '…', {SNIPPET_TOKENS}) "
    "FROM documents_fts JOIN documents d ON d.id = documents_fts.rowid "
    f"WHERE documents_fts MATCH :query AND {_FILTER} ORDER BY score, d.doc LIMIT :limit"
)
#: Without words: newest first; texts are read only for the documents shown.
_ORDER = f"{_DATED} DESC, d.published DESC, d.doc"
_LATEST = (
    "SELECT d.doc, d.title, d.published, d.url, substr(d.text, 1, 400) FROM "
    f"(SELECT d.id FROM documents d WHERE {_FILTER} ORDER BY {_ORDER} LIMIT :limit) AS pick "
    f"JOIN documents d ON d.id = pick.id ORDER BY {_ORDER}"
)


def _ranked(store: Store, query: str, params: dict[str, Any]) -> Iterator[Hit]:
    error: sqlite3.Error | None = None
    for attempt in _query_forms(query):
        args = {**params, "query": attempt, "title_weight": TITLE_WEIGHT, "text_weight": TEXT_WEIGHT}
        try:
            rows = store.conn.execute(_RANKED, args).fetchall()
        except sqlite3.OperationalError as exc:
            error = exc
            continue
        for doc, title, published, url, score, raw in rows:
            text, marks = split_snippet(raw)
            # bm25 is lower for better matches; shown negated, so a higher score is better.
            yield Hit(store.shown(doc), title, published, url, -score, text, marks)
        return
    raise SearchError(
        f'{query!r}: not a valid search ({error}); use words, "exact phrases", AND, OR, NOT, prefix*'
    )


def _query_forms(query: str) -> list[str]:
    """The query as typed, then (if that is not valid FTS5) with each word that FTS5 would
    misread put in quotes: ``rare-earth`` or ``NdFeB/Dy`` are words to a user, but a column
    filter or an operator to FTS5."""
    forms = [query]
    if '"' not in query:
        words = query.split()
        lenient = " ".join(w if _BAREWORD.match(w) else f'"{w}"' for w in words)
        if lenient != query:
            forms.append(lenient)
    return forms


def _limit(limit: int | None) -> int:
    return -1 if limit is None else limit


def _after(until: str) -> str:
    """The smallest ISO text after every date within ``until`` (``2025`` covers the year)."""
    return until + "\uffff"


def _opening(text: str, words: int = SNIPPET_TOKENS) -> str:
    parts = _MARKERS.sub("", text or "").split()
    return " ".join(parts[:words]) + (" …" if len(parts) > words else "")


def _documents_with(store: Store, with_: Sequence[tuple[str, str]], vocab: Vocab | None) -> set[int]:
    """Ids of documents mentioning every one of the entities (merging names needs the
    name index and vocab: imported here, so a search by words alone starts faster)."""
    from reetool.entity_docs import MergedEntities, UnknownEntity

    merged = MergedEntities(store, sorted({lb for lb, _ in with_}), vocab)
    docs: set[int] | None = None
    for label, name in with_:
        try:
            found = merged.require([name], label)
        except UnknownEntity as exc:
            raise SearchError(str(exc)) from None
        ids = set().union(*(item.doc_ids(store) for item in found))
        docs = ids if docs is None else docs & ids
    return docs or set()


def _has_index(store: Store) -> bool:
    try:
        row = store.conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'documents_fts'").fetchone()
    except sqlite3.Error as exc:
        raise StoreError(store.path, str(exc)) from None
    return row is not None


def split_snippet(raw: str) -> tuple[str, list[tuple[int, int]]]:
    """FTS5's marked snippet as plain text and the ``(start, end)`` offsets of matches in it."""
    out: list[str] = []
    marks: list[tuple[int, int]] = []
    pos, start = 0, None
    for piece in re.split(f"([{_OPEN}{_CLOSE}])", raw or ""):
        if piece == _OPEN:
            start = pos
        elif piece == _CLOSE:
            if start is not None and pos > start:
                marks.append((start, pos))
            start = None
        else:
            piece = _SPACE.sub(" ", piece)  # one line: a snippet is a line of a table
            out.append(piece)
            pos += len(piece)
    return "".join(out), marks


def snippet_html(text: str, highlights: Sequence[tuple[int, int]]) -> str:
    """The snippet as HTML: every piece of text escaped, matches in ``<mark>``."""
    parts, pos = [], 0
    for start, end in sorted(highlights):
        if start < pos or end > len(text):
            continue
        parts.append(escape(text[pos:start]))
        parts.append(f"<mark>{escape(text[start:end])}</mark>")
        pos = end
    parts.append(escape(text[pos:]))
    return "".join(parts)
