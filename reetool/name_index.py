"""Name index: aggregate mentions across documents into one row per real-world entity.

Extractions arrive as a stream (from the store, or as JSON lines on stdin) and are folded
into counters keyed by name, so memory grows with the number of distinct names, never with
the corpus text. Only after the stream ends are names merged into entities, because a merge
decision ("is CAS the acronym of exactly one organization we saw?") needs every name.

How names are merged, and why each merge is made, is :mod:`reetool.name_merge`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from reetool.document import Extraction
from reetool.name_merge import ACRONYM_LABELS, ORG_LIKE, Node, merge_label
from reetool.names import (
    OrgDirectory,
    Suffixes,
    acronym_letters,
    display_name,
    initials,
    is_acronym,
    name_key,
)
from reetool.vocab import Vocab

if TYPE_CHECKING:
    from reetool.store import NameStats


@dataclass(slots=True)
class CorpusEntity:
    """One row of ``reetool entities``."""

    canonical: str
    label: str
    aliases: list[str]
    mentions: int
    docs: int
    first_published: str | None
    last_published: str | None
    evidence: list[str] = field(default_factory=list)
    #: Name keys (:func:`name_key`) of the names merged here, so that callers can find
    #: an entity's rows in the store (timeline, search); not part of the record.
    keys: frozenset[str] = frozenset()

    def record(self, explain: bool = False) -> dict[str, Any]:
        rec: dict[str, Any] = {
            "canonical": self.canonical,
            "label": self.label,
            "aliases": self.aliases,
            "mentions": self.mentions,
            "docs": self.docs,
            "first_published": self.first_published,
            "last_published": self.last_published,
        }
        if explain:
            rec["evidence"] = self.evidence
        return rec


class EntityIndex:
    """Streaming counters over mentions, merged into entities on demand.

    ``add`` is called once per extraction; nothing of the document but its name and date
    is kept.
    """

    def __init__(self, vocab: Vocab | None = None, labels: Iterable[str] | None = None) -> None:
        vocab = vocab or Vocab.load()
        self.suffixes = Suffixes.load(vocab)
        self.orgs = OrgDirectory.load(vocab)
        self.labels = {lb.upper() for lb in labels} if labels else None
        self.nodes: dict[tuple[str, str], Node] = {}

    def add(self, extraction: Extraction) -> None:
        """Count one document's mentions; a document's names are folded first, so the
        per-name work (keys, dates) runs once per distinct name, not once per mention."""
        doc = extraction.document
        per_name: dict[tuple[str, str, str | None], tuple[list[int], set[str]]] = {}
        for ent in extraction.entities:
            if ent.label == "ROLE" or (self.labels is not None and ent.label not in self.labels):
                continue  # a role is not a name: `reetool people` reads roles
            name = (ent.label, ent.canonical or ent.text, ent.value if ent.label == "DATE" else None)
            entry = per_name.get(name)
            if entry is None:
                entry = per_name[name] = ([0], set())
            entry[0][0] += 1
            entry[1].add(ent.text)
        published = doc.published
        for (label, canonical, value), ((count,), texts) in per_name.items():
            node = self._node(label, canonical, value)
            if node is not None:
                surfaces = (display_name(t) for t in texts if t)
                node.count(count, (doc.doc,), published, published, display_name(canonical), surfaces)

    def add_names(self, rows: Iterable[NameStats]) -> None:
        """Count names already aggregated over a whole store (:meth:`Store.name_stats`).

        The fast path of ``reetool entities``: one call per distinct way a name was
        written instead of one per mention, with the same effect as :meth:`add` over
        every stored extraction. That holds because everything a node keeps is a sum, a
        set union or a min/max, and ``docs`` unions document keys, so a document counts
        once even when two of its names end up in one entity. (Those keys are not
        document paths: feed one index either this or :meth:`add`, not both.)
        """
        for row in rows:
            if row.label == "ROLE" or (self.labels is not None and row.label not in self.labels):
                continue
            name = row.canonical or row.text
            node = self._node(row.label, name, row.value)
            if node is not None:
                surfaces = (display_name(row.text),) if row.text else ()
                node.count(row.mentions, row.docs, row.first, row.last, display_name(name), surfaces)

    def _node(self, label: str, name: str, value: str | None) -> Node | None:
        """The node a name is counted in (made on first sight): its name key's, or for a
        DATE with a normalised value, that value's (so "last month" and "December" of
        2025-12 are one date). None for a name with nothing to key it by."""
        key = name_key(name)
        if not key:
            return None
        dated = value if label == "DATE" and value else None
        slot = (label, f"={dated}" if dated else key)  # "=" is in no name key
        node = self.nodes.get(slot)
        if node is None:
            node = self.nodes[slot] = Node(label, slot[1], value=dated)
        return node

    # -- merging ---------------------------------------------------------------------------

    def entities(self) -> list[CorpusEntity]:
        """Merge names into entities; unordered (callers sort)."""
        out: list[CorpusEntity] = []
        by_label: dict[str, list[Node]] = {}
        for node in self.nodes.values():
            by_label.setdefault(node.label, []).append(node)
        for label in sorted(by_label):
            nodes = sorted(by_label[label], key=lambda n: n.key)
            for group in merge_label(label, nodes, self.orgs, self.suffixes):
                out.append(_entity(label, group.canonical, group.members, group.evidence, self._why_alias))
        return out

    def _why_alias(self, label: str, alias: str, canonical: str) -> str:
        """Evidence for a name the extractor already resolved inside its document."""
        if label in ORG_LIKE and self.orgs.lookup(alias) == canonical:
            return f"{alias}: listed as a form of {canonical} in organizations.tsv"
        if label in ACRONYM_LABELS and is_acronym(alias) and acronym_letters(alias) in initials(canonical):
            return f"{alias}: acronym of {canonical}"
        if label in ORG_LIKE:
            a, b = self.suffixes.split(name_key(alias)), self.suffixes.split(name_key(canonical))
            if a[0] == b[0] and a[1] != b[1]:
                return f"{alias}: same name as {canonical} up to suffix"
        return f"{alias}: resolved to {canonical} within its document by the extractor"


def _entity(
    label: str,
    canonical: str,
    members: list[Node],
    evidence: list[str],
    why_alias: Callable[[str, str, str], str],
) -> CorpusEntity:
    seen: dict[str, None] = {}
    for n in members:
        for s in sorted(n.names) + sorted(n.surfaces):
            seen.setdefault(s, None)
    aliases = [s for s in seen if s != canonical]
    explained = {e.split(": ", 1)[0] for e in evidence}
    # Name keys of the names merged (a date's node is keyed by value: its wordings' keys).
    named = {name_key(s) for n in members if n.value for s in n.names} | {
        n.key for n in members if not n.value
    }
    keys = named | {name_key(canonical)}
    for s in aliases:
        if s in explained:
            continue
        if members[0].value:
            evidence.append(f"{s}: a date whose normalised value is {canonical}")
        elif name_key(s) in keys:
            evidence.append(f"{s}: same name up to case, punctuation, 'the' or possessive")
        else:
            evidence.append(why_alias(label, s, canonical))
    # One member (most entities) needs no copy of its document set.
    docs = members[0].docs if len(members) == 1 else set().union(*(n.docs for n in members))
    firsts = [n.first for n in members if n.first]
    lasts = [n.last for n in members if n.last]
    return CorpusEntity(
        canonical=canonical,
        label=label,
        aliases=aliases,
        mentions=sum(n.mentions for n in members),
        docs=len(docs),
        first_published=min(firsts) if firsts else None,
        last_published=max(lasts) if lasts else None,
        evidence=evidence,
        keys=frozenset(named),
    )


def sort_entities(
    rows: list[CorpusEntity], *, sort: str = "mentions", min_docs: int = 1, limit: int | None = None
) -> list[CorpusEntity]:
    rows = [r for r in rows if r.docs >= min_docs]
    if sort == "name":
        rows.sort(key=lambda r: (r.canonical.casefold(), r.label))
    elif sort == "docs":
        rows.sort(key=lambda r: (-r.docs, -r.mentions, r.canonical.casefold()))
    else:
        rows.sort(key=lambda r: (-r.mentions, -r.docs, r.canonical.casefold()))
    return rows[:limit] if limit is not None else rows
