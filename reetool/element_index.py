"""Element index: mentions of rare earth elements per element and per document, with their class.

Fed one extraction at a time (from the store or from JSON lines on stdin); keeps counts
only, so memory grows with the number of documents, never with their text.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from reetool.document import Entity, Extraction
from reetool.name_index import display_name
from reetool.vocab import Vocab


@dataclass(slots=True)
class ElementRow:
    element: str
    symbol: str | None
    klass: str | None
    atomic_number: int | None
    mentions: int = 0
    per_doc: Counter[str] = field(default_factory=Counter)

    def record(self) -> dict[str, Any]:
        return {
            "element": self.element,
            "symbol": self.symbol,
            "class": self.klass,
            "mentions": self.mentions,
            "docs": len(self.per_doc),
            "per_doc": dict(self.per_doc),
        }


class ElementIndex:
    """Mentions of rare earth elements per element and per document, with their class."""

    def __init__(self, vocab: Vocab | None = None) -> None:
        vocab = vocab or Vocab.load()
        self.known: dict[str, dict[str, str]] = {}
        for row in vocab.rows("elements.tsv"):
            for form in (row.get("name", ""), row.get("symbol", "")):
                if form:
                    self.known.setdefault(form.casefold(), row)
        self.rows: dict[str, ElementRow] = {}
        self.doc_order: list[str] = []
        self._docs: set[str] = set()

    def add(self, extraction: Extraction) -> None:
        doc = extraction.document.doc
        for ent in extraction.entities:
            self.add_mention(doc, ent)

    def add_mention(self, doc: str, ent: Entity) -> None:
        if ent.label != "ELEMENT":
            return
        row = None
        for form in (ent.canonical, ent.symbol, ent.text):
            if form and (row := self.known.get(form.strip().casefold())) is not None:
                break
        if row is not None:
            name = row.get("name", "").strip().lower()
            num = row.get("atomic_number", "")
            element = self.rows.get(name) or ElementRow(
                name,
                row.get("symbol") or None,
                row.get("class") or None,
                int(num) if num.isdigit() else None,
            )
        else:
            name = display_name(ent.canonical or ent.text)
            element = self.rows.get(name) or ElementRow(name, ent.symbol, None, None)
        self.rows[name] = element
        element.mentions += 1
        if doc not in self._docs:
            self._docs.add(doc)
            self.doc_order.append(doc)
        element.per_doc[doc] += 1

    def totals(self) -> list[ElementRow]:
        return sorted(self.rows.values(), key=lambda r: (-r.mentions, r.atomic_number or 999, r.element))

    def per_doc_records(self) -> Iterator[dict[str, Any]]:
        rows = sorted(self.rows.values(), key=lambda r: (r.atomic_number or 999, r.element))
        for doc in self.doc_order:
            for r in rows:
                if r.per_doc[doc]:
                    yield {
                        "doc": doc,
                        "element": r.element,
                        "symbol": r.symbol,
                        "class": r.klass,
                        "mentions": r.per_doc[doc],
                    }

    def classes(self) -> dict[str, dict[str, int]]:
        """Mentions and distinct elements per class ("light", "heavy", "" when unknown)."""
        out: dict[str, dict[str, int]] = {}
        for r in self.rows.values():
            c = out.setdefault(r.klass or "", {"elements": 0, "mentions": 0})
            c["elements"] += 1
            c["mentions"] += r.mentions
        return out
