"""Relative dates resolved against the publication date, as TimeML annotates them.

"yesterday", "last month", "this fall", "next Friday", "two years ago" name a calendar
date once the day they were written is known. Values follow TimeML's granularity: a day
``2026-01-11``, a month ``2025-12``, a year ``2026``, a quarter ``2025-Q4``, a half
``2026-H1``, a season ``2025-FA``, a week ``2026-W02`` (a weekend ``2026-W02-WE``).
Without a publication date such a phrase is still a date, with value None.

A weekday or month named without "last"/"next" takes its direction from the tense of its
sentence (``tense``: -1 past, +1 future, 0 unknown): "will meet Monday" is the Monday
after the publication date, "met Monday" the one before. The words ("last", "ago",
"yesterday", "morning") are data in ``vocab/date_phrases.tsv``.
"""

from __future__ import annotations

import datetime as dt
import re

from reetool.date_vocab import MONTHS, SEASONS, WEEKDAYS, DateValue, Phrases

NUMBER_WORDS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20,
}  # fmt: skip
UNITS = {"day": "D", "week": "W", "weekend": "WE", "month": "M", "year": "Y", "quarter": "Q", "half": "H"}
# Words that leave the value of the phrase they stand in unchanged (TimeML gives "early
# next year" and "the end of last month" the value of the containing period).
LOOSE = frozenset({
    "the", "on", "in", "at", "of", "by", "since", "during", "until", "till", "around", "about",
    "almost", "nearly", "some", "just", "only", "more", "than", "over", "approximately", "roughly",
    "exactly", "earlier", "later", "early", "late", "mid", "end", "beginning", "start", "middle",
})  # fmt: skip
UNKNOWN_COUNTS = frozenset({"several", "few", "many", "couple"})


def resolve(text: str, published: dt.date | None, tense: int, phrases: Phrases) -> DateValue | None:
    """The value of a relative date phrase, DateValue(None) without a publication date,
    or None when ``text`` is not a relative date (the absolute parser's turn)."""
    words = _words(text)
    if not words:
        return None
    ago = _ago_direction(words, phrases)
    if ago is not None:
        direction, words = ago
        return _ago(words, direction, published)
    found = _day_word(words, phrases)
    if found is None:
        found = _weekday(words, phrases)
    if found is None:
        found = _shifted_period(words, phrases)
    if found is None:
        return None
    kind, arg, shift = found
    if published is None:
        return DateValue(None)
    return DateValue(_value(kind, arg, shift, published, tense), True)


_POSSESSIVE = re.compile(r"'s\b")
_DASH = re.compile(r"[\u2010-\u2015-]")
_PUNCT = re.compile(r"[.,;:()\"]")


def _words(text: str) -> list[str]:
    s = _POSSESSIVE.sub("", text.lower().replace("’", "'"))
    s = _PUNCT.sub(" ", _DASH.sub(" ", s))
    return [w for w in s.split() if w not in LOOSE]


def _ago_direction(words: list[str], phrases: Phrases) -> tuple[int, list[str]] | None:
    joined = " ".join(words)
    for phrase, direction in phrases.ago.items():
        if joined.endswith(" " + phrase):
            return direction, joined[: -len(phrase) - 1].split()
    return None


def _ago(words: list[str], direction: int, published: dt.date | None) -> DateValue | None:
    """ "two years ago", "11 days ago", "a month from now"; None if it is not a count of a unit."""
    if len(words) != 2:
        return None
    count, unit = words[0], UNITS.get(words[1].rstrip("s") if words[1] != "days" else "day")
    if unit not in ("D", "W", "M", "Y"):
        return None
    if count in UNKNOWN_COUNTS:
        return DateValue(None)
    n = int(count) if count.isdigit() else NUMBER_WORDS.get(count)
    if n is None:
        return None
    if published is None:
        return DateValue(None)
    n *= direction
    if unit == "D":
        return DateValue((published + dt.timedelta(days=n)).isoformat(), True)
    if unit == "W":
        return DateValue(_week(published + dt.timedelta(weeks=n)), True)
    if unit == "M":
        y, m = _add_months(published.year, published.month, n)
        return DateValue(f"{y:04d}-{m:02d}", True)
    return DateValue(f"{published.year + n:04d}", True)


# A found phrase: (kind, argument, shift); shift None = no "last"/"next"/"this" written.
_Found = tuple[str, int | str, int | None]


def _day_word(words: list[str], phrases: Phrases) -> _Found | None:
    """ "today", "yesterday morning", "tonight", "this morning"."""
    head, rest = words[0], words[1:]
    if rest and not (len(rest) == 1 and rest[0] in phrases.daypart):
        return None
    if head in phrases.day:
        return ("day", phrases.day[head], None)
    if rest and phrases.shift.get(head) == 0:
        return ("day", 0, None)
    return None


def _weekday(words: list[str], phrases: Phrases) -> _Found | None:
    """ "Friday", "last Friday", "next Monday morning"."""
    shift = phrases.shift.get(words[0])
    if shift is not None:
        words = words[1:]
    if words and words[-1] in phrases.daypart:
        words = words[:-1]
    if len(words) != 1 or words[0] not in WEEKDAYS:
        return None
    return ("weekday", WEEKDAYS[words[0]], shift)


def _shifted_period(words: list[str], phrases: Phrases) -> _Found | None:
    """ "last month", "this year", "next quarter", "last October", "this fall"."""
    if len(words) != 2 or words[0] not in phrases.shift:
        return None
    shift, w = phrases.shift[words[0]], words[1]
    if w in UNITS and UNITS[w] != "D":
        return ("unit", UNITS[w], shift)
    if w in MONTHS:
        return ("month", MONTHS[w], shift)
    if w in SEASONS:
        return ("season", w, shift)
    return None


def _value(kind: str, arg: int | str, shift: int | None, pub: dt.date, tense: int) -> str:
    if kind == "day":
        return (pub + dt.timedelta(days=int(arg))).isoformat()
    if kind == "weekday":
        return weekday_date(int(arg), pub, shift, tense).isoformat()
    if kind == "month":
        return _month(int(arg), pub, shift or 0)
    if kind == "season":
        return _season(str(arg), pub, shift or 0)
    return _unit(str(arg), pub, shift or 0)


def weekday_date(day: int, pub: dt.date, shift: int | None, tense: int) -> dt.date:
    """The date of a weekday named in an article of ``pub``.

    "last Friday" is the latest Friday before the publication date and "next Friday" the
    first after it; a bare "Friday" (or "this Friday") is the latest on or before it,
    unless its sentence is in the future tense: then the first on or after it.
    """
    back = (pub.weekday() - day) % 7
    ahead = (day - pub.weekday()) % 7
    if shift == -1:
        return pub - dt.timedelta(days=back or 7)
    if shift == 1:
        return pub + dt.timedelta(days=ahead or 7)
    if tense > 0:
        return pub + dt.timedelta(days=ahead)
    return pub - dt.timedelta(days=back)


def _unit(unit: str, pub: dt.date, shift: int) -> str:
    if unit == "Y":
        return f"{pub.year + shift:04d}"
    if unit == "M":
        y, m = _add_months(pub.year, pub.month, shift)
        return f"{y:04d}-{m:02d}"
    if unit in ("W", "WE"):
        return _week(pub + dt.timedelta(weeks=shift)) + ("-WE" if unit == "WE" else "")
    size = 3 if unit == "Q" else 6
    index = (pub.month - 1) // size + shift  # 0-based period of the year, maybe out of range
    year = pub.year + index // (12 // size)
    return f"{year:04d}-{unit}{index % (12 // size) + 1}"


def _month(month: int, pub: dt.date, shift: int) -> str:
    """ "last October": the latest October before the publication month; "next": the first after."""
    year = pub.year
    if shift < 0 and month >= pub.month:
        year -= 1
    elif shift > 0 and month <= pub.month:
        year += 1
    return f"{year:04d}-{month:02d}"


def season_period(year: int, season: str) -> tuple[dt.date, dt.date]:
    """First and last day of a season that starts in ``year`` (a winter ends the next year)."""
    first = SEASONS[season][1]
    y2, m2 = _add_months(year, first, 3)
    return dt.date(year, first, 1), dt.date(y2, m2, 1) - dt.timedelta(days=1)


def _season(season: str, pub: dt.date, shift: int) -> str:
    """ "last fall": the latest fall over before the publication date; "this winter": the one
    under way, else the one of the publication year."""
    years = range(pub.year - 2, pub.year + 2)
    if shift < 0:
        year = max(y for y in years if season_period(y, season)[1] < pub)
    elif shift > 0:
        year = min(y for y in years if season_period(y, season)[0] > pub)
    else:
        under_way = [y for y in years if season_period(y, season)[0] <= pub <= season_period(y, season)[1]]
        year = under_way[0] if under_way else pub.year
    return f"{year:04d}-{SEASONS[season][0]}"


def _add_months(year: int, month: int, n: int) -> tuple[int, int]:
    index = year * 12 + month - 1 + n
    return index // 12, index % 12 + 1


def _week(day: dt.date) -> str:
    iso = day.isocalendar()
    return f"{iso[0]:04d}-W{iso[1]:02d}"
