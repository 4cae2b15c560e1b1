"""The dates of one document: DATE mentions turned into entities with calendar values.

The model's DATE spans are widened over the day or year it left outside, dates on a
copyright line dropped (page furniture), and each remaining span valued by
:func:`reetool.dates.normalise` against the document's publication date: its
``published`` field, or for plain text a full date in its first lines (a dateline).
Without a publication date a yearless date takes its year from an earlier date of the
same month in the article (the event it already dated), else from the nearest explicit
year in the text, else from a copyright line. The tense of a date's sentence, read from
the cue words of ``vocab/date_phrases.tsv``, says whether "Monday" or "March" lies
before or after the publication date.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache

from reetool import dates
from reetool.canonical import Mention
from reetool.date_vocab import MONTHS, WEEKDAYS, Phrases, default_vocab, phrases
from reetool.document import Entity
from reetool.vocab import Vocab

DATELINE_CHARS = 400
_DAY_BEFORE = re.compile(r"(?<![\w$€£¥.,/-])([0-3]?\d)(?:st|nd|rd|th)?\s+$")
_YEAR_AFTER = re.compile(r",?\s+((?:19|20)\d\d)(?![\w%.,]\d|[\w%])")
_DAY_END = re.compile(r"\b[0-3]?\d(?:st|nd|rd|th)?$")
_COPYRIGHT_LINE = re.compile(r"©|\(c\)\s*\d{4}|\bcopyright\b|all rights reserved", re.I)
_COPYRIGHT_YEAR = re.compile(r"(?:©|\(c\)|copyright)\s*(\d{4})", re.I)
_YEAR_OR_MONTH_DAY = re.compile(r"^\d{4}-\d{2}")


def document_dates(mentions: list[Mention], text: str, published: str | None, vocab: Vocab) -> list[Entity]:
    """DATE entities of one document, in text order, each with its value (or None)."""
    ph = phrases(vocab)
    judged: dict[int, bool] = {}
    mentions = [widen(m, text) for m in mentions if not _on_copyright_line(text, m.start, judged)]
    mentions = _drop_contained(mentions)
    pub = published_date(published) or _dateline(mentions, vocab)
    month_years: dict[int, int] = {}
    years: list[tuple[int, int, int, bool]] | None = None
    out = []
    for m in mentions:
        surface = m.text.strip()
        tense = tense_at(text, m.start, m.end, ph)
        dv = dates.normalise(surface, published=pub, tense=tense, vocab=vocab)
        if dv is None:
            continue  # not a calendar date: "two days", "annual", "Five-Year Plan"
        if dv.value and dv.value.startswith("--"):  # no year written, no publication date
            month = _month_of(surface)
            hint = month_years.get(month) if month else None
            if not hint:
                years = explicit_years(text, vocab=vocab) if years is None else years
                hint = nearest_year(text, m.start, years=years) or _copyright_year(text)
            dv = dates.normalise(surface, year_hint=hint, tense=tense, vocab=vocab) or dv
        if dv.value and _YEAR_OR_MONTH_DAY.match(dv.value):
            month_years.setdefault(int(dv.value[5:7]), int(dv.value[:4]))
        canonical = " ".join(surface.split())
        out.append(Entity("DATE", m.text, m.start, m.end, canonical, dv.value, dv.inferred))
    return out


def claim_dates(mentions: list[Mention], text: str, vocab: Vocab) -> list[Mention]:
    """Add the dates the model missed or let a neighbour swallow, and cut them out of it.

    "President Bill Clinton Saturday vowed" gives PERSON "Bill Clinton" and DATE
    "Saturday", "the U.N. Security Council on Aug. 6" ORG and DATE. Only forms that are
    dates wherever they stand are claimed: a weekday or month name with a day, written
    with a capital, and the day words of the vocab ("today", "yesterday"). A date inside
    a longer name ("Good Friday Agreement") is left to the name."""
    taken = [(m.start, m.end) for m in mentions if m.label == "DATE"]
    out = mentions
    for found in _scan_pattern(vocab).finditer(text):
        s, e = found.span()
        if any(a < e and s < b for a, b in taken):
            continue
        if any(m.start < s and m.end > e for m in out if m.label != "ELEMENT"):
            continue
        kept = []
        for m in out:
            if m.label == "ELEMENT" or m.end <= s or m.start >= e:
                kept.append(m)
            elif m.start < s or m.end > e:
                rest = _cut(m, text, m.start, s) if m.start < s else _cut(m, text, e, m.end)
                kept.extend(rest)
        out = [*kept, Mention("DATE", found.group(0), s, e)]
        taken.append((s, e))
    return out


_JOINERS = re.compile(r"(?:\s|[,;:(]|\b(?:on|in|of|the|at)\b)+", re.I)


def _cut(m: Mention, text: str, start: int, end: int) -> list[Mention]:
    """What is left of ``m`` in [start, end), without the words that joined it to the date
    (on the side where the date was: "Council on [Aug. 6]" keeps "Council")."""
    piece = text[start:end]
    a, b = 0, len(piece)
    if start > m.start:  # the date was on the left
        lead = _JOINERS.match(piece)
        a = lead.end() if lead else 0
    else:
        for joiner in _JOINERS.finditer(piece):
            if joiner.end() == b:
                b = joiner.start()
    if b - a < 2:
        return []
    return [Mention(m.label, piece[a:b], start + a, start + b, m.known, m.canonical)]


@lru_cache(maxsize=8)
def _scan_pattern(vocab: Vocab) -> re.Pattern[str]:
    ph = phrases(vocab)
    months = sorted((m for m in MONTHS if len(m) > 2), key=len, reverse=True)
    month = "|".join(m.capitalize() + (r"\.?" if len(m) <= 4 else "") for m in months)
    weekday = "|".join(d.capitalize() for d in WEEKDAYS if len(d) > 5)
    day_words = "|".join(map(re.escape, sorted(ph.day, key=len, reverse=True))) or "(?!)"
    return re.compile(
        rf"(?<![\w-])(?:(?:{month})\s[0-3]?\d(?:st|nd|rd|th)?(?:,\s(?:19|20)\d\d)?(?![\d:.,]\d|\w)"
        rf"|(?:{weekday})(?![\w-])|(?i:{day_words})(?![\w-]))"
    )


def tense_at(text: str, start: int, end: int, ph: Phrases) -> int:
    """-1 (past), +1 (future) or 0: the tense cue of the sentence nearest to a date.

    "said Friday" is past, "will meet Friday" future; "He said talks will resume
    Tuesday" takes "will", the cue next to the date. A phrase cue ("planned to") wins
    over the word it starts with, and a future word over a past ending ("expected")."""
    lo, hi = _sentence_bounds(text, start)
    hi = max(hi, end)
    low = text[lo:hi].lower().replace("’", "'")
    spans: list[tuple[int, int]] | None = None
    if len(low) == hi - lo:
        words = _WORD.findall(low)
    else:  # a letter whose lower case is longer ("İ"): lower each word on its own
        found = list(_WORD.finditer(text, lo, hi))
        words = [m.group().lower().replace("’", "'") for m in found]
        spans = [(m.start() - lo, m.end() - lo) for m in found]
    best: tuple[tuple[int, int], int] | None = None
    for i, w in enumerate(words):
        sign = ph.cue(w)
        starts_phrase = w in ph.cue_starts
        if sign is None and not starts_phrase:
            continue
        if spans is None:  # offsets only for sentences that hold a cue
            spans = [m.span() for m in _WORD.finditer(low)]
        a, b = spans[i]
        for n in (2, 3) if starts_phrase else ():
            phrase = " ".join(words[i : i + n])
            if i + n <= len(words) and phrase in ph.cues:
                sign, b = ph.cues[phrase], spans[i + n - 1][1]
        a, b = a + lo, b + lo
        if sign is None or start <= a < end:
            continue
        distance = (start - b, 0) if b <= start else (max(0, a - end), 1)
        if best is None or distance < best[0]:
            best = (distance, sign)
    return best[1] if best else 0


_WORD = re.compile(r"[\w'’]+")


def widen(m: Mention, text: str) -> Mention:
    """Take in the day or year the model left outside the span: "[12] March 2026",
    "Jan. 21[, 2026]" (it splits abbreviated and day-first dates)."""
    start, end = m.start, m.end
    words = m.text.split()
    if words and words[0].lower().rstrip(".") in MONTHS and not re.match(r"\d", m.text):
        before = _DAY_BEFORE.search(text, max(0, start - 6), start)
        if before and 1 <= int(before.group(1)) <= 31 and "\n" not in text[before.start() : start]:
            start = before.start()
    if _DAY_END.search(m.text) and not re.search(r"(?:19|20)\d\d", m.text):
        after = _YEAR_AFTER.match(text, end)
        if after and "\n" not in after.group(0):
            end = after.end()
    if (start, end) == (m.start, m.end):
        return m
    return Mention(m.label, text[start:end], start, end, m.known, m.canonical)


def _drop_contained(mentions: list[Mention]) -> list[Mention]:
    """In text order, without the pieces a widened span swallowed ("2026" of "Jan. 21, 2026")."""
    out: list[Mention] = []
    reach = -1
    for m in sorted(mentions, key=lambda m: (m.start, -m.end)):
        if m.end <= reach:
            continue
        out.append(m)
        reach = max(reach, m.end)
    return out


def _dateline(mentions: list[Mention], vocab: Vocab) -> dt.date | None:
    """A plain text has no publication date field, but wire and trade copy open with one
    ("SYDNEY, 18 February 2026 —", a date line under the headline): the first full date
    with its year written near the top stands in for it."""
    for m in mentions:
        if m.start > DATELINE_CHARS:
            break
        dv = dates.normalise(m.text.strip(), vocab=vocab)
        if dv and dv.value and not dv.inferred and re.fullmatch(r"\d{4}-\d{2}-\d{2}", dv.value):
            return dt.date.fromisoformat(dv.value)
    return None


def _on_copyright_line(text: str, pos: int, judged: dict[int, bool]) -> bool:
    """ "© 2026 Site Name. All rights reserved.": page furniture, whatever it names.
    ``judged`` keeps the verdict of each line start, so a line is read once however
    many dates it holds."""
    lo = text.rfind("\n", 0, pos) + 1
    if lo not in judged:
        hi = text.find("\n", pos)
        judged[lo] = _COPYRIGHT_LINE.search(text, lo, hi if hi >= 0 else len(text)) is not None
    return judged[lo]


def _copyright_year(text: str) -> int | None:
    years = [int(y) for y in _COPYRIGHT_YEAR.findall(text) if 1900 < int(y) < 2200]
    return max(years) if years else None


def _month_of(surface: str) -> int | None:
    for w in re.findall(r"[A-Za-z]+", surface):
        if w.lower() in MONTHS:
            return MONTHS[w.lower()]
    return None


# -- the year of a yearless date in a text without a publication date ---------------------------


def explicit_years(text: str, *, vocab: Vocab | None = None) -> list[tuple[int, int, int, bool]]:
    """Every explicit year of ``text`` as (start, end, year, is_target), quantities left
    out. Worked out once per document and handed to :func:`nearest_year` for each of its
    dates, since a long article can hold hundreds of yearless dates."""
    units = phrases(vocab or default_vocab()).units
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


_YEAR = re.compile(r"(?<![\d$€£¥.,:/])(?<!\d[.,])(?:19|20)\d\d(?!\d|[.,]\d|%|[:/]\d)")
_TARGET_BEFORE = re.compile(r"\b(?:for|by|until|till|through|towards?|beyond|before)\s+(?:the\s+)?$", re.I)


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
    m = re.match(r"\s*(\d{4}-\d{2}-\d{2})", value or "")
    try:
        return dt.date.fromisoformat(m[1]) if m else None
    except ValueError:
        return None
