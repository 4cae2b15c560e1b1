"""Roles: who holds which title where ("Tom O'Leary, managing director of Iluka Resources").

A pass over a document's text and the PERSON and ORG entities already found in it:
each sentence is rewritten with the entities as placeholders, and a few patterns of
English news match the title around a person's name, written after it ("X, chief
executive of Y"), before it ("Ucore CEO Pat Ryan", "Iluka's finance director Adele
Stratton", "the chair of Arafura's board, Mark Southey"), or an affiliation without a
title ("Tae-Yoon Kim of the International Energy Agency"). The titles come from
``vocab/titles.tsv``. No parse is needed: the patterns are anchored on entities the
extractor already paid for, so roles add almost nothing to the cost of extraction.

"its general manager" or "the company's chairman" names the organization only when the
nearest sentence naming organizations names exactly one; otherwise the org is left
empty, never guessed. A government title ("Trade Minister Don Farrell") has no
organization unless one is named with it.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from reetool.document import Entity
from reetool.vocab import Vocab

ROLE = "ROLE"

#: Sentences are cut at these; a role never spans two.
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"”’']?\s+(?=[A-Z\"“‘])|\n+")
_MARK = re.compile(r"⟦([PO])(\d+)⟧")
_PERSON_MARK = re.compile(r"⟦P")
_ORG_CHAIN = r"⟦O\d+⟧(?:\s*\(?⟦O\d+⟧\)?)*"
_POSSESSIVE_S = r"(?:'s|’s|'|’)"
#: Words that refer back to an organization named earlier.
_ANAPHOR = r"(?:[Ii]ts|[Tt]he (?:company|group|firm|miner|producer)" + _POSSESSIVE_S + ")"
_ORG_REF = rf"(?:{_ORG_CHAIN}|its|the (?:company|group|firm))"
_BOUNDARY = r"(?=\s*(?:[,.;:)\]—–\"”!?]|$| and ⟦| who\b| which\b| said\b| says\b| told\b| added\b))"


@dataclass(frozen=True, slots=True)
class Titles:
    """Titles from ``vocab/titles.tsv``: the regular expression that finds one, and the
    normalised group of each."""

    pattern: str
    groups: dict[str, str]
    modifiers: frozenset[str]

    def group(self, title: str) -> str:
        """The normalised title: "CEO" and "chief executive" give "chief executive officer",
        "deputy CEO" gives "deputy chief executive officer", "co-chairman" stays "co-chair";
        a title made of several ("chairman and CEO") gives each part's group."""
        parts = re.split(r"\s*(?:,? and |&|/)\s*", _key(title))
        return " and ".join(self._group_one(p) for p in parts if p)

    def _group_one(self, title: str) -> str:
        words = title.split()
        for i in range(len(words)):
            rest = " ".join(words[i:])
            core = self.groups.get(rest)
            if core is not None:
                mods = [w for w in words[:i] if w in self.modifiers]
                return " ".join([*mods, core])
        head = re.split(r" (?:of|for) ", title)[0]
        return self.groups.get(head, title) if head != title else title


def _key(title: str) -> str:
    return " ".join(title.lower().replace("’", "'").split())


def load_titles(vocab: Vocab) -> Titles:
    """Titles of every vocab folder, longest first so that "chief executive officer" is
    preferred to "chief executive"."""
    return _load_titles(vocab)


@lru_cache(maxsize=8)
def _load_titles(vocab: Vocab) -> Titles:
    groups: dict[str, str] = {}
    modifiers: set[str] = set()
    government: set[str] = set()
    for row in vocab.rows("titles.tsv"):
        title = _key(row.get("title", ""))
        if not title:
            continue
        kind = row.get("kind", "")
        if kind == "modifier":
            modifiers.add(title)
            continue
        groups[title] = _key(row.get("group", "")) or title
        if kind == "government" and title.split()[-1] in ("minister", "secretary"):
            government.add(title.split()[-1])
    cores = sorted(groups, key=len, reverse=True)
    core = "|".join(_flexible(t) for t in cores)
    mod = "|".join(_flexible(m) for m in sorted(modifiers, key=len, reverse=True)) or "(?!)"
    gov = "|".join(sorted(government)) or "(?!)"
    # A portfolio is one or two capitalised words before a government title: "Trade Minister".
    one = rf"(?:(?:[A-Z][a-z]+ ){{1,2}}(?i:{gov})\b|(?i:(?:(?:{mod})[ -])*(?:{core}))\b)"
    # "of global purchasing", "of Malaysian operations": a scope of words, not an entity.
    scope = r"(?: (?:of|for) (?!the\b|its\b|a\b)[A-Za-z][a-z-]*(?: (?:and )?[a-z][a-z-]*){0,5})?"
    # A title starts a word: "head" is not the end of "ahead".
    pattern = rf"(?<![\w-]){one}(?:(?:,? and | ?& ?|/){one})*{scope}"
    return Titles(pattern, groups, frozenset(modifiers))


def _flexible(title: str) -> str:
    """A title as a pattern in which a hyphen and a space are the same."""
    return r"[ -]".join(re.escape(w) for w in re.split(r"[ -]", title))


@lru_cache(maxsize=8)
def _patterns(title: str) -> tuple[re.Pattern[str], ...]:
    poss = rf"(?:{_ORG_CHAIN}{_POSSESSIVE_S}?|{_ANAPHOR}|[Tt]he [a-z]+{_POSSESSIVE_S})"
    org_after = rf"(?: (?:of|at|with|for|from) (?:the )?(?P<org>{_ORG_REF})(?:{_POSSESSIVE_S} board)?)"
    rest = r"(?: (?:of|at|with|for|from|in) [^,.;:—–()\"”]*)?"
    after = re.compile(
        rf"⟦P(?P<p>\d+)⟧\s*(?:,|—|–| - |\()\s*(?:who (?:is|was) )?(?:(?:a|an|the) )?"
        rf"(?:(?P<poss>{poss}) )?(?P<title>{title})(?:{org_after}|{rest}){_BOUNDARY}"
    )
    before = re.compile(
        rf"(?:(?P<poss>{poss}) (?P<qual>(?:[a-z][a-z-]* ){{0,2}}))?(?P<title>{title}) ⟦P(?P<p>\d+)⟧"
    )
    before_comma = re.compile(
        rf"(?:(?P<poss>{poss}) |(?:[Tt]he|[Aa]n?) )?(?P<title>{title}){org_after}?, ⟦P(?P<p>\d+)⟧"
    )
    affiliation = re.compile(rf"⟦P(?P<p>\d+)⟧ (?:of|from|at) (?:the )?(?P<org>{_ORG_CHAIN})")
    return after, before, before_comma, affiliation


def find_roles(text: str, entities: Sequence[Entity], titles: Titles) -> list[Entity]:
    """ROLE entities of one document: ``canonical`` is the person's canonical name,
    ``title`` the title as written (``None`` for an affiliation alone), ``org`` the
    organization's canonical name or ``None``. One per person, title and organization."""
    people_orgs = [e for e in entities if e.label in ("PERSON", "ORG")]
    if not any(e.label == "PERSON" for e in people_orgs):
        return []
    sentences = list(_sentences(text))
    placed = _by_sentence(people_orgs, sentences)
    masked = [_mask(text, s, e, ents) for (s, e), ents in zip(sentences, placed, strict=True)]
    found: list[Entity] = []
    for i, (m, offsets, marks) in enumerate(masked):
        if "⟦P" not in m:
            continue
        for role in _sentence_roles(m, offsets, marks, titles):
            found.append(_resolve(role, text, i, masked))
    return _distinct(found, titles)


#: A sentence with its entities as marks, the text offset of each character, the marks' entities.
_Masked = tuple[str, list[int], list[Entity]]


@dataclass(frozen=True, slots=True)
class _Match:
    person: Entity
    title: str | None
    org: Entity | None
    anaphor: bool
    start: int
    end: int


def _sentence_roles(m: str, offsets: list[int], marks: list[Entity], titles: Titles) -> Iterable[_Match]:
    after, before, before_comma, affiliation = _patterns(titles.pattern)
    claimed: list[tuple[int, int]] = []  # title spans an earlier pattern already gave a person
    given: set[int] = set()

    def make(match: re.Match[str], with_title: bool = True) -> _Match:
        person = marks[int(match["p"])]
        org_text = match.groupdict().get("org") or match.groupdict().get("poss")
        org = _last_org(org_text, marks)
        anaphor = org is None and org_text is not None and _is_anaphor(org_text)
        title = None
        if with_title:
            qual = match.groupdict().get("qual") or ""
            title = (qual + match["title"]).strip(" ,")
            claimed.append(match.span("title"))
        given.add(int(match["p"]))
        return _Match(person, title, org, anaphor, offsets[match.start()], offsets[match.end()])

    people = [found.start() for found in _PERSON_MARK.finditer(m)]
    for match in filter(None, (after.match(m, i) for i in people)):
        yield make(match)
    for pattern in (before, before_comma):
        for match in pattern.finditer(m):
            span = match.span("title")
            if any(s < span[1] and span[0] < e for s, e in claimed):
                continue
            if pattern is before_comma and re.search(r"⟦P\d+⟧\s*,\s*$", m[: match.start()]):
                continue  # "X, CEO of Y, Z": the title is X's, not Z's
            yield make(match)
    for match in filter(None, (affiliation.match(m, i) for i in people)):
        if int(match["p"]) not in given:
            yield make(match, with_title=False)


def _last_org(text: str | None, marks: list[Entity]) -> Entity | None:
    """The organization a chain of names points to: the last, most specific one
    ("Chinese Academy of Sciences (CAS) Ningbo Institute")."""
    if not text:
        return None
    orgs = [marks[int(n)] for kind, n in _MARK.findall(text) if kind == "O"]
    return orgs[-1] if orgs else None


def _is_anaphor(text: str) -> bool:
    return re.fullmatch(rf"{_ANAPHOR}|its|the (?:company|group|firm)", text) is not None


def _resolve(match: _Match, text: str, sentence: int, masked: list[_Masked]) -> Entity:
    org = match.org
    if org is None and match.anaphor:
        org = _antecedent(masked, sentence, match.start)
    return Entity(
        ROLE,
        text[match.start : match.end].strip(),
        match.start,
        match.end,
        match.person.canonical,
        title=match.title,
        org=org.canonical if org else None,
    )


def _antecedent(masked: list[_Masked], sentence: int, before: int) -> Entity | None:
    """The organization "its" or "the company" refers to: the only one named in the
    nearest sentence (this one up to the word, else up to three before) that names any."""
    for i in range(sentence, max(-1, sentence - 4), -1):
        orgs = [e for e in masked[i][2] if e.label == "ORG" and e.end <= before]
        if orgs:
            names = {e.canonical for e in orgs}
            return orgs[-1] if len(names) == 1 else None
    return None


def sentence_of(text: str, start: int, end: int) -> str:
    """The sentence of ``text`` around ``start:end`` (the evidence for a role)."""
    for s, e in _sentences(text):
        if s <= start < e:
            return " ".join(text[s : max(e, end)].split())
    return " ".join(text[start:end].split())


def _sentences(text: str) -> Iterable[tuple[int, int]]:
    start = 0
    for cut in _SENTENCE_END.finditer(text):
        if cut.start() > start:
            yield start, cut.start()
        start = cut.end()
    if start < len(text):
        yield start, len(text)


def _by_sentence(entities: Sequence[Entity], sentences: list[tuple[int, int]]) -> list[list[Entity]]:
    """The entities starting in each sentence, in their given order: what :func:`_mask`
    can place there, found without scanning every entity for every sentence."""
    starts = [s for s, _ in sentences]
    buckets: list[list[Entity]] = [[] for _ in sentences]
    for e in entities:
        i = bisect_right(starts, e.start) - 1
        if i >= 0 and e.start < sentences[i][1]:
            buckets[i].append(e)
    return buckets


def _mask(text: str, start: int, end: int, entities: Sequence[Entity]) -> _Masked:
    """The sentence with each PERSON and ORG replaced by ``⟦P<n>⟧``/``⟦O<n>⟧``; for each
    character of the result, the offset in ``text`` it came from (a mark's: the entity's
    start), and one past the end."""
    parts: list[str] = []
    offsets: list[int] = []
    marks: list[Entity] = []
    pos = start
    for e in entities:
        if e.start < pos or e.end > end:
            continue
        parts.append(text[pos : e.start])
        offsets.extend(range(pos, e.start))
        mark = f"⟦{e.label[0]}{len(marks)}⟧"
        marks.append(e)
        parts.append(mark)
        offsets.extend([e.start] * len(mark))
        pos = e.end
    parts.append(text[pos:end])
    offsets.extend(range(pos, end))
    offsets.append(end)
    return "".join(parts), offsets, marks


def _distinct(roles: list[Entity], titles: Titles) -> list[Entity]:
    """One record per person, title group and organization, first mention kept. A role
    without an organization is dropped when the same person holds the same title at a
    named one; an affiliation alone when a title at that organization is known."""
    by_key: dict[tuple[str, str | None, str | None], Entity] = {}
    for r in roles:
        key = (r.canonical, titles.group(r.title) if r.title else None, r.org)
        by_key.setdefault(key, r)
    keys = set(by_key)
    out = []
    for (person, group, org), r in by_key.items():
        if org is None and any(p == person and g == group and o for p, g, o in keys):
            continue
        if group is None and any(p == person and g and o == org for p, g, o in keys):
            continue
        out.append(r)
    out.sort(key=lambda e: (e.start, e.end))
    return out
