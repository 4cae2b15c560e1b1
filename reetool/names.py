"""Names of people and organizations: one set of rules for every merge.

Two merges use these rules: within one document (:mod:`reetool.canonical`: "CREIA" after
"China Rare Earth Industry Association (CREIA)") and across the corpus
(:mod:`reetool.name_index`: "Lynas" in one article, "Lynas Rare Earths" in another).
They differ only in how strict they are, and that difference is spelled out as two
:class:`FuzzyPolicy` settings, not as two implementations.

Here: the display form and compare key of a name, acronyms and initials, generic
organization suffixes, fuzzy similarity, union-find, and the organization directory
from ``vocab/organizations.tsv``, parsed once for the extractor and the corpus alike.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from rapidfuzz import fuzz

from reetool.vocab import Vocab

#: Words skipped when reading the initials of a name: "China Rare Earth Industry
#: Association" is CREIA, "Bureau de Recherches Géologiques et Minières" is BRGM.
#: Function words of the languages organization names come in, not domain knowledge.
CONNECTIVES = frozenset(
    {"of", "the", "and", "for", "in", "on", "at", "to", "a", "an", "&"}
    | {"de", "du", "des", "la", "le", "les", "et", "d", "l"}  # French
    | {"y", "e", "do", "da", "dos", "das", "del"}  # Spanish, Portuguese
    | {"und", "für", "der", "die", "das", "van", "von"}  # German, Dutch
)

_WS = re.compile(r"\s+")
_THE = re.compile(r"^the\s+", re.IGNORECASE)
_DROP = re.compile(r"[.'’`]")
_NON_WORD = re.compile(r"[^\w]+")
_ACRONYM = re.compile(r"^[A-Z][A-Za-z0-9&]*[A-Z0-9]$")
_WORDS = re.compile(r"[\w]+(?:[’'][\w]+)?")


# -- normalising ---------------------------------------------------------------------------


@lru_cache(maxsize=1 << 16)
def display_name(name: str) -> str:
    """The form of a name shown to people: one line, without a leading "the" or a possessive.

    "the China Rare Earth Industry Association's" reads as the association itself.
    """
    s = _WS.sub(" ", name).strip().strip(',;:"“”')
    s = _THE.sub("", s)
    if len(s) > 2 and s[-2:].lower() in ("'s", "’s"):
        s = s[:-2]
    elif len(s) > 2 and s[-1] in "'’" and s[-2] in "sS":
        s = s[:-1]
    return s.strip() or _WS.sub(" ", name).strip()


@lru_cache(maxsize=1 << 16)
def name_key(name: str) -> str:
    """Compare key: case, accents, punctuation, "&"/"and", "the" and possessives do not count."""
    s = unicodedata.normalize("NFKD", display_name(name))
    s = "".join(c for c in s if not unicodedata.combining(c)).casefold()
    s = s.replace("&", " and ")
    s = _DROP.sub("", s)
    return _NON_WORD.sub(" ", s).strip()


# -- acronyms and initials -----------------------------------------------------------------


@lru_cache(maxsize=1 << 14)
def is_acronym(name: str) -> bool:
    """A short name written in capitals ("CREIA", "S&P", "U.S.", "CoE"): 2 to 10
    characters, first and last a capital or digit, more capitals than small letters."""
    s = _DROP.sub("", name.strip())
    if not 2 <= len(s) <= 10 or not _ACRONYM.match(s):
        return False
    return sum(c.isupper() for c in s) > sum(c.islower() for c in s)


def acronym_letters(name: str) -> str:
    """An acronym as the letters its expansion's initials give: "S&P" -> "SP"."""
    return _DROP.sub("", name).upper().replace("&", "")


@lru_cache(maxsize=1 << 14)
def initials(name: str) -> frozenset[str]:
    """Initials a name could be abbreviated to, with and without its connective words."""
    words = [w for w in _WORDS.findall(display_name(name).replace("-", " ")) if w]
    if len(words) < 2:
        return frozenset()
    out = {"".join(w[0] for w in words).upper()}
    significant = [w for w in words if w.casefold() not in CONNECTIVES]
    if len(significant) >= 2:
        out.add("".join(w[0] for w in significant).upper())
    return frozenset(out)


# -- organization suffixes -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Suffixes:
    """Generic endings of organization names ("Group", "Co., Ltd.") from ``org_suffixes.txt``."""

    tails: tuple[tuple[str, ...], ...]

    @classmethod
    def load(cls, vocab: Vocab) -> Suffixes:
        return cls.from_lines(vocab.lines("org_suffixes.txt"))

    @classmethod
    def from_lines(cls, lines: Iterable[str]) -> Suffixes:
        tails = {tuple(name_key(s).split()) for s in lines}
        tails.discard(())
        return cls(tuple(sorted(tails, key=len, reverse=True)))

    def split(self, key: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """``(core words, suffix words)`` of a :func:`name_key`; the core never becomes empty."""
        words = tuple(key.split())
        removed: list[str] = []
        changed = True
        while changed:
            changed = False
            for tail in self.tails:
                n = len(tail)
                if len(words) > n and words[-n:] == tail:
                    removed[:0] = tail
                    words = words[:-n]
                    changed = True
                    break
        return words, tuple(removed)

    def core(self, name: str) -> str:
        """The name's key without its suffixes: "China Rare Earth Group Co., Ltd." -> "china rare earth"."""
        return " ".join(self.split(name_key(name))[0])


# -- fuzzy matching ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FuzzyPolicy:
    """When two names of as many words are spelling variants of one name.

    Every differing word must be close (``word``), the whole names closer still
    (``name``); words shorter than ``rigid_below`` letters, or with digits when
    ``digits_rigid``, must match exactly ("Li"/"Lu", "Group 1"/"Group 2"), and with
    ``same_first`` the first words must be equal.
    """

    name: int
    word: int
    rigid_below: int = 0
    digits_rigid: bool = False
    same_first: bool = False
    min_words: int = 1

    def rigid(self, word: str) -> bool:
        return len(word) < self.rigid_below or (self.digits_rigid and any(c.isdigit() for c in word))

    def score(self, a: tuple[str, ...] | list[str], b: tuple[str, ...] | list[str]) -> float | None:
        """Similarity of two different word sequences, or ``None`` if they are different names."""
        if a == b or len(a) != len(b) or len(a) < self.min_words or (self.same_first and a[0] != b[0]):
            return None
        for x, y in zip(a, b, strict=True):
            if x == y:
                continue
            if self.rigid(x) or self.rigid(y) or fuzz.ratio(x, y) < self.word:
                return None
        score = fuzz.ratio(" ".join(a), " ".join(b))
        return score if score >= self.name else None


#: Within one document the context is small, so a variant must share its first word
#: ("Shenghe Resource"/"Shenghe Resources") and be very close.
IN_DOCUMENT = FuzzyPolicy(name=92, word=80, same_first=True, min_words=2)
#: Across the corpus there is no context at all: short words and numbers must match
#: exactly, and an extra word always means another entity.
ACROSS_CORPUS = FuzzyPolicy(name=90, word=85, rigid_below=4, digits_rigid=True)


# -- union-find ----------------------------------------------------------------------------


class UnionFind:
    """Groups of equal things, joined pair by pair; ``union(a, b)`` keeps ``a``'s root."""

    def __init__(self) -> None:
        self.parent: dict[Any, Any] = {}

    def find(self, a: Any) -> Any:
        self.parent.setdefault(a, a)
        while self.parent[a] != a:
            self.parent[a] = self.parent[self.parent[a]]
            a = self.parent[a]
        return a

    def union(self, a: Any, b: Any) -> bool:
        """Join the groups of ``a`` and ``b``; whether they were apart."""
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return False
        self.parent[rb] = ra
        return True


# -- the organization directory ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OrgDirectory:
    """Known organizations from ``organizations.tsv``: each canonical name with its forms.

    Aliases may be separated by ``|`` or ``;`` and sit in an ``aliases``, ``alias``,
    ``acronyms`` or ``acronym`` column. As the file's header promises, an acronym form
    is matched exactly, other forms whatever the case of their first letter; across
    documents, other forms match up to case, accents and punctuation (:func:`name_key`).
    """

    forms: tuple[tuple[str, tuple[str, ...]], ...]  # (canonical, (canonical, alias, ...))
    by_key: dict[str, str]  # name_key of a non-acronym form -> canonical
    by_acronym: dict[str, str]  # acronym form as written -> canonical

    @classmethod
    def load(cls, vocab: Vocab) -> OrgDirectory:
        entries: list[tuple[str, tuple[str, ...]]] = []
        by_key: dict[str, str] = {}
        by_acronym: dict[str, str] = {}
        for row in vocab.rows("organizations.tsv"):
            name = row.get("name", "").strip()
            if not name:
                continue
            forms = [name]
            for column in ("aliases", "alias", "acronyms", "acronym"):
                forms.extend(a.strip() for a in re.split(r"[|;]", row.get(column, "") or "") if a.strip())
            forms = list(dict.fromkeys(forms))
            entries.append((name, tuple(forms)))
            for form in forms:
                if is_acronym(form) and form.upper() == form:
                    by_acronym.setdefault(form, name)
                else:
                    by_key.setdefault(name_key(form), name)
        return cls(tuple(entries), by_key, by_acronym)

    def lookup(self, name: str) -> str | None:
        """The canonical name of a known organization written ``name``, else ``None``."""
        shown = display_name(name)
        known = self.by_acronym.get(shown)
        return known if known is not None else self.by_key.get(name_key(shown))

    def patterns(self) -> list[dict[str, str]]:
        """spaCy entity ruler patterns (matched on the exact text), each with its canonical
        name as id: every form, and each non-acronym form also with its first letter's
        case turned ("the lynas plant" is rare, "Baotou steel" is not)."""
        out: list[dict[str, str]] = []
        for name, forms in self.forms:
            written: dict[str, None] = {}
            for form in forms:
                written[form] = None
                if not (is_acronym(form) and form.upper() == form):
                    written[form[0].swapcase() + form[1:]] = None
            out.extend({"label": "ORG", "pattern": form, "id": name} for form in written)
        return out
