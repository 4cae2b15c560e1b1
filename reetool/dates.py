"""Date normalisation: turn a DATE mention into an ISO 8601 (TimeML) value, or reject it.

A statistical model tags many phrases DATE that name no calendar point ("two days",
"annual", "15th Five-Year Plan", "recent years"); the extractor keeps only mentions for
which :func:`normalise` gives a value. The parser is deliberately strict: a phrase is a
date only if every word in it is understood (months, days, years, quarters, halves,
seasons, decades, range words and a few fillers), so an unknown word means "not a date"
instead of a wrong value. Relative phrases ("yesterday", "last month", "next Friday")
are resolved against the publication date by :mod:`reetool.relative_dates`. The words
that reject a phrase are data in ``vocab/date_phrases.tsv``.

Values: ``2025``, ``2025-12``, ``2025-12-26``; quarters, halves and seasons as TimeML
writes them (``2025-Q3``, ``2026-H1``, ``2025-FA``); ranges as ISO 8601 intervals
``2025-12-26/2025-12-28``, decades ``1990/1999``. "early 2026", "mid-2025", "late
December" give the containing period; "the year ended March 31" the day it names.
Without a year the value comes from the publication date (the year putting the date
nearest to it, or the one before or after it when the sentence's ``tense`` says so),
else from ``year_hint``; both set ``inferred``. With neither, a month-day is ``--MM-DD``
and a month ``--MM`` (ISO 8601 without year), not inferred.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from reetool import relative_dates
from reetool.date_vocab import MONTHS, SEASONS, WEEKDAYS, DateValue, Phrases, default_vocab, phrases
from reetool.vocab import Vocab

__all__ = ["MONTHS", "WEEKDAYS", "DateValue", "is_date", "normalise"]

YEAR_MIN, YEAR_MAX = 1800, 2199
TENSE_WINDOW_DAYS = 60

ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "1": 1, "2": 2, "3": 3, "4": 4}
# Words allowed around a date without changing its value: "on", "the", "fiscal year".
FILLERS = {"the", "on", "in", "at", "of", "by", "from", "since", "during", "between", "until", "till",
           "before", "after", "around", "about", "circa", "c", "approximately", "as", "starting",
           "onwards", "onward", "year", "fiscal", "calendar", "fy", "end", "start", "beginning",
           "middle", "early", "mid", "late", "year-end", "end-"}  # fmt: skip
_RANGE_SEP = re.compile(r"\s*(?:-|/|\bto\b|\bthrough\b|\bthru\b|\buntil\b|\btill\b|\band\b)\s*")
# "the quarter ended Sept. 30", "the fiscal year ending March 31": the day that ends the period
_PERIOD_ENDED = re.compile(
    r"^(?:the\s+)?(?:fiscal\s+|financial\s+)?(?:year|quarter|half|period|(?:three|six|nine|twelve)\s+months)"
    r"\s+(?:ended|ending|to)\s+"
)


@dataclass(slots=True)
class _Point:
    year: int | None = None
    month: int | None = None
    day: int | None = None
    # a period inside a year: (first month, last month) for quarters and halves
    months: tuple[int, int] | None = None
    season: str | None = None
    decade: int | None = None


# -- public API -----------------------------------------------------------------------


def is_date(text: str, *, vocab: Vocab | None = None) -> bool:
    """True if ``text`` names a calendar date, month, year, period or range of them,
    absolute or relative to a publication date."""
    return normalise(text, vocab=vocab) is not None


def normalise(
    text: str,
    *,
    published: dt.date | None = None,
    year_hint: int | None = None,
    tense: int = 0,
    vocab: Vocab | None = None,
) -> DateValue | None:
    """The value of a DATE mention, or None if it names no calendar date.

    ``tense`` (-1 past, +1 future, 0 unknown) is that of the mention's sentence: it
    chooses between the last and the next occurrence of a weekday or a yearless month.
    A relative phrase without ``published`` gives ``DateValue(None)``."""
    ph = phrases(vocab or default_vocab())
    ended = _PERIOD_ENDED.match(text.strip().lower())
    if ended:  # "the quarter ended Sept. 30": the day that ends it, in the past
        text = text.strip()[ended.end() :]
        tense = tense or (-1 if "ended" in ended.group(0) else 0)
    relative = relative_dates.resolve(text, published, tense, ph)
    if relative is not None:
        return relative
    shifted = _shifted(text, published, ph, vocab)
    if shifted is not None:
        return shifted
    if ph.rejects and ph.rejects.search(text):
        return None
    s = _prepare(text)
    if not s:
        return None
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
        return _single(points[0], published, year_hint, tense)  # type: ignore[arg-type]
    return _range(points[0], points[1], published, year_hint, tense)  # type: ignore[arg-type]


_LEADING_WORD = re.compile(r"\s*([a-z]+)\s+(.+)", re.I | re.S)
_TRAILING_YEAR = re.compile(r"(.+?)[\s,]+([a-z]+)\s+year", re.I | re.S)
_FOUR_DIGITS = re.compile(r"\d{4}")


def _shifted(text: str, published: dt.date | None, ph: Phrases, vocab: Vocab | None) -> DateValue | None:
    """A yearless date with its direction written: "last Oct. 23" (the latest before the
    publication date), "April next year", "early October this year"."""
    if _FOUR_DIGITS.search(text):
        return None
    m = _TRAILING_YEAR.fullmatch(text.strip())
    if m and m[2].lower() in ph.shift:
        if published is None:
            return DateValue(None) if is_date(m[1], vocab=vocab) else None
        dv = normalise(f"{m[1]} {published.year + ph.shift[m[2].lower()]}", vocab=vocab)
        return DateValue(dv.value, True) if dv and dv.value else None
    m = _LEADING_WORD.fullmatch(text.strip())
    if m and ph.shift.get(m[1].lower()):
        dv = normalise(m[2], published=published, tense=ph.shift[m[1].lower()], vocab=vocab)
        return dv if dv is None or dv.value is None or not dv.value.startswith("--") else DateValue(None)
    return None


# -- parsing ----------------------------------------------------------------------------


_SUBS = [
    (re.compile(p), r) for p, r in (
        (r"[\u2010-\u2015\u2212]", "-"),
        (r"\b(first|second|third|fourth|\d(?:st|nd|rd|th))-(quarter|half)\b", r"\1 \2"),  # "third-quarter"
        (r"['’]s$", ""),
        (r"(\d)(?:st|nd|rd|th)\b", r"\1"),
        (r"\b([a-z]{3,5})\.", r"\1"),  # "Dec." and "Sept."
    )
]  # fmt: skip
_EDGE_PREFIX = re.compile(r"^(early|mid|late|end|start)-(?=[a-z\d])")  # "mid-2025"
_END_SUFFIX = re.compile(r"(?<=\d)\s*-\s*(?=end\b)")  # "2025-end"


def _prepare(text: str) -> str:
    """Lowercase, unify dashes, drop ordinals, commas, weekdays and possessives."""
    s = text.strip().lower()
    for pattern, repl in _SUBS:
        s = pattern.sub(repl, s)
    s = s.replace(",", " ").strip(" .;:()")
    s = _EDGE_PREFIX.sub(r"\1 ", s)
    s = _END_SUFFIX.sub(" ", s)
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


_QUARTER = re.compile(r"q[1-4]|[1-4]q")
_HALF = re.compile(r"h[12]|[12]h")
_FY = re.compile(r"fy\d{4}")
_DECADE = re.compile(r"\d{4}s")
_YEAR4 = re.compile(r"\d{4}")
_DAYNUM = re.compile(r"\d{1,2}")


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
        elif _QUARTER.fullmatch(w) and p.months is None:
            q = int(w.strip("q"))
            p.months = (3 * q - 2, 3 * q)
        elif _HALF.fullmatch(w) and p.months is None:
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
        elif w in SEASONS and p.season is None:
            p.season = w
        elif _FY.fullmatch(w) and p.year is None:
            p.year = int(w[2:])
        elif _DECADE.fullmatch(w) and w[3] == "0" and p.decade is None:
            p.decade = int(w[:4])
        elif _YEAR4.fullmatch(w) and p.year is None and _year_ok(int(w)):
            p.year = int(w)
        elif _DAYNUM.fullmatch(w) and p.day is None and 1 <= int(w) <= 31:
            p.day = int(w)
        else:
            return None
        i += 1
    if p.decade is not None:
        plain = p.year is None and p.month is None and p.day is None and p.months is None and p.season is None
        return p if plain else None
    if p.months is not None and (p.month is not None or p.day is not None):
        return None
    if p.season is not None and (p.month is not None or p.day is not None or p.months is not None):
        return None
    if p.year is None and p.month is None and p.months is None and p.day is None and p.season is None:
        return None
    return p


# -- values -----------------------------------------------------------------------------


def _single(p: _Point, published: dt.date | None, year_hint: int | None, tense: int) -> DateValue | None:
    if p.decade is not None:
        return DateValue(f"{p.decade:04d}/{p.decade + 9:04d}")
    if p.month is None and p.months is None and p.year is None and p.season is None:
        return None  # a bare day number is not a date
    if p.month is None and p.day is not None:
        return None
    inferred = False
    if p.year is None:
        if p.season is not None:
            first = SEASONS[p.season][1]
            last = (first + 1) % 12 + 1
        else:
            first, last = p.months or (p.month, p.month)  # type: ignore[assignment]
        p.year = _infer_year(first, p.day or 1, last, p.day, published, year_hint, tense)
        inferred = p.year is not None
        if p.year is None and (p.months is not None or p.season is not None):
            return DateValue(None)  # "Q3", "this fall" with no year anywhere: a date of unknown year
    value = _fmt(p)
    return DateValue(value, inferred) if value else None


def _range(
    a: _Point, b: _Point, published: dt.date | None, year_hint: int | None, tense: int
) -> DateValue | None:
    if any(p.decade is not None or p.months is not None or p.season is not None for p in (a, b)):
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
        a.year = _infer_year(a.month, a.day or 1, a.month, a.day, published, year_hint, tense)
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
    tense: int = 0,
) -> int | None:
    """The year putting [month/day .. last_month/last_day] nearest to ``published``.

    A past sentence ("the plant opened in October") takes the latest such period that
    began by the publication date, a future one the first that has not ended by then,
    when the nearest would contradict the tense and lies more than
    ``TENSE_WINDOW_DAYS`` away: "by Jan. 14" in a story of Jan. 6 is next week's
    deadline whatever the verb, "in October" in a story of April is not so clear."""
    if month is None:
        return None
    if published is None:
        return year_hint
    candidates: list[tuple[int, int, int]] = []  # (gap in days, year, tense agreement)
    for year in (published.year - 1, published.year, published.year + 1):
        try:
            start = dt.date(year, month, min(day, 28) if month == 2 else day)
        except ValueError:
            continue
        lm = last_month or month
        end_year = year + 1 if lm < month else year
        end_day = min(last_day or 31, calendar.monthrange(end_year, lm)[1])
        end = dt.date(end_year, lm, end_day)
        gap = min(abs((published - start).days), abs((published - end).days))
        gap = 0 if start <= published <= end else gap
        agrees = (tense < 0 and start <= published) or (tense > 0 and end >= published) or tense == 0
        candidates.append((gap, year, agrees))
    if not candidates:
        return None
    nearest = min(candidates)
    agreeing = [c for c in candidates if c[2]]
    if nearest[2] or nearest[0] <= TENSE_WINDOW_DAYS or not agreeing:
        return nearest[1]
    return min(agreeing)[1]


def _fmt(p: _Point) -> str | None:
    if p.year is not None and not _year_ok(p.year):
        return None
    if p.months is not None:
        if p.year is None:
            return None
        first, last = p.months
        if last - first == 2:
            return f"{p.year:04d}-Q{last // 3}"
        return f"{p.year:04d}-H{last // 6}"
    if p.season is not None:
        return f"{p.year:04d}-{SEASONS[p.season][0]}" if p.year is not None else None
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
