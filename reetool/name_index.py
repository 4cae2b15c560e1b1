"""Name index: aggregate mentions across documents into one row per real-world entity.

Extractions arrive as a stream (from the store, or as JSON lines on stdin) and are folded
into counters keyed by name, so memory grows with the number of distinct names, never with
the corpus text. Only after the stream ends are names merged into entities, because a merge
decision ("is CAS the acronym of exactly one organization we saw?") needs every name.

Merging is deliberately conservative: two names that merely look alike stay apart unless a
rule explains why they are the same, and every merge keeps that explanation as evidence
(``reetool entities --explain``). A wrong merge silently corrupts counts; a missed merge is
visible in the table and can be fixed in ``vocab/organizations.tsv``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from rapidfuzz import fuzz, process

from reetool.document import Extraction
from reetool.names import (
    ACROSS_CORPUS,
    OrgDirectory,
    Suffixes,
    UnionFind,
    acronym_letters,
    display_name,
    initials,
    is_acronym,
    name_key,
)
from reetool.vocab import Vocab

if TYPE_CHECKING:
    from reetool.store import NameStats

#: Labels for which acronyms and company suffixes mean something.
ORG_LIKE = frozenset({"ORG"})
ACRONYM_LABELS = frozenset({"ORG", "GPE"})
#: Labels whose names are compared with fuzzy matching (spelling variants, plurals).
FUZZY_LABELS = frozenset({"ORG", "PERSON", "GPE"})
FUZZY = ACROSS_CORPUS


# -- aggregation ---------------------------------------------------------------------------


@dataclass(slots=True)
class _Node:
    """Everything seen under one name key of one label."""

    label: str
    key: str
    mentions: int = 0
    docs: set[str] = field(default_factory=set)
    first: str | None = None
    last: str | None = None
    names: Counter[str] = field(default_factory=Counter)  # per-document canonicals, display form
    surfaces: set[str] = field(default_factory=set)  # texts as written, display form
    value: str | None = None  # a DATE's normalised value: the node holds every wording of it


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
        self.nodes: dict[tuple[str, str], _Node] = {}

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
            if node is None:
                continue
            node.mentions += count
            node.docs.add(doc.doc)
            if published:
                node.first = published if node.first is None else min(node.first, published)
                node.last = published if node.last is None else max(node.last, published)
            node.names[display_name(canonical)] += count
            node.surfaces.update(display_name(t) for t in texts if t)

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
            if node is None:
                continue
            node.mentions += row.mentions
            node.docs.update(row.docs)
            if row.first:
                node.first = row.first if node.first is None else min(node.first, row.first)
            if row.last:
                node.last = row.last if node.last is None else max(node.last, row.last)
            node.names[display_name(name)] += row.mentions
            if row.text:
                node.surfaces.add(display_name(row.text))

    def _node(self, label: str, name: str, value: str | None) -> _Node | None:
        """The node a name is counted in: its name key's, or for a DATE with a normalised
        value, that value's (so "last month" and "December" of 2025-12 are one date).
        None for a name with nothing to key it by."""
        key = name_key(name)
        if not key:
            return None
        dated = value if label == "DATE" and value else None
        slot = (label, f"={dated}" if dated else key)  # "=" is in no name key
        node = self.nodes.get(slot)
        if node is None:
            node = self.nodes[slot] = _Node(label, slot[1], value=dated)
        return node

    # -- merging ---------------------------------------------------------------------------

    def entities(self) -> list[CorpusEntity]:
        """Merge names into entities; unordered (callers sort)."""
        out: list[CorpusEntity] = []
        by_label: dict[str, list[_Node]] = {}
        for node in self.nodes.values():
            by_label.setdefault(node.label, []).append(node)
        for label in sorted(by_label):
            out.extend(self._merge_label(label, sorted(by_label[label], key=lambda n: n.key)))
        return out

    def _merge_label(self, label: str, nodes: list[_Node]) -> list[CorpusEntity]:
        uf = UnionFind()
        names = [_best_name(n) for n in nodes]
        # (i, j, why): node i joined node j; ``why(subject, other)`` words the evidence once
        # we know which of the two is shown as the canonical name.
        edges: list[tuple[int, int, Callable[[str, str], str]]] = []
        vocab_name: dict[int, str] = {}

        def join(i: int, j: int, why: Callable[[str, str], str]) -> None:
            if uf.union(j, i):
                edges.append((i, j, why))

        # 1. Known organizations: every form listed in vocab/organizations.tsv.
        if label in ORG_LIKE:
            anchor: dict[str, int] = {}
            for i, node in enumerate(nodes):
                known = self.orgs.by_key.get(node.key) or next(
                    (self.orgs.by_acronym[s] for s in node.names if s in self.orgs.by_acronym), None
                )
                if known is not None:
                    vocab_name[i] = known
                    if known in anchor:
                        uf.union(anchor[known], i)
                    else:
                        anchor[known] = i

        # 2. Generic suffixes: "Baogang" is "Baogang Group"; "X Group" and "X Holdings" may not be.
        split = [
            self.suffixes.split(n.key) if label in ORG_LIKE else (tuple(n.key.split()), ()) for n in nodes
        ]
        if label in ORG_LIKE:
            by_core: dict[tuple[str, ...], list[int]] = {}
            for i, (core, _) in enumerate(split):
                by_core.setdefault(core, []).append(i)
            for members in by_core.values():
                for i in members:
                    bigger = [j for j in members if _proper_subset(split[i][1], split[j][1])]
                    if not bigger or not _chain(split[j][1] for j in bigger):
                        continue  # a bare name next to "X Group" and "X Holdings" is ambiguous
                    for j in bigger:
                        extra = _minus(names[j], split[j][1], split[i][1])
                        join(i, j, _suffix_evidence(names[i], extra))

        # 3. Spelling variants: same number of words, each close; an extra word means another entity.
        # rapidfuzz finds the candidate pairs in C; only those get the word-by-word check.
        if label in FUZZY_LABELS:
            # Words that must match exactly (short, or with digits) must sit at the same places,
            # so names are only compared within groups sharing that pattern.
            by_len: dict[tuple[str, ...], list[int]] = {}
            for i, (core, _) in enumerate(split):
                if len(core) == 1 and len(core[0]) < 2 * FUZZY.rigid_below:
                    continue  # short one-word names ("Lynas", "Neo") are too easy to confuse
                by_len.setdefault(tuple(w if FUZZY.rigid(w) else "" for w in core), []).append(i)
            for members in by_len.values():
                if len(members) < 2:
                    continue
                texts = [" ".join(split[i][0]) for i in members]
                for x, i in enumerate(members):
                    hits = process.extract(
                        texts[x], texts, scorer=fuzz.ratio, score_cutoff=FUZZY.name, limit=None
                    )
                    for _, _, y in hits:
                        j = members[y]
                        if y <= x or uf.find(i) == uf.find(j) or not _compatible(split[i][1], split[j][1]):
                            continue
                        score = FUZZY.score(split[i][0], split[j][0])
                        if score is not None:
                            join(i, j, _fuzzy_evidence(score))

        # 4. Acronyms: CREIA is China Rare Earth Industry Association when exactly one entity fits.
        if label in ACRONYM_LABELS:
            expansions: dict[str, set[int]] = {}
            for i in range(len(nodes)):
                if is_acronym(names[i]):
                    continue
                forms = set(initials(names[i]))
                if len(split[i][0]) > 1:
                    forms.add("".join(w[0] for w in split[i][0]).upper())
                for init in forms:
                    expansions.setdefault(init, set()).add(i)
            for i in range(len(nodes)):
                if not is_acronym(names[i]):
                    continue
                fits = expansions.get(acronym_letters(names[i]), set())
                if len({uf.find(j) for j in fits}) != 1:
                    continue  # unknown, or ambiguous: leave it alone
                j = min(fits, key=lambda k: (-nodes[k].mentions, names[k]))
                join(i, j, _acronym_evidence(names[i], names[j]))

        groups: dict[int, list[int]] = {}
        for i in range(len(nodes)):
            groups.setdefault(uf.find(i), []).append(i)
        edges_of: dict[int, list[tuple[int, int, Callable[[str, str], str]]]] = {}
        for edge in edges:
            edges_of.setdefault(uf.find(edge[0]), []).append(edge)
        out = []
        for root, idx in groups.items():
            group = [nodes[i] for i in idx]
            known = next((vocab_name[i] for i in idx if i in vocab_name), None)
            canonical = known or group[0].value or _canonical(group)  # a date: its value
            evidence = []
            for i, j, why in edges_of.get(root, []):
                subj, other = (
                    (names[j], names[i])
                    if names[j] != canonical and names[i] == canonical
                    else (
                        names[i],
                        names[j],
                    )
                )
                evidence.append(why(subj, other))
            if known is not None:
                evidence += [
                    f"{names[i]}: listed as a form of {known} in organizations.tsv"
                    for i in idx
                    if i in vocab_name and nodes[i].key != name_key(known)
                ]
            out.append(_entity(label, canonical, group, evidence, self._why_alias))
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


def _fuzzy_evidence(score: float) -> Callable[[str, str], str]:
    def why(subj: str, other: str) -> str:
        return f"{subj}: fuzzy {score:.0f} with {other}"

    return why


def _suffix_evidence(bare: str, extra: str) -> Callable[[str, str], str]:
    def why(subj: str, other: str) -> str:
        if subj == bare:
            return f"{subj}: same name as {other} without suffix '{extra}'"
        return f"{subj}: same name as {other} with suffix '{extra}'"

    return why


def _acronym_evidence(acronym: str, full: str) -> Callable[[str, str], str]:
    def why(subj: str, other: str) -> str:
        return (
            f"{acronym}: acronym of {full}" if subj == acronym else f"{full}: expansion of acronym {acronym}"
        )

    return why


def _canonical(members: list[_Node]) -> str:
    """The name to show: a full name over an acronym, then the most used, then the longest."""
    names: Counter[str] = Counter()
    for n in members:
        names.update(n.names)
    return min(names, key=lambda s: (is_acronym(s), -names[s], s.isupper(), -len(s), s))


def _entity(
    label: str,
    canonical: str,
    members: list[_Node],
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


def _best_name(node: _Node) -> str:
    return min(node.names, key=lambda s: (-node.names[s], s.isupper(), -len(s), s))


def _proper_subset(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    ca, cb = Counter(a), Counter(b)
    return ca != cb and all(cb[w] >= n for w, n in ca.items())


def _compatible(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    return a == b or _proper_subset(a, b) or _proper_subset(b, a)


def _chain(suffixes: Iterable[tuple[str, ...]]) -> bool:
    """Whether all these suffix sets nest, so a bare name cannot mean two different ones."""
    items = list(suffixes)
    return all(_compatible(a, b) for k, a in enumerate(items) for b in items[k + 1 :])


def _minus(name: str, a: tuple[str, ...], b: tuple[str, ...]) -> str:
    """The suffix words ``a`` has beyond ``b``, as written at the end of ``name`` if they are there."""
    rest = Counter(b)
    extra: list[str] = []
    for w in a:
        if rest[w] > 0:
            rest[w] -= 1
        else:
            extra.append(w)
    words = name.split()
    for k in range(1, len(words)):
        tail = " ".join(words[-k:])
        if name_key(tail).split() == extra:
            return tail
    return " ".join(extra)



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
