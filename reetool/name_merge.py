"""Name merging across the corpus: which names of one label are one real-world entity.

Merging is deliberately conservative: two names that merely look alike stay apart unless a
rule explains why they are the same, and every merge keeps that explanation as evidence
(``reetool entities --explain``). A wrong merge silently corrupts counts; a missed merge is
visible in the table and can be fixed in ``vocab/organizations.tsv``.

The name rules themselves (keys, acronyms, initials, suffixes, fuzzy policy) are
:mod:`reetool.names`, shared with the merge inside one document; this module applies them
to the names :class:`reetool.name_index.EntityIndex` counted over a corpus.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from reetool.names import (
    ACROSS_CORPUS,
    OrgDirectory,
    Suffixes,
    UnionFind,
    acronym_letters,
    initials,
    is_acronym,
    name_key,
)

#: Labels for which acronyms and company suffixes mean something.
ORG_LIKE = frozenset({"ORG"})
ACRONYM_LABELS = frozenset({"ORG", "GPE"})
#: Labels whose names are compared with fuzzy matching (spelling variants, plurals).
FUZZY_LABELS = frozenset({"ORG", "PERSON", "GPE"})
FUZZY = ACROSS_CORPUS


@dataclass(slots=True)
class Node:
    """Everything seen under one name key of one label."""

    label: str
    key: str
    mentions: int = 0
    #: Document keys. A store's whole set for one name is kept as given (it may only be
    #: counted, see :class:`reetool.store.StoredDocuments`) until a second one must join it.
    docs: Collection[str] = field(default_factory=set)
    shared: bool = False  # whether ``docs`` is still the one given
    first: str | None = None
    last: str | None = None
    names: Counter[str] = field(default_factory=Counter)  # per-document canonicals, display form
    surfaces: set[str] = field(default_factory=set)  # texts as written, display form
    value: str | None = None  # a DATE's normalised value: the node holds every wording of it

    def count(
        self,
        mentions: int,
        docs: Collection[str],
        first: str | None,
        last: str | None,
        name: str,
        texts: Iterable[str],
    ) -> None:
        """Add mentions of this name (``name`` and ``texts`` in display form): sums, set
        unions and min/max dates only, so counting per mention and per aggregated row give
        the same node."""
        self.mentions += mentions
        if not self.docs:
            self.docs, self.shared = docs, True  # the caller's: counted, not changed
        else:
            own = self.docs if isinstance(self.docs, set) and not self.shared else set(self.docs)
            own.update(docs)
            self.docs, self.shared = own, False
        if first:
            self.first = first if self.first is None else min(self.first, first)
        if last:
            self.last = last if self.last is None else max(self.last, last)
        self.names[name] += mentions
        self.surfaces.update(texts)


@dataclass(slots=True)
class Group:
    """Names merged into one entity: the name shown, the names' nodes, why they are one."""

    canonical: str
    members: list[Node]
    evidence: list[str]


def merge_label(label: str, nodes: list[Node], orgs: OrgDirectory, suffixes: Suffixes) -> list[Group]:
    """Which of one label's names (``nodes``, in a stable order) are one entity, and why.

    The rules, in order: forms listed in ``vocab/organizations.tsv``; generic suffixes
    ("Baogang" is "Baogang Group"); spelling variants (:data:`FUZZY`); acronyms that fit
    exactly one entity. Each join keeps its evidence, worded once the name shown is known.
    """
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
            known = orgs.by_key.get(node.key) or next(
                (orgs.by_acronym[s] for s in node.names if s in orgs.by_acronym), None
            )
            if known is not None:
                vocab_name[i] = known
                if known in anchor:
                    uf.union(anchor[known], i)
                else:
                    anchor[known] = i

    # 2. Generic suffixes: "Baogang" is "Baogang Group"; "X Group" and "X Holdings" may not be.
    split = [suffixes.split(n.key) if label in ORG_LIKE else (tuple(n.key.split()), ()) for n in nodes]
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
        out.append(Group(canonical, group, evidence))
    return out


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


def _canonical(members: list[Node]) -> str:
    """The name to show: a full name over an acronym, then the most used, then the longest."""
    names: Counter[str] = Counter()
    for n in members:
        names.update(n.names)
    return min(names, key=lambda s: (is_acronym(s), -names[s], s.isupper(), -len(s), s))


def _best_name(node: Node) -> str:
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
