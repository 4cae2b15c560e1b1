"""Date normalisation: turn a DATE mention into an ISO 8601 value, or reject it.

A statistical model tags many phrases DATE that name no calendar date ("last month",
"two days", "annual", "15th Five-Year Plan"); the extractor keeps only mentions for
which :func:`is_date` is true. The parser is deliberately strict: a phrase is a date
only if every word in it is understood (months, days, years, quarters, halves,
decades, range words and a few fillers), so an unknown word means "not a date"
instead of a wrong value. The words that reject a phrase are data in
``vocab/date_phrases.tsv``.

Values: ``2025``, ``2025-12``, ``2025-12-26``; ranges and periods as ISO 8601
intervals ``2025-12-26/2025-12-28``, ``2025-07/2025-09`` (Q3), ``1990/1999`` (the
1990s). "early 2026", "mid-2025", "late December" give the containing period.
Without a year the value comes from the publication date (the year putting the date
nearest to it), else from ``year_hint``; both set ``inferred``. With neither, a
month-day is ``--MM-DD`` and a month ``--MM`` (ISO 8601 without year), not inferred.
A weekday alone ("on Wednesday") is the latest such day on or before the publication
date (inferred); with no publication date it has no value.
"""

from __future__ import annotations

import calendar
import datetime as dt
import os
import re
from dataclasses import dataclass
from functools import lru_cache

from reetool.vocab import ENV_VAR, Vocab

PHRASES_FILE = "date_phrases.tsv"
YEAR_MIN, YEAR_MAX = 1800, 2199

MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
MONTHS.update({name.lower(): i for i, name in enumerate(calendar.month_abbr) if name})
MONTHS["sept"] = 9
WEEKDAYS = {d.lower() for d in (*calendar.day_name, *calendar.day_abbr)} | {"tues", "thur", "thurs"}
_WEEKDAY_INDEX = {d.lower(): i for i, d in enumerate(calendar.day_abbr)}
ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "1": 1, "2": 2, "3": 3, "4": 4}
SEASONS = {"spring", "summer", "autumn", "fall", "winter"}
# Words allowed around a date without changing its value: "on", "the", "fiscal year".
FILLERS = {"the", "on", "in", "at", "of", "by", "from", "since", "during", "between", "until", "till",
           "before", "after", "around", "about", "circa", "c", "approximately", "as", "starting",
           "onwards", "onward", "year", "fiscal", "calendar", "fy", "end", "start", "beginning",
           "middle", "early", "mid", "late", "year-end", "end-"}  # fmt: skip
_RANGE_SEP = re.compile(r"\s*(?:-|/|\bto\b|\bthrough\b|\bthru\b|\buntil\b|\btill\b|\band\b)\s*")


@dataclass(frozen=True, slots=True)
class DateValue:
    """An ISO 8601 value; ``inferred`` when the year was not written in the phrase."""

    value: str
    inferred: bool = False


@dataclass(slots=True)
class _Point:
    year: int | None = None
    month: int | None = None
    day: int | None = None
    # a period inside a year: (first month, last month) for quarters and halves
    months: tuple[int, int] | None = None
    decade: int | None = None


# -- vocab ----------------------------------------------------------------------------


@lru_cache(maxsize=8)
def _phrases(vocab: Vocab) -> tuple[re.Pattern[str] | None, re.Pattern[str] | None]:
    """(regex of words that make a phrase not a date, regex of quantity units)."""
    by_kind: dict[str, list[str]] = {}
    for row in vocab.rows(PHRASES_FILE):
        phrase = row.get("phrase", "").strip().lower()
        if phrase:
            by_kind.setdefault(row.get("kind", "").strip().lower(), []).append(phrase)

    def alternation(words: list[str]) -> re.Pattern[str] | None:
        if not words:
            return None
        alts = []
        for w in sorted(set(words), key=len, reverse=True):
            stem = w.rstrip("*")
            pat = r"[\s-]+".join(map(re.escape, re.split(r"[\s-]+", stem)))
            alts.append(pat + (r"[\w-]*" if w.endswith("*") else ""))
        return re.compile(r"(?<![\w-])(?:" + "|".join(alts) + r")(?![\w-])", re.IGNORECASE)

    units = by_kind.pop("unit", [])
    rejects = [w for words in by_kind.values() for w in words]
    return alternation(rejects), alternation(units)


def _default_vocab() -> Vocab:
    return _vocab_for_env(os.environ.get(ENV_VAR, ""))


@lru_cache(maxsize=4)
def _vocab_for_env(env: str) -> Vocab:
    """The built-in vocab plus ``REETOOL_VOCAB`` (keyed on its value, so never stale)."""
    return Vocab.load()


# -- public API -----------------------------------------------------------------------


def is_date(text: str, *, vocab: Vocab | None = None) -> bool:
    """True if ``text`` names a calendar date, month, year, period or range of them."""
    return normalise(text, vocab=vocab) is not None


def normalise(
    text: str,
    *,
    published: dt.date | None = None,
    year_hint: int | None = None,
    vocab: Vocab | None = None,
) -> DateValue | None:
    """The ISO 8601 value of a DATE mention, or None if it names no calendar date."""
    rejects, _ = _phrases(vocab or _default_vocab())
    if rejects and rejects.search(text):
        return None
    s = _prepare(text)
    if not s:
        day = weekday(text)
        if day is None or published is None:
            return None
        # News copy says "on Wednesday" for a day of the week it was written in: the
        # latest such day on or before the publication date.
        back = (published.weekday() - day) % 7
        return DateValue((published - dt.timedelta(days=back)).isoformat(), True)
    iso = _iso_numeric(s)
    if iso:
        return DateValue(iso)
    parts = _split_range(s)
    if parts is None:
        return None
    points = [_parse_point(p) for p in parts]
    if any(p is None for p in points):
        return None
    if len(points) == 1:
        return _single(points[0], published, year_hint)  # type: ignore[arg-type]
    return _range(points[0], points[1], published, year_hint)  # type: ignore[arg-type]


def weekday(text: str) -> int | None:
    """Monday=0 .. Sunday=6 if ``text`` is only a day of the week ("on Tuesday"), else None."""
    s = re.sub(r"['’]s\b", "", text.lower())  # "Wednesday's meeting" names the day too
    words = [w for w in re.sub(r"[.,;:()]", " ", s).split() if w not in FILLERS]
    if len(words) != 1 or words[0] not in WEEKDAYS:
        return None
    return _WEEKDAY_INDEX[words[0][:3]]


def explicit_years(text: str, *, vocab: Vocab | None = None) -> list[tuple[int, int, int, bool]]:
    """Every explicit year of ``text`` as (start, end, year, is_target), quantities left
    out. Worked out once per document and handed to :func:`nearest_year` for each of its
    dates, since a long article can hold hundreds of yearless dates."""
    _, units = _phrases(vocab or _default_vocab())
    found: list[tuple[int, int, int, bool]] = []
    for m in _YEAR.finditer(text):
        after = text[m.end() : m.end() + 20]
        if units and units.match(after.lstrip()) and after[:1].isspace():
            continue
        before = text[max(0, m.start() - 12) : m.start()]
        target = bool(_TARGET_BEFORE.search(before))
        found.append((m.start(), m.end(), int(m.group(0)), target))
    return found


def nearest_year(
    text: str,
    position: int,
    *,
    vocab: Vocab | None = None,
    years: list[tuple[int, int, int, bool]] | None = None,
) -> int | None:
    """The explicit year (1900-2099) that a yearless date at ``position`` most likely has.

    Nearest in the sense of the narrative, not only of characters: a year in the same
    sentence wins, then one in the same paragraph, then the year written most often in
    the document (ties to the nearest). Years that are targets ("for 2026", "by 2030")
    are used only when there is no other year, because a meeting "on November 13" in
    an article about standards "for 2026" happened in the year the article tells of.
    Numbers that are quantities ("2000 tonnes", "$2025", "2,025") are not years.
    ``years`` is :func:`explicit_years` of ``text``, when the caller has it already.
    """
    found = explicit_years(text, vocab=vocab) if years is None else years
    if not found:
        return None
    plain = [f for f in found if not f[3]] or found

    def distance(f: tuple[int, int, int, bool]) -> tuple[int, int]:
        start, end = f[0], f[1]
        d = 0 if start <= position < end else min(abs(position - start), abs(position - end))
        return (d, 0 if start < position else 1)  # ties: the year written before

    for lo, hi in (_sentence_bounds(text, position), _paragraph_bounds(text, position)):
        inside = [f for f in plain if lo <= f[0] < hi]
        if inside:
            return min(inside, key=distance)[2]
    counts: dict[int, int] = {}
    for f in plain:
        counts[f[2]] = counts.get(f[2], 0) + 1
    best = max(counts.values())
    return min((f for f in plain if counts[f[2]] == best), key=distance)[2]


# -- parsing ----------------------------------------------------------------------------

_YEAR = re.compile(r"(?<![\d$€£¥.,:/])(?<!\d[.,])(?:19|20)\d\d(?!\d|[.,]\d|%|[:/]\d)")
_TARGET_BEFORE = re.compile(r"\b(?:for|by|until|till|through|towards?|beyond|before)\s+(?:the\s+)?$", re.I)


def _prepare(text: str) -> str:
    """Lowercase, unify dashes, drop ordinals, commas, weekdays and possessives."""
    s = text.strip().lower()
    s = re.sub(r"[\u2010-\u2015\u2212]", "-", s)
    s = re.sub(r"['’]s$", "", s)
    s = re.sub(r"(\d)(?:st|nd|rd|th)\b", r"\1", s)
    s = re.sub(r"\b([a-z]{3,5})\.", r"\1", s)  # "Dec." and "Sept."
    s = s.replace(",", " ").strip(" .;:()")
    s = re.sub(r"^(early|mid|late|end|start)-(?=[a-z\d])", r"\1 ", s)  # "mid-2025"
    s = re.sub(r"(?<=\d)\s*-\s*(?=end\b)", " ", s)  # "2025-end"
    words = [w for w in s.split() if w not in WEEKDAYS and w not in FILLERS]
    return " ".join(words)


def _iso_numeric(s: str) -> str | None:
    """ISO and numeric forms: 2025-12-26, 2025/12/26, 2025.12.26, 12/26/2025, 2025-12."""
    m = re.fullmatch(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})", s)
    if m:
        return _fmt_day(int(m[1]), int(m[2]), int(m[3]))
    m = re.fullmatch(r"(\d{1,2})[/.](\d{1,2})[/.](\d{4})", s)
    if m:
        a, b, y = int(m[1]), int(m[2]), int(m[3])
        # day-first only when it cannot be month-first ("26/12/2025"); English copy is M/D
        month, day = (b, a) if a > 12 else (a, b)
        return _fmt_day(y, month, day)
    m = re.fullmatch(r"(\d{4})-(\d{2})", s)
    if m and 1 <= int(m[2]) <= 12 and int(m[2]) != (int(m[1]) + 1) % 100:
        return f"{int(m[1]):04d}-{int(m[2]):02d}" if _year_ok(int(m[1])) else None
    return None


def _split_range(s: str) -> list[str] | None:
    """One or two point expressions; more than two pieces is not a date we know."""
    pieces = [p.strip() for p in _RANGE_SEP.split(s)]
    if any(not p for p in pieces) or len(pieces) > 2:
        return None
    return pieces


def _parse_point(s: str) -> _Point | None:
    """One point: any order of month, day and year, or a quarter, half, season, decade."""
    p = _Point()
    words = s.split()
    i = 0
    while i < len(words):
        w = words[i]
        nxt = words[i + 1] if i + 1 < len(words) else ""
        if w in MONTHS and nxt == "quarter" and MONTHS[w] % 3 == 0 and p.months is None:
            # "the December quarter of 2028": Australian companies name quarters by their last month
            p.months = (MONTHS[w] - 2, MONTHS[w])
            i += 1
        elif w in MONTHS and p.month is None:
            p.month = MONTHS[w]
        elif re.fullmatch(r"q[1-4]|[1-4]q", w) and p.months is None:
            q = int(w.strip("q"))
            p.months = (3 * q - 2, 3 * q)
        elif re.fullmatch(r"h[12]|[12]h", w) and p.months is None:
            h = int(w.strip("h"))
            p.months = (6 * h - 5, 6 * h)
        elif w in ORDINALS and nxt in ("quarter", "half") and p.months is None:
            n = ORDINALS[w]
            if nxt == "quarter":
                p.months = (3 * n - 2, 3 * n)
            elif n <= 2:
                p.months = (6 * n - 5, 6 * n)
            else:
                return None
            i += 1
        elif w in SEASONS:
            pass  # a season's value is its year
        elif re.fullmatch(r"fy\d{4}", w) and p.year is None:
            p.year = int(w[2:])
        elif re.fullmatch(r"\d{4}s", w) and w[3] == "0" and p.decade is None:
            p.decade = int(w[:4])
        elif re.fullmatch(r"\d{4}", w) and p.year is None and _year_ok(int(w)):
            p.year = int(w)
        elif re.fullmatch(r"\d{1,2}", w) and p.day is None and 1 <= int(w) <= 31:
            p.day = int(w)
        else:
            return None
        i += 1
    if p.decade is not None:
        return p if p.year is None and p.month is None and p.day is None and p.months is None else None
    if p.months is not None and (p.month is not None or p.day is not None):
        return None
    if p.year is None and p.month is None and p.months is None and p.day is None:
        return None
    return p


# -- values -----------------------------------------------------------------------------


def _single(p: _Point, published: dt.date | None, year_hint: int | None) -> DateValue | None:
    if p.decade is not None:
        return DateValue(f"{p.decade:04d}/{p.decade + 9:04d}")
    if p.month is None and p.months is None and p.year is None:
        return None  # a bare day number is not a date
    if p.month is None and p.day is not None:
        return None
    inferred = False
    if p.year is None:
        first, last = p.months or (p.month, p.month)
        p.year = _infer_year(first, p.day or 1, last, p.day, published, year_hint)
        inferred = p.year is not None
        if p.year is None and p.months is not None:
            return None  # "Q3" with no year anywhere: nothing to say
    value = _fmt(p)
    return DateValue(value, inferred) if value else None


def _range(a: _Point, b: _Point, published: dt.date | None, year_hint: int | None) -> DateValue | None:
    if a.decade is not None or b.decade is not None or a.months is not None or b.months is not None:
        return None
    # "2024-25": a year then a two-digit number is a range of years
    if a.year and a.month is None and b.year is None and b.month is None and b.day is not None:
        if a.day is None and b.day == (a.year + 1) % 100:
            b.year, b.day = a.year + 1, None
        else:
            return None
    # "December 26-28, 2025" and "26-28 December 2025": share the missing month and year
    if b.month is None and b.day is not None:
        if a.month is None or (b.year is None and a.day is None):
            return None
        b.month = a.month
    if a.month is None and a.day is not None:
        if b.month is None:
            return None
        a.month = b.month
    if (a.day is None) != (b.day is None) or (a.month is None) != (b.month is None):
        return None
    inferred = False
    if a.year is None and b.year is not None:
        a.year = b.year if (a.month or 0, a.day or 0) <= (b.month or 0, b.day or 0) else b.year - 1
    elif a.year is None:
        a.year = _infer_year(a.month, a.day or 1, a.month, a.day, published, year_hint)
        inferred = a.year is not None
    if b.year is None and a.year is not None:
        b.year = a.year if (b.month or 0, b.day or 0) >= (a.month or 0, a.day or 0) else a.year + 1
    start, end = _fmt(a), _fmt(b)
    if not start or not end:
        return None
    if a.year is not None and (a.year, a.month or 0, a.day or 0) > (b.year or 0, b.month or 0, b.day or 0):
        return None
    return DateValue(start if start == end else f"{start}/{end}", inferred)


def _infer_year(
    month: int | None,
    day: int,
    last_month: int | None,
    last_day: int | None,
    published: dt.date | None,
    year_hint: int | None,
) -> int | None:
    """The year putting [month/day .. last_month/last_day] nearest to ``published``."""
    if month is None:
        return None
    if published is not None:
        best: tuple[int, int] | None = None
        for year in (published.year - 1, published.year, published.year + 1):
            try:
                start = dt.date(year, month, min(day, 28) if month == 2 else day)
            except ValueError:
                continue
            lm = last_month or month
            end_day = last_day or calendar.monthrange(year, lm)[1]
            end = dt.date(year, lm, min(end_day, calendar.monthrange(year, lm)[1]))
            gap = min(abs((published - start).days), abs((published - end).days))
            if start <= published <= end:
                gap = 0
            if best is None or gap < best[0]:
                best = (gap, year)
        return best[1] if best else None
    return year_hint


def _fmt(p: _Point) -> str | None:
    if p.months is not None:
        if p.year is None:
            return None
        return f"{p.year:04d}-{p.months[0]:02d}/{p.year:04d}-{p.months[1]:02d}"
    if p.year is not None and not _year_ok(p.year):
        return None
    if p.month is None:
        return f"{p.year:04d}" if p.year is not None and p.day is None else None
    if p.day is None:
        return f"{p.year:04d}-{p.month:02d}" if p.year is not None else f"--{p.month:02d}"
    if p.year is None:
        # 2024 is a leap year: "February 29" without a year is a valid month-day
        return f"--{p.month:02d}-{p.day:02d}" if _valid(2024, p.month, p.day) else None
    return _fmt_day(p.year, p.month, p.day)


def _fmt_day(year: int, month: int, day: int) -> str | None:
    return f"{year:04d}-{month:02d}-{day:02d}" if _year_ok(year) and _valid(year, month, day) else None


def _valid(year: int, month: int, day: int) -> bool:
    try:
        dt.date(year, month, day)
    except ValueError:
        return False
    return True


def _year_ok(year: int) -> bool:
    return YEAR_MIN <= year <= YEAR_MAX


def _sentence_bounds(text: str, pos: int) -> tuple[int, int]:
    # A line break ends a sentence too, so the search back starts at the line's start.
    line_start = text.rfind("\n", 0, pos) + 1
    lo = max((m.end() for m in _SENT_END.finditer(text, line_start, pos)), default=line_start)
    m = _SENT_END.search(text, pos)
    return lo, m.start() + 1 if m else len(text)


def _paragraph_bounds(text: str, pos: int) -> tuple[int, int]:
    lo = text.rfind("\n", 0, pos) + 1
    hi = text.find("\n", pos)
    return lo, hi if hi >= 0 else len(text)


_SENT_END = re.compile(r"[.!?](?=\s+[\"'“(]?[A-Z0-9])|\n")


def published_date(value: str | None) -> dt.date | None:
    """The calendar day of a ``Document.published`` string ("2026-01-12T04:22:21"), if any."""
    if not value:
        return None
    m = re.match(r"\s*(\d{4})-(\d{2})-(\d{2})", value)
    if not m or not _valid(int(m[1]), int(m[2]), int(m[3])):
        return None
    return dt.date(int(m[1]), int(m[2]), int(m[3]))
