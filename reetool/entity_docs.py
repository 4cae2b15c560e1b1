"""Merged entities of a store together with the stored names and documents behind them.

``reetool entities`` merges the ways a name was written into one entity; the timeline,
search's ``--with`` and the corpus report must count and filter by those same entities,
or their numbers would disagree with the entities table. This module runs that merge
once (:class:`reetool.corpus.EntityIndex` over :meth:`reetool.store.Store.name_stats`,
answered from the store's indexes) and keeps, for each entity, the stored
``(label, canonical, text)`` rows it came from, so that callers can go back to the
mentions and documents in SQL.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from reetool.corpus import CorpusEntity, ElementIndex, EntityIndex, name_key
from reetool.store import NameStats, Store
from reetool.vocab import Vocab


@dataclass(slots=True)
class EntityDocs:
    """One merged entity and the stored name rows merged into it."""

    entity: CorpusEntity
    names: list[NameStats] = field(default_factory=list)

    @property
    def label(self) -> str:
        return self.entity.label

    @property
    def canonical(self) -> str:
        return self.entity.canonical

    def doc_ids(self) -> set[int]:
        """Row ids of the documents that mention this entity."""
        return {int(d) for row in self.names for d in row.docs}


class UnknownEntity(ValueError):
    """A name the user asked for that names no entity in the store."""


class MergedEntities:
    """The entities of some labels of a store, merged as ``reetool entities`` merges them."""

    def __init__(self, store: Store, labels: Iterable[str] | None = None, vocab: Vocab | None = None) -> None:
        self.vocab = vocab or Vocab.load()
        wanted = sorted({lb.upper() for lb in labels}) if labels else None
        stats = list(store.name_stats(wanted))
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
            item = by_key.get((row.label, name_key(row.canonical or row.text)))
            if item is not None:
                item.names.append(row)
        self._element_forms: dict[str, str] | None = None

    def top(self, label: str, limit: int) -> list[EntityDocs]:
        """The ``limit`` most mentioned entities of ``label`` (ties: more documents, then name)."""
        rows = [i for i in self.items if i.label == label.upper()]
        rows.sort(key=lambda i: (-i.entity.mentions, -i.entity.docs, i.canonical.casefold()))
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
            known = ElementIndex(self.vocab).known
            self._element_forms = {form: row.get("name", "") for form, row in known.items()}
        return self._element_forms
