"""What the NER rules know of words: the vocab's titles, organization words and non-names.

Loaded once per pipeline from ``vocab/`` (``titles.txt``, ``org_words.txt``,
``company_words.txt``, ``not_entities.txt``); the rules in :mod:`reetool.ner_fix` and
:mod:`reetool.ner_patterns` ask it about words and token runs. Nothing here imports spaCy.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol

from reetool import dates
from reetool.vocab import Vocab

NAME_LABELS = frozenset(
    {"PERSON", "ORG", "GPE", "NORP", "FAC", "LOC", "PRODUCT", "WORK_OF_ART", "EVENT", "LAW"}
)
DASHES = frozenset("-–—―‒")
# "Lacaze", "O'Leary", "McDonald", "Jean-Luc": a capital, then letters with inner apostrophes or hyphens.
_NAME_TOKEN = re.compile(r"^[A-Z][a-z]*(?:[’'-]?[A-Z][a-z]+)*$")


def wordset(words: str) -> frozenset[str]:
    return frozenset(words.split())


FUNCTION_WORDS = wordset(
    "a an the and or of for on in to at by with from as vs via into over under not no is are was were be"
)
MONTHS = frozenset(dates.MONTHS)  # names and abbreviations, lowercase
WEEKDAYS = wordset("monday tuesday wednesday thursday friday saturday sunday")
# A capitalised name ending in one of these is a law, not a body: "Critical Raw Materials Act".
LAW_HEADS = wordset("act acts bill treaty directive")
REPORTING_VERBS = wordset("said says told added noted announced reported warned wrote expects expected")


@lru_cache(maxsize=1 << 16)
def word_key(text: str) -> str:
    """Comparison key of a token or phrase. Cached: it is asked for every token by
    several rules, and token texts repeat (a pure function, so the cache is invisible)."""
    return " ".join(text.replace("’", "'").split()).casefold()


class Word(Protocol):
    """What the rules read of a word: a spaCy ``Token``, ``Lexeme`` or the rules' own
    :class:`reetool.ner_tokens.Lex`."""

    @property
    def text(self) -> str: ...
    @property
    def is_title(self) -> bool: ...
    @property
    def is_upper(self) -> bool: ...
    @property
    def is_stop(self) -> bool: ...


@dataclass(frozen=True)
class Knowledge:
    """The vocab the rules need, loaded once per pipeline."""

    titles: frozenset[tuple[str, ...]]
    title_starts: frozenset[str]  # first words of titles: most tokens are rejected by one lookup
    title_ends: frozenset[str]
    title_words: frozenset[str]
    max_title: int
    org_words: frozenset[str]
    company_words: frozenset[str]
    not_entities: frozenset[str]
    not_suffixes: tuple[str, ...]
    not_before: frozenset[str]

    @classmethod
    def from_vocab(cls, vocab: Vocab) -> Knowledge:
        titles = {tuple(word_key(t).split()) for t in vocab.lines("titles.txt")}
        not_entities, suffixes, before = set(), [], set()
        for line in vocab.lines("not_entities.txt"):
            if line.startswith("..."):
                suffixes.append(word_key(line[3:]))
            elif line.startswith(">"):
                before.add(word_key(line[1:]))
            else:
                not_entities.add(word_key(line))
        return cls(
            titles=frozenset(titles),
            title_starts=frozenset(t[0] for t in titles if t),
            title_ends=frozenset(t[-1] for t in titles if t),
            title_words=frozenset(w for t in titles if len(t) == 1 for w in t),
            max_title=max((len(t) for t in titles), default=1),
            org_words=frozenset(word_key(w) for w in vocab.lines("org_words.txt")),
            company_words=frozenset(word_key(w) for w in vocab.lines("company_words.txt")),
            not_entities=frozenset(not_entities),
            not_suffixes=tuple(suffixes),
            not_before=frozenset(before),
        )

    def title_at(self, keys: list[str], i: int, end: int | None = None) -> int:
        """Length of the longest title starting at token ``i`` (0 if none); ``keys`` are
        the key (:func:`word_key`) of each of the doc's tokens, computed once per doc."""
        end = len(keys) if end is None else end
        if i >= end or keys[i] not in self.title_starts:
            return 0
        for n in range(min(self.max_title, end - i), 0, -1):
            if tuple(keys[i : i + n]) in self.titles:
                return n
        return 0

    def title_ending_at(self, keys: list[str], end: int, start: int) -> int:
        """Length of the longest title ending just before token ``end`` (0 if none)."""
        if end <= start or keys[end - 1] not in self.title_ends:
            return 0
        for n in range(min(self.max_title, end - start), 0, -1):
            if tuple(keys[end - n : end]) in self.titles:
                return n
        return 0

    def is_org_word(self, token: Word) -> bool:
        return word_key(token.text) in self.org_words and (token.is_title or token.is_upper)

    def is_nameish(self, token: Word) -> bool:
        """A token that can be part of a person's name: capitalised, not a title/org word."""
        k = word_key(token.text)
        return (
            _NAME_TOKEN.match(token.text) is not None
            and len(token.text) > 1
            and not token.is_stop
            and k not in self.title_words
            and k not in self.org_words
            and k not in self.company_words
            and k not in MONTHS
            and k not in WEEKDAYS
            and k not in self.not_entities
        )

    def is_junk(self, text: str, *, headed: bool = False) -> bool:
        """A heading word, web furniture, or a phrase that is not a name. ``headed``: the
        phrase is an organization word with an "of" tail ("Office of ... Supply Chains"),
        so a phrase-like ending is the body's remit, not the whole phrase."""
        k = word_key(re.sub(r"^(?:the|a|an)\s+", "", text, flags=re.I))
        if k in self.not_entities:
            return True
        return not headed and any(k == s or k.endswith(" " + s) for s in self.not_suffixes)

    def title_around(self, keys: list[str], s: int, e: int) -> bool:
        """True if tokens ``s:e`` lie inside a title: "Energy" in "Energy Secretary",
        "Defense" in "Secretary of Defense" name a portfolio, not a body."""
        for a in range(max(0, s - self.max_title + 1), s + 1):
            if a + self.title_at(keys, a) >= e and self.title_at(keys, a):
                return True
        return False
