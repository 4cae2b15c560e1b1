"""Canonical names within one document: which mentions name the same entity.

An article introduces a body once in full ("China Rare Earth Industry Association
(CREIA)") and then says "CREIA", "the Association" or "the group"; it names a person
"Liu Leiyun" and then "Liu". Counting those as different entities would make every
count and every co-occurrence wrong, so mentions are grouped here and each group gets
its fullest written form as canonical name. Fuzzy matching (rapidfuzz) catches small
spelling variants, guarded so that "China Rare Earth Group" never joins "China Northern
Rare Earth Group": names must have the same words in the same order except for
suffixes like "Group" or "Co., Ltd.".
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from functools import lru_cache

from reetool.names import IN_DOCUMENT, Suffixes, UnionFind, display_name, initials, is_acronym

#: "China Rare Earth Industry Association (CREIA)": the acronym a document defines.
_ACRONYM_AFTER = re.compile(r"\s*\(\s*([A-Z][A-Za-z0-9&.]*)\s*\)")
_WORD = re.compile(r"[\w&]+")


@dataclass(frozen=True, slots=True)
class Mention:
    """A mention before canonicalisation; ``known`` is the vocab id of a known organization."""

    label: str
    text: str
    start: int
    end: int
    known: str | None = None
    canonical: str = ""


def clean_name(text: str) -> str:
    """The name without a leading article, trailing possessive or stray punctuation, and
    with straight apostrophes, so that "O’Connor" and "O'Connor" in one article are one name."""
    return display_name(text.replace("’", "'")).strip(" ,;:\"'()[]")


@lru_cache(maxsize=1 << 14)
def _words(text: str) -> tuple[str, ...]:
    """Case-folded words of a name; cached because every pair of names compared asks again."""
    return tuple(w.casefold() for w in _WORD.findall(text))




class Canonicalizer:
    """Groups mentions of a document; built once from vocab word lists."""

    def __init__(
        self, org_suffixes: Iterable[str], org_words: Iterable[str], company_words: Iterable[str] = ()
    ) -> None:
        self.suffixes = Suffixes.from_lines(org_suffixes)
        self.heads = frozenset(w.casefold().rstrip(".") for w in org_words)
        suffix_words = {w for tail in self.suffixes.tails for w in tail}
        self.company_ends = suffix_words | self.heads | {w.casefold() for w in company_words}
        self._org_keys: dict[str, str] = {}

    def org_key(self, name: str) -> str:
        """Words of an organization name without trailing suffixes ("Group", "Co., Ltd.").
        Memoised per canonicalizer: the pair loop of :meth:`_orgs` asks for each name's
        key once per other name, and the key depends only on the name and the suffixes."""
        key = self._org_keys.get(name)
        if key is None:
            if len(self._org_keys) > 1 << 16:
                self._org_keys.clear()  # bounded: a long corpus never grows it without end
            key = self._org_keys[name] = " ".join(self.suffixes.split(" ".join(_words(name)))[0])
        return key

    def head(self, name: str) -> str | None:
        """The organization head word: last head word before any "of" tail."""
        words = _words(name)
        if "of" in words:
            words = words[: words.index("of")]
        for w in reversed(words):
            if w in self.heads:
                return w
        return None

    def canonicalize(self, mentions: list[Mention], text: str) -> list[Mention]:
        """Mentions with ``canonical`` set, relabelled where the document shows the label
        was wrong, and without generic mentions ("the Association") that name nothing here."""
        mentions = sorted(mentions, key=lambda m: (m.start, m.end))
        people = [m for m in mentions if m.label == "PERSON" and len(_words(clean_name(m.text))) > 1]
        person_tokens = {w for m in people for w in (_words(m.text)[0], _words(m.text)[-1])}
        out: list[Mention] = []
        for m in mentions:
            name = clean_name(m.text)
            words = _words(name)
            if m.label in ("ORG", "GPE") and not m.known and len(words) == 1 and words[0] in person_tokens:
                m = replace(m, label="PERSON")  # "Wang congratulated ...": a surname, not a body
            out.append(replace(m, canonical=name))
        orgs = [m for m in out if m.label == "ORG"]
        org_keys = {self.org_key(m.canonical) for m in orgs if m.canonical}
        out = [
            replace(m, label="ORG") if m.label == "PERSON" and self.org_key(m.canonical) in org_keys else m
            for m in out
        ]
        out = self._orgs(out, text)
        out = self._people(out)
        return [m for m in out if m.canonical]

    # organizations -----------------------------------------------------------------------

    def _orgs(self, mentions: list[Mention], text: str) -> list[Mention]:
        idx = [i for i, m in enumerate(mentions) if m.label == "ORG"]
        groups = UnionFind()
        find, union = groups.find, groups.union

        acronyms: dict[str, int] = {}
        generic: list[int] = []
        for i in idx:
            m = mentions[i]
            after = _ACRONYM_AFTER.match(text, m.end)
            if after and is_acronym(after.group(1)) and not is_acronym(m.canonical):
                acronyms.setdefault(after.group(1), i)
            words = _words(m.canonical)
            if len(words) == 1 and words[0] in self.heads:
                generic.append(i)
        full = [i for i in idx if i not in generic]
        # Equal names are one organization: compare each distinct name once, so a long
        # article repeating a name hundreds of times costs no more than naming it twice.
        first_of: dict[str, int] = {}
        for i in full:
            union(i, first_of.setdefault(mentions[i].canonical, i))
        distinct = list(first_of.values())
        for a_pos, a in enumerate(distinct):
            ma = mentions[a]
            for b in distinct[a_pos + 1 :]:
                if self._same_org(ma, mentions[b], acronyms, mentions):
                    union(a, b)
        self._short_forms(distinct, mentions, union)
        for g in generic:
            head = _words(mentions[g].canonical)[0]
            before = [
                i
                for i in full
                if mentions[i].start < mentions[g].start and self.head(mentions[i].canonical) == head
            ]
            anywhere = before or [i for i in full if self.head(mentions[i].canonical) == head]
            if anywhere:
                union(g, anywhere[-1] if before else anywhere[0])
        clusters: dict[int, list[int]] = {}
        for i in idx:
            clusters.setdefault(find(i), []).append(i)
        out = list(mentions)
        for members in clusters.values():
            names = [mentions[i].canonical for i in members if mentions[i] is not None and i not in generic]
            if not names:
                for i in members:
                    out[i] = replace(out[i], canonical="")  # "the Association" with no antecedent
                continue
            # The fullest form this document writes: an article that only says "REEx"
            # keeps "REEx"; `reetool entities` joins it to "Rare Earth Exchanges" across
            # the corpus with the evidence from organizations.tsv.
            best = max(names, key=lambda n: (not is_acronym(n), len(_words(n)), len(n)))
            for i in members:
                out[i] = replace(out[i], canonical=best)
        return out

    def _short_forms(
        self, distinct: list[int], mentions: list[Mention], union: Callable[[int, int], object]
    ) -> None:
        """ "Arafura" after "Arafura Rare Earths Ltd": a one-word name that begins exactly
        one longer organization name of the document is its short form. With two
        candidates ("China" before two "China ..." bodies) it stays apart, and only a
        company-like name ("... Ltd", "... Magnetics") has one: "Geraldton" (a town) is
        not short for "Geraldton Coast Watch"."""
        longer: dict[str, dict[str, int]] = {}
        for i in distinct:
            words = _words(mentions[i].canonical)
            if len(words) > 1 and words[-1] in self.company_ends:
                longer.setdefault(words[0], {}).setdefault(self.org_key(mentions[i].canonical), i)
        for i in distinct:
            name = mentions[i].canonical
            words = _words(name)
            if len(words) != 1 or is_acronym(name) or words[0] in self.heads:
                continue
            targets = longer.get(words[0], {})
            if len(targets) == 1:
                union(i, next(iter(targets.values())))

    def _same_org(self, a: Mention, b: Mention, acronyms: dict[str, int], mentions: list[Mention]) -> bool:
        if a.known and a.known == b.known:
            return True
        ka, kb = self.org_key(a.canonical), self.org_key(b.canonical)
        if ka == kb:
            return True
        for x, y in ((a, b), (b, a)):
            if is_acronym(x.canonical) and not is_acronym(y.canonical):
                src = acronyms.get(x.canonical)
                if src is not None and self.org_key(mentions[src].canonical) == self.org_key(y.canonical):
                    return True
                if len(x.canonical) >= 3 and x.canonical.upper() in initials(y.canonical):
                    return True
        wa, wb = ka.split(), kb.split()
        short, long_ = (wa, wb) if len(wa) <= len(wb) else (wb, wa)
        if 2 <= len(short) < len(long_) and _contiguous(short, long_):
            hs, hl = self.head(" ".join(short)), self.head(" ".join(long_))
            if hs and hs == hl and short[-1] == hs:
                return True  # "Ningbo Institute" in "CAS Ningbo Institute of Materials ..."
        return IN_DOCUMENT.score(wa, wb) is not None  # spelling variants: "Resources"/"Resource"

    # people ------------------------------------------------------------------------------

    def _people(self, mentions: list[Mention]) -> list[Mention]:
        full: dict[str, str] = {}
        for m in mentions:
            if m.label == "PERSON" and len(_words(m.canonical)) > 1:
                key = " ".join(_words(m.canonical))
                if key not in full or len(m.canonical) > len(full[key]):
                    full[key] = m.canonical
        by_part: dict[str, set[str]] = {}
        for key, name in full.items():
            words = key.split()
            for w in (words[0], words[-1]):
                by_part.setdefault(w, set()).add(name)
        out = []
        for m in mentions:
            if m.label == "PERSON":
                words = list(_words(m.canonical))
                if len(words) == 1 and len(by_part.get(words[0], ())) == 1:
                    m = replace(m, canonical=next(iter(by_part[words[0]])))
                elif len(words) > 1:
                    m = replace(m, canonical=full[" ".join(words)])
            out.append(m)
        return out


def _contiguous(short: list[str], long_: list[str]) -> bool:
    n = len(short)
    return any(long_[i : i + n] == short for i in range(len(long_) - n + 1))
