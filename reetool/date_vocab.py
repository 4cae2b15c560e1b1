"""The words of dates: one table of month, weekday and season names, and the date
phrases of ``vocab/date_phrases.tsv`` compiled once per vocab.

Every module that needs to know that "Sept." is September or "Thurs" a weekday reads it
here (the date parser, the relative-date resolver, the entity rules, the mojibake
repair's range words), so there is one table to extend.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from functools import lru_cache

from reetool.settings import env_vocab_dirs
from reetool.vocab import Vocab

PHRASES_FILE = "date_phrases.tsv"

# lowercase month names and abbreviations -> 1..12
MONTHS: dict[str, int] = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
MONTHS.update({name.lower(): i for i, name in enumerate(calendar.month_abbr) if name})
MONTHS["sept"] = 9
# lowercase weekday names and abbreviations -> Monday=0 .. Sunday=6
WEEKDAYS: dict[str, int] = {d.lower(): i for i, d in enumerate(calendar.day_name)}
WEEKDAYS.update({d.lower(): i for i, d in enumerate(calendar.day_abbr)})
WEEKDAYS.update({"tues": 1, "thur": 3, "thurs": 3})
# season -> (TimeML code, first month); a winter runs into the next year
SEASONS: dict[str, tuple[str, int]] = {
    "spring": ("SP", 3),
    "summer": ("SU", 6),
    "autumn": ("FA", 9),
    "fall": ("FA", 9),
    "winter": ("WI", 12),
}
# "relative" is the name older vocab files give to "vague"
REJECT_KINDS = ("vague", "relative", "duration", "frequency", "plan")


@dataclass(frozen=True, slots=True)
class DateValue:
    """An ISO 8601 (TimeML) value; ``inferred`` when the text did not write the year.

    ``value`` is None for a date that depends on a publication date nobody gave ("last
    month" in a text with no date): still a DATE, with no calendar value."""

    value: str | None
    inferred: bool = False


@dataclass(frozen=True, slots=True)
class Phrases:
    """``date_phrases.tsv`` compiled: what rejects a phrase, what resolves one, and tense cues."""

    rejects: re.Pattern[str] | None
    units: re.Pattern[str] | None
    day: dict[str, int]
    shift: dict[str, int]
    ago: dict[str, int]
    daypart: frozenset[str]
    # tense cues: phrase -> -1 (past) or +1 (future); suffixes from "*ed"-style entries
    cues: dict[str, int]
    cue_suffixes: tuple[tuple[str, int], ...]
    # first words of the cues of several words ("planned" of "planned to"): only a word
    # among these can start one, so the others need no phrase look-up
    cue_starts: frozenset[str]


def _alternation(words: list[str]) -> re.Pattern[str] | None:
    """One regex matching any of ``words`` as whole words ("*" at either end: any letters)."""
    if not words:
        return None
    alts = []
    for w in sorted(set(words), key=len, reverse=True):
        stem = w.strip("*")
        pat = r"[\s-]+".join(map(re.escape, re.split(r"[\s-]+", stem)))
        head = r"[\w'-]*" if w.startswith("*") else ""
        tail = r"[\w-]*" if w.endswith("*") else ""
        alts.append(head + pat + tail)
    return re.compile(r"(?<![\w-])(?:" + "|".join(alts) + r")(?![\w-])", re.IGNORECASE)


@lru_cache(maxsize=8)
def phrases(vocab: Vocab) -> Phrases:
    """The date phrases of ``vocab``, compiled once per vocab."""
    by_kind: dict[str, list[tuple[str, str]]] = {}
    for row in vocab.rows(PHRASES_FILE):
        phrase = " ".join(row.get("phrase", "").lower().split())
        if phrase:
            by_kind.setdefault(row.get("kind", "").strip().lower(), []).append((phrase, row.get("value", "")))

    def words(kind: str) -> list[str]:
        return [p for p, _ in by_kind.get(kind, [])]

    def numbers(kind: str) -> dict[str, int]:
        return {p: int(v) for p, v in by_kind.get(kind, []) if re.fullmatch(r"[+-]?\d+", v.strip())}

    # past first, so that a word listed as both is future
    cues = [(w, -1) for w in words("past")] + [(w, 1) for w in words("future")]
    cue_words = {w: sign for w, sign in cues if not w.startswith("*")}
    return Phrases(
        rejects=_alternation([w for kind in REJECT_KINDS for w in words(kind)]),
        units=_alternation(words("unit")),
        day=numbers("day"),
        shift=numbers("shift"),
        ago=numbers("ago"),
        daypart=frozenset(words("daypart")),
        cues=cue_words,
        cue_suffixes=tuple((w[1:], sign) for w, sign in reversed(cues) if w.startswith("*")),
        cue_starts=frozenset(w.split(" ", 1)[0] for w in cue_words if " " in w),
    )


def default_vocab() -> Vocab:
    """The built-in vocab plus ``REETOOL_VOCAB``, for callers that pass none."""
    return _vocab_for_env(env_vocab_dirs())


@lru_cache(maxsize=4)
def _vocab_for_env(env: tuple[str, ...]) -> Vocab:
    """Keyed on the variable's value, so a changed ``REETOOL_VOCAB`` is never stale."""
    return Vocab.load()
