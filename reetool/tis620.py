"""UTF-8 read as TIS-620 (Thai): the mojibake no library repairs, undone here.

``s.encode("utf-8").decode("tis-620", errors="ignore")`` turns ``’`` into ``โ\\x80\\x99``; the
seeds went one step further and also lost the C1 controls, leaving only ``โ``.  With the C1
controls kept, the damage is an exact inverse (bar byte 0xA0, which TIS-620 lacks); without
them the lost bytes must be inferred, from the characters around the damage (an apostrophe
inside a word, an en dash between numbers, opening or closing quotes...).

The tables are derived from the codec itself at import time: for every character in
U+00A0–U+07FF and U+2000–U+2BFF we compute its damaged form with and without C1 controls, and
keep the plausible candidates per form.  A damaged run is replaced only when every token in it
has a candidate, the run could not be Thai where it stands (glued to Latin letters or digits,
or decoding to punctuation/symbols), and the text around it is mostly Latin script.  That is
what keeps genuine Thai text untouched.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Mapping
from types import MappingProxyType

from reetool.date_vocab import MONTHS, WEEKDAYS

__all__ = ["repair_tis620"]

_C1 = re.compile("[\x80-\x9f]")
_REPAIR_RANGES = (range(0x00A0, 0x0800), range(0x2000, 0x2C00))

# When a damaged form fits several characters, the first one listed here wins: the symbols a
# news text actually uses.  Beyond this list, General Punctuation (U+2000–U+206F) is preferred.
_PRIORITY = "…•€™‰′″‹›‡†≤≥≈≠−×÷→←↑↓↔⇒∞√±°©®£¥¢§¶µ½¼¾²³¹"
_PRIORITY_RANK = {c: i for i, c in enumerate(_PRIORITY)}


def _plausible(ch: str) -> bool:
    """Characters that can appear in text; controls, marks and odd spaces are never restored."""
    if ch == "\xa0":
        return True
    return unicodedata.category(ch)[0] not in "CMZ"


def _pick(cands: set[str]) -> str | None:
    if len(cands) == 1:
        return next(iter(cands))
    ranked = sorted((_PRIORITY_RANK[c], c) for c in cands if c in _PRIORITY_RANK)
    if ranked:
        return ranked[0][1]
    punct = sorted(c for c in cands if "\u2000" <= c <= "\u206f")
    return punct[0] if punct else None


def _build_tables() -> tuple[Mapping[str, str], Mapping[str, str], Mapping[str, int]]:
    """Damaged form -> best character, for C1-kept and C1-stripped damage; lead -> seq length."""
    kept: dict[str, set[str]] = {}
    stripped: dict[str, set[str]] = {}
    for rng in _REPAIR_RANGES:
        for cp in rng:
            ch = chr(cp)
            if not _plausible(ch):
                continue
            form = ch.encode("utf-8").decode("tis-620", errors="ignore")
            if not form:
                continue
            kept.setdefault(form, set()).add(ch)
            bare = _C1.sub("", form)
            if bare:
                stripped.setdefault(bare, set()).add(ch)
    leads: dict[str, int] = {}
    for byte in range(0xC2, 0xF0):
        ch = bytes([byte]).decode("tis-620", errors="ignore")
        if ch:
            leads[ch] = 2 if byte < 0xE0 else 3

    def resolve(table: dict[str, set[str]]) -> Mapping[str, str]:
        out = {form: _pick(cands) for form, cands in table.items()}
        return MappingProxyType({f: c for f, c in out.items() if c is not None})

    return resolve(kept), resolve(stripped), MappingProxyType(leads)


_KEPT, _STRIPPED, _LEADS = _build_tables()

# Thai characters that only ever stand for a UTF-8 continuation byte (0xA1–0xBF).
_CONT_THAI = frozenset(chr(c) for c in range(0x0E01, 0x0E20))
_RUN = re.compile("[\u0e00-\u0e7f\x80-\x9f]+")
_THAI = re.compile("[\u0e00-\u0e7f]")
_THAI_C1 = re.compile("[\u0e00-\u0e7f][\x80-\x9f]")
_LATIN_LETTER = re.compile("[A-Za-z\u00c0-\u024f]")
_WINDOW = 100
_CONTEXT = 400

# Forms that lost every distinguishing byte: the character comes from context.
_LONE_E2 = "\u0e42"  # "โ": ‘ ’ “ ” – — → ...
_BULLET_TM = "\u0e42\u0e02"  # "โข": • or ™
_LONE_C3 = "\u0e23"  # "ร": À–ß or à
_CONTEXT_FORMS = frozenset({_LONE_E2, _BULLET_TM, _LONE_C3})

_CONTRACTIONS = frozenset({"s", "t", "d", "m", "ll", "re", "ve"})
_ELISION_PREFIXES = frozenset({"O", "D", "L", "d", "l"})
_OPENERS = frozenset("([{/\u2014\u2013\u201c\u2018\"'")
# Words between which a lost dash is an en dash: "March–May", "Monday–Friday".
_RANGE_WORDS = frozenset(MONTHS) | frozenset(WEEKDAYS)


def _word_before(text: str, i: int) -> str:
    j = i
    while j > 0 and text[j - 1].isalpha():
        j -= 1
    return text[j:i]


def _word_after(text: str, i: int) -> str:
    j = i
    while j < len(text) and text[j].isalpha():
        j += 1
    return text[i:j]


def _token_before(text: str, i: int) -> str:
    j = i
    while j > 0 and not text[j - 1].isspace():
        j -= 1
    return text[j:i]


def _token_after(text: str, i: int) -> str:
    j = i
    while j < len(text) and not text[j].isspace():
        j += 1
    return text[i:j]


def _has_digit(s: str) -> bool:
    return any(c.isdigit() for c in s)


class _Quotes:
    """Open/closed state of double and single quotes in the current paragraph."""

    __slots__ = ("double", "single")

    def __init__(self) -> None:
        self.double = False
        self.single = False

    def scan(self, text: str) -> None:
        nl = text.rfind("\n")
        if nl >= 0:
            self.double = self.single = False
            text = text[nl + 1 :]
        for i, c in enumerate(text):
            if c == "\u201c":
                self.double = True
            elif c == "\u201d":
                self.double = False
            elif c == "\u2018":
                self.single = True
            elif c == "\u2019" and self.single and not (i + 1 < len(text) and text[i + 1].isalpha()):
                self.single = False


def _lone_e2(out: str, after: str, quotes: _Quotes) -> tuple[str, str]:
    """Infer ‘ ’ “ ” – — → from the neighbours of a bare ``โ`` (out: text so far)."""
    p = out[-1] if out else ""
    n = after[0] if after else ""
    p_sp = p == "" or p.isspace()
    n_sp = n == "" or n.isspace()
    left, right = _token_before(out, len(out)), _token_after(after, 0)
    if not p_sp and not n_sp and _has_digit(left) and _has_digit(right):
        return "\u2013", "tis620_en_dash"  # 12–13, Q1–Q3, $10–$12
    lw, rw = _word_before(out, len(out)), _word_after(after, 0)
    if lw.lower() in _RANGE_WORDS and rw.lower() in _RANGE_WORDS:
        return "\u2013", "tis620_en_dash"  # January–March
    if not p_sp and 2 <= len(lw) <= 3 and lw.isupper() and rw[:1].isupper():
        return "\u2013", "tis620_en_dash"  # US–China, EU–Japan
    if p.isalnum() and n.isalpha():
        nxt = after[len(rw)] if len(rw) < len(after) else ""
        if rw.lower() in _CONTRACTIONS and not nxt.isalpha():
            return "\u2019", "tis620_apostrophe"
        if lw in _ELISION_PREFIXES and (n.isupper() or n in "aeiouhAEIOUH"):
            return "\u2019", "tis620_apostrophe"
        return "\u2014", "tis620_em_dash"
    if p_sp and n_sp:
        line = out[out.rfind("\n") + 1 :]
        if n in ("\n", "") and line.strip():
            return "\u2192", "tis620_arrow"  # "Read more โ" at the end of a line
        if left[-1:].isdigit() and right[:1].isdigit():
            return "\u2013", "tis620_en_dash"  # 2010 – 2015
        return "\u2014", "tis620_em_dash"
    if (p_sp or p in _OPENERS) and not n_sp:
        if n.isdigit() and re.match(r"\d\ds\b", after):
            return "\u2019", "tis620_apostrophe"
        if quotes.double:
            quotes.single = True
            return "\u2018", "tis620_single_quote_open"
        quotes.double = True
        return "\u201c", "tis620_double_quote_open"
    # Closing position: after a word or punctuation, before space/punctuation/end.
    if quotes.single and quotes.double:
        quotes.single = False
        return "\u2019", "tis620_single_quote_close"
    if quotes.double:
        quotes.double = False
        return "\u201d", "tis620_double_quote_close"
    if quotes.single:
        quotes.single = False
        return "\u2019", "tis620_single_quote_close"
    if p in "sS":
        return "\u2019", "tis620_apostrophe"
    return "\u201d", "tis620_double_quote_close"


def _bullet_or_tm(out: str, after: str) -> tuple[str, str]:
    """``โข`` is • at a line start or between spaces, ™ glued to (or right after) a name."""
    line = out[out.rfind("\n") + 1 :]
    if not line.strip():
        return "\u2022", "tis620_bullet"
    p = out[-1]
    n = after[0] if after else ""
    if not p.isspace():
        return "\u2122", "tis620_trademark"
    if n == "" or n.isspace():
        return "\u2022", "tis620_bullet"
    word = _token_before(out, len(out) - 1)
    if word[:1].isupper():
        return "\u2122", "tis620_trademark"
    return "\u2022", "tis620_bullet"


def _lone_c3(out: str, after: str) -> tuple[str, str]:
    """A bare ``ร`` is an accented capital (or ß/à) whose second byte was lost."""
    p = out[-1] if out else ""
    n = after[0] if after else ""
    if p.isalpha() and n.isalpha():
        if p.isupper() and n.isupper():
            return "\u00c9", "tis620_letter"
        return "\u00df", "tis620_letter"
    if p.isalpha():
        return "\u00e0", "tis620_letter"
    if n.isalpha():
        return "\u00c9", "tis620_letter"
    return "\u00e0", "tis620_letter"


def _tokens(run: str) -> list[str] | None:
    """Split a run into damaged UTF-8 sequences (lead + surviving continuations), or None."""
    toks: list[str] = []
    i = 0
    while i < len(run):
        need = _LEADS.get(run[i])
        if need is None:
            return None
        j = i + 1
        while j < len(run) and j - i < need and (run[j] in _CONT_THAI or "\x80" <= run[j] <= "\x9f"):
            j += 1
        toks.append(run[i:j])
        i = j
    return toks


def _decode_run(
    run: str, out: str, after: str, table: Mapping[str, str], stripped: bool, quotes: _Quotes
) -> tuple[str, list[str]] | None:
    toks = _tokens(run)
    if toks is None:
        return None
    pieces: list[str] = []
    names: list[str] = []
    for k, tok in enumerate(toks):
        rest = "".join(toks[k + 1 :]) + after
        sofar = out + "".join(pieces)
        if stripped and tok == _LONE_E2:
            ch, name = _lone_e2(sofar, rest, quotes)
        elif stripped and tok == _BULLET_TM:
            ch, name = _bullet_or_tm(sofar, rest)
        elif stripped and tok == _LONE_C3:
            ch, name = _lone_c3(sofar, rest)
        else:
            found = table.get(tok)
            if found is None:
                return None
            ch = found
            name = "tis620_two_byte" if _LEADS[tok[0]] == 2 else "tis620_three_byte"
        pieces.append(ch)
        names.append(name)
    return "".join(pieces), names


def _glued(c: str) -> bool:
    return c.isalnum() and not ("\u0e00" <= c <= "\u0e7f")


def _has_glued_damage(text: str, table: Mapping[str, str]) -> bool:
    """Is there a run glued to a Latin letter or digit that parses as damage ("Chinaโs")?"""
    for m in _RUN.finditer(text):
        start, end = m.span()
        before = text[start - 1] if start else ""
        after = text[end] if end < len(text) else ""
        if not (_glued(before) or _glued(after)) or not _THAI.search(m.group()):
            continue
        toks = _tokens(m.group())
        if toks and all(t in table or t in _CONTEXT_FORMS for t in toks):
            return True
    return False


def _tis620_pass(text: str, fixes: Counter[str]) -> str:
    """One left-to-right pass over the Thai runs of ``text``."""
    stripped = not _THAI_C1.search(text)
    table = _STRIPPED if stripped else _KEPT
    quotes = _Quotes()
    out: list[str] = []
    tail = ""  # the last _CONTEXT characters of the output: what context rules look at
    evidence: bool | None = None  # does the text hold damage glued to Latin words? (lazy)
    pos = 0
    for m in _RUN.finditer(text):
        start, end = m.span()
        run = m.group()
        if not _THAI.search(run):
            continue
        # C1 controls inside a Thai run never occur in real Thai: that run is damage for sure.
        certain = not stripped and _C1.search(run) is not None
        lo, hi = max(0, start - _WINDOW), min(len(text), end + _WINDOW)
        window = text[lo:start] + text[end:hi]
        if not certain and len(_LATIN_LETTER.findall(window)) <= len(_THAI.findall(text, lo, hi)):
            continue
        gap = text[pos:start]
        quotes.scan(gap)
        out.append(gap)
        tail = (tail + gap[-_CONTEXT:])[-_CONTEXT:]
        saved = (quotes.double, quotes.single)
        decoded = _decode_run(run, tail, text[end : end + _CONTEXT], table, stripped, quotes)
        before = text[start - 1] if start else ""
        after = text[end] if end < len(text) else ""
        ok = decoded is not None
        if decoded is not None and not certain and not (_glued(before) or _glued(after)):
            # Standing alone it could be a Thai word ("โข" is one): replace it only by symbols or
            # punctuation, and only in a text that shows damage glued to Latin words elsewhere.
            ok = not any(c.isalnum() for c in decoded[0] if c != "\u00e0")
            if ok and evidence is None:
                evidence = _has_glued_damage(text, table)
            ok = ok and bool(evidence)
        piece = decoded[0] if ok and decoded is not None else run
        if ok and decoded is not None:
            fixes.update(decoded[1])
        else:
            quotes.double, quotes.single = saved
        out.append(piece)
        tail = (tail + piece)[-_CONTEXT:]
        pos = end
    if pos == 0:
        return text
    out.append(text[pos:])
    return "".join(out)


def repair_tis620(text: str, fixes: Counter[str]) -> str:
    # Repeat until stable: a repaired run can tip the Latin/Thai balance of a neighbour's window.
    for _ in range(4):
        if not _THAI.search(text):
            break
        new = _tis620_pass(text, fixes)
        if new == text:
            break
        text = new
    return text
