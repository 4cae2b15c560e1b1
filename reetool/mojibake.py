"""Mojibake repair: the TIS-620 damage no library fixes (:mod:`reetool.tis620`), then ftfy
for the common kinds.

Two kinds of damage reach us:

* UTF-8 read as Windows-1252/Latin-1 (``Chinaâ€™s``).  ftfy is the well-kept tool for it, so we
  only pick its settings: everything on except ``uncurl_quotes`` (users want ``China’s`` kept),
  and call it only on the segments it would change (the clean-text fast path below).
* UTF-8 read as TIS-620 (Thai), the seeds' damage: see :mod:`reetool.tis620`.

Every change is counted by the name of the fix, for the document's ``fixes``.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

import ftfy
from ftfy import chardata
from ftfy.badness import BADNESS_RE

from reetool.tis620 import repair_tis620

__all__ = ["FTFY_CONFIG", "fix_text", "repair"]

#: ftfy's defaults, except quotes stay curly: "China’s" is what a careful human types.
FTFY_CONFIG = ftfy.TextFixerConfig(uncurl_quotes=False, explain=True)


def _char_class(codepoints: set[int]) -> str:
    """A regex character class for a set of code points, as ranges."""
    parts: list[str] = []
    cps = sorted(codepoints)
    i = 0
    while i < len(cps):
        j = i
        while j + 1 < len(cps) and cps[j + 1] == cps[j] + 1:
            j += 1
        lo, hi = re.escape(chr(cps[i])), re.escape(chr(cps[j]))
        parts.append(lo if i == j else f"{lo}-{hi}")
        i = j + 1
    return "[" + "".join(parts) + "]"


# Characters that some ftfy fixer other than fix_encoding acts on (ftfy's own tables, so the
# list follows the library): C1 and other controls, ligatures, width forms, odd line breaks,
# surrogates, terminal escapes.  A segment without them, without HTML entities, already NFC and not
# ``is_bad`` is left unchanged by ftfy, so ftfy is not called for it: the clean-text fast path.
_FTFY_TRIGGERS = re.compile(
    _char_class(
        set(chardata.CONTROL_CHARS)
        | set(chardata.LIGATURES)
        | set(chardata.WIDTH_MAP)
        | set(range(0x80, 0xA0))
        | set(range(0xD800, 0xE000))
        | {0x0D, 0x1B, 0x2028, 0x2029}
    )
)


_NON_ASCII = re.compile("[^\x00-\x7f]+")
# Every alternative of ftfy's BADNESS_RE contains a non-ASCII character and is at most 7
# characters long, so searching +-8 characters around the non-ASCII runs finds what a full
# ``is_bad`` search would, at a fraction of the cost on long clean texts.
_BAD_REACH = 8


def _maybe_bad(text: str) -> bool:
    end = -1
    for m in _NON_ASCII.finditer(text):
        lo, hi = max(m.start() - _BAD_REACH, end), m.end() + _BAD_REACH
        if BADNESS_RE.search(text, lo, hi):
            return True
        end = m.end()
    return False


def _ftfy_would_change(text: str) -> bool:
    return bool(
        _FTFY_TRIGGERS.search(text)
        or ("&" in text and chardata.HTML_ENTITY_RE.search(text))
        or not unicodedata.is_normalized("NFC", text)
        or _maybe_bad(text)
    )


def _step_name(action: str, param: str) -> str:
    return f"ftfy:{param}" if action == "apply" else f"ftfy:{action}:{param}"


def _repair_ftfy(text: str, fixes: Counter[str]) -> str:
    """ftfy's fix_text, segment by segment as it does, but keeping each segment's explanation."""
    if not _ftfy_would_change(text):
        return text
    config = FTFY_CONFIG
    out: list[str] = []
    pos = 0
    while pos < len(text):
        brk = text.find("\n", pos) + 1 or len(text)
        brk = min(brk, pos + config.max_decode_length)
        segment = text[pos:brk]
        if config.unescape_html == "auto" and "<" in segment:
            config = config._replace(unescape_html=False)
        if not _ftfy_would_change(segment):
            out.append(segment)
            pos = brk
            continue
        fixed, steps = ftfy.fix_and_explain(segment, config)
        for action, param in steps or ():
            fixes[_step_name(action, param)] += 1
        out.append(fixed)
        pos = brk
    return "".join(out)


_QUICK_CLEAN = re.compile("[^\t\n\x20-\x25\x27-\x7e]")


def repair(text: str) -> tuple[str, dict[str, int]]:
    """Return ``text`` with mojibake repaired and how often each named fix was applied."""
    if not _QUICK_CLEAN.search(text):
        return text, {}
    fixes: Counter[str] = Counter()
    for _ in range(3):
        new = _repair_ftfy(repair_tis620(text, fixes), fixes)
        if new == text:
            break
        text = new
    return text, dict(fixes)


def fix_text(text: str) -> str:
    """``repair`` without the accounting."""
    return repair(text)[0]
