"""Merged entities of a store together with the stored names and documents behind them.

``reetool entities`` merges the ways a name was written into one entity; the timeline,
search's ``--with`` and the corpus report must count and filter by those same entities,
or their numbers would disagree with the entities table. This module runs that merge
once (:class:`reetool.name_index.EntityIndex` over the store's counts per written name,
answered from the store's indexes) and keeps, for each entity, the stored
``(label, canonical, text)`` rows it came from, so that callers can go back to the
mentions and documents in SQL.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import orjson

from reetool.name_index import CorpusEntity, EntityIndex, name_key
from reetool.store import NameStats, Store
from reetool.store.schema import PUBLISHED_MONTH
from reetool.vocab import Vocab


@dataclass(slots=True)
class EntityDocs:
    """One merged entity and the stored ``(label, canonical, text)`` names merged into it.

    Only ``entity.canonical``, ``label``, ``aliases`` and ``mentions`` are filled in (the
    merge needs no more); what concerns documents is asked of the store on demand."""

    entity: CorpusEntity
    names: list[NameStats] = field(default_factory=list)

    @property
    def label(self) -> str:
        return self.entity.label

    @property
    def canonical(self) -> str:
        return self.entity.canonical

    def names_json(self) -> str:
        """This entity's stored names as the JSON parameter of :data:`PER_DOCUMENT`."""
        return orjson.dumps([[row.label, row.canonical, row.text] for row in self.names]).decode()

    def per_document(self, store: Store) -> dict[int, int]:
        """Mentions per document id; a document counts once however many names it uses."""
        return dict(store.conn.execute(PER_DOCUMENT, (self.names_json(),)))

    def per_month(self, store: Store, measure: str = "mentions") -> list[tuple[str | None, int]]:
        """``(month, count)`` of ``measure`` (``mentions`` or ``docs``) by publication
        month (``YYYY-MM``; ``None`` for documents without a usable date).

        Read from the per-name, per-month counts the store keeps as it writes (migration
        9): a few rows per name, whatever the size of the corpus. Those give documents
        exactly only for an entity written one way (a document using two of its names is
        one document, not two), so other entities' documents, and stores without the
        table, are counted from the mentions in SQL."""
        which = 0 if measure == "mentions" else 1  # the SQL tuples: mentions, then documents
        if has_name_counts(store) and (measure == "mentions" or len(self.names) == 1):
            return store.conn.execute(_PER_MONTH_KEPT[which], (self.names_json(),)).fetchall()
        if has_dates_index(store):
            return store.conn.execute(_PER_MONTH_INDEXED[which], (self.names_json(),)).fetchall()
        return store.conn.execute(_PER_MONTH[which], (self.names_json(),)).fetchall()

    def doc_ids(self, store: Store) -> set[int]:
        """Row ids of the documents that mention this entity."""
        return set(self.per_document(store))


#: The rows of a JSON list of ``[label, canonical, text]`` names, as a table.
_NAMES = (
    "SELECT json_extract(value, '$[0]') AS label, json_extract(value, '$[1]') AS canonical, "
    "json_extract(value, '$[2]') AS text FROM json_each(?)"
)
#: Mentions per document of the names in the JSON parameter: one range of the covering
#: index per name, so the cost follows the entity's mentions, not the store's.
PER_DOCUMENT = (
    f"SELECT m.doc_id, count(*) AS n FROM ({_NAMES}) j CROSS JOIN mentions m "
    "ON m.label = j.label AND m.canonical = j.canonical AND m.text = j.text GROUP BY m.doc_id"
)


#: A document's publication month in SQL, NULL unless its date starts with a real one
#: (what :func:`reetool.timeline.period_of` accepts).
_MONTH = f"nullif({PUBLISHED_MONTH}, '')"


def _per_month(count: str, join: str) -> str:
    """Mentions or documents (``count``) per month, from the mentions (``join``: how a
    document's date is looked up)."""
    return (
        f"SELECT {_MONTH} AS month, {count} FROM ({PER_DOCUMENT}) g {join} ON d.id = g.doc_id "
        + "GROUP BY month"
    )


def _per_month_kept(column: str) -> str:
    """The same from the counts kept per name and month (``column``: mentions or documents)."""
    return (
        f"SELECT nullif(n.month, ''), sum(n.{column}) FROM ({_NAMES}) j CROSS JOIN name_months n "
        "ON n.label = j.label AND n.canonical = j.canonical AND n.text = j.text GROUP BY n.month"
    )


_PER_MONTH = (_per_month("sum(g.n)", "JOIN documents d"), _per_month("count(*)", "JOIN documents d"))
_PER_MONTH_INDEXED = (
    _per_month("sum(g.n)", "JOIN documents d INDEXED BY documents_dates"),
    _per_month("count(*)", "JOIN documents d INDEXED BY documents_dates"),
)
_PER_MONTH_KEPT = (_per_month_kept("mentions"), _per_month_kept("documents"))
#: First and last month, documents, and documents without a month.
_SPAN = (
    "SELECT min(month), max(month), count(*), count(*) - count(month) "
    f"FROM (SELECT {_MONTH} AS month FROM documents d)"
)
_SPAN_INDEXED = (
    "SELECT min(month), max(month), count(*), count(*) - count(month) "
    f"FROM (SELECT {_MONTH} AS month FROM documents d INDEXED BY documents_dates)"
)


def has_dates_index(store: Store) -> bool:
    """Whether the store has the (id, published) index of migration 5.

    Looking a document's date up in that small index instead of the table, whose rows
    hold whole texts, is what makes a timeline of a 10,000-document store fast; SQLite's
    planner prefers the table's own key, so the index is named (``INDEXED BY``). An older
    store read without upgrading gets the same answers, more slowly."""
    row = store.conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = 'documents_dates'")
    return row.fetchone() is not None


def has_name_counts(store: Store) -> bool:
    """Whether the store keeps counts per written name and month (migration 9).

    An older store read without upgrading has none: its answers come from the mentions,
    the same numbers, more slowly."""
    row = store.conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'name_months'")
    return row.fetchone() is not None


def month_span(store: Store) -> tuple[str | None, str | None, int, int]:
    """The first and last publication month of the store, its number of documents, and
    how many of them have no usable date."""
    if has_dates_index(store):
        return store.conn.execute(_SPAN_INDEXED).fetchone()
    return store.conn.execute(_SPAN).fetchone()


class UnknownEntity(ValueError):
    """A name the user asked for that names no entity in the store."""


_NAME_COUNTS = "SELECT label, canonical, text, count(*) FROM mentions"
#: The same counts as kept by the store (migration 9), in the same order.
_NAME_TOTALS = "SELECT label, canonical, text, mentions FROM name_totals"


class MergedEntities:
    """The entities of some labels of a store, merged as ``reetool entities`` merges them.

    Reads one count per written name from the covering index (no document sets, which
    is what makes :meth:`reetool.store.Store.name_stats` heavier): enough to merge and
    rank; :class:`EntityDocs` asks for documents only for the entities a caller uses.
    """

    def __init__(self, store: Store, labels: Iterable[str] | None = None, vocab: Vocab | None = None) -> None:
        self.vocab = vocab or Vocab.load()
        wanted = sorted({lb.upper() for lb in labels}) if labels else None
        stats = []
        if has_name_counts(store):  # kept as the store is written: one row per name
            counts, grouped = _NAME_TOTALS, "ORDER BY label, canonical, text"
        else:
            counts, grouped = _NAME_COUNTS, "GROUP BY label, canonical, text"
        for label in [None] if wanted is None else wanted:  # one index range per label
            if label is None:
                rows = store.conn.execute(f"{counts} {grouped}")
            else:
                rows = store.conn.execute(f"{counts} WHERE label = ? {grouped}", (label,))
            stats += [NameStats(lb, canonical, text, n, set(), None, None) for lb, canonical, text, n in rows]
        index = EntityIndex(self.vocab, labels=wanted)
        index.add_names(stats)
        self.items: list[EntityDocs] = []
        by_key: dict[tuple[str, str], EntityDocs] = {}
        for ent in index.entities():
            item = EntityDocs(ent)
            self.items.append(item)
            for key in ent.keys:
                by_key[(ent.label, key)] = item
        for row in stats:
            owner = by_key.get((row.label, name_key(row.canonical or row.text)))
            if owner is not None:
                owner.names.append(row)
        self._element_forms: dict[str, str] | None = None

    def top(self, store: Store, label: str, limit: int) -> list[EntityDocs]:
        """The ``limit`` most mentioned entities of ``label``, in the order of ``reetool
        entities`` (ties: more documents, then name). Documents are counted only for
        entities tied on mentions with the last one taken, since only there they decide."""
        rows = [i for i in self.items if i.label == label.upper()]
        rows.sort(key=lambda i: (-i.entity.mentions, i.canonical.casefold()))
        if len(rows) <= limit:
            cut = rows[-1].entity.mentions if rows else 0
        else:
            cut = rows[limit - 1].entity.mentions
        same = Counter(i.entity.mentions for i in rows)
        docs = {
            id(i): len(i.doc_ids(store))
            for i in rows
            if i.entity.mentions >= cut and same[i.entity.mentions] > 1
        }
        rows.sort(key=lambda i: (-i.entity.mentions, -docs.get(id(i), 0), i.canonical.casefold()))
        return rows[:limit]

    def find(self, name: str, label: str | None = None) -> list[EntityDocs]:
        """Entities called ``name`` (canonical name, alias, or an element's symbol), case,
        accents and punctuation aside; several when labels differ (a person and a company)."""
        keys = {name_key(name)}
        if label in (None, "ELEMENT"):
            element = self._elements().get(name.strip().casefold())
            if element:
                keys.add(name_key(element))
        keys.discard("")
        out = []
        for item in self.items:
            if label is not None and item.label != label:
                continue
            ent = item.entity
            own = ent.keys | {name_key(ent.canonical)} | {name_key(a) for a in ent.aliases}
            if keys & own:
                out.append(item)
        return out

    def require(self, names: Sequence[str], label: str | None = None) -> list[EntityDocs]:
        """:meth:`find` for each name, in order, without repeats; raises for a name that
        matches nothing, saying so in words a user can act on."""
        out: list[EntityDocs] = []
        for name in names:
            found = self.find(name, label)
            if not found:
                where = f" {label}" if label else ""
                raise UnknownEntity(f"no{where} entity called {name!r} in the store (see `reetool entities`)")
            out.extend(f for f in found if all(f is not o for o in out))
        return out

    def _elements(self) -> dict[str, str]:
        """Element names and symbols (casefolded) to the element's name, from vocab."""
        if self._element_forms is None:
            from reetool.element_index import ElementIndex  # only when a name is looked up

            known = ElementIndex(self.vocab).known
            self._element_forms = {form: row.get("name", "") for form, row in known.items()}
        return self._element_forms
