"""Mojibake repair: ftfy for the common kinds, plus the TIS-620 damage no library fixes.

FIRST DRAFT: to be completed.
"""

from __future__ import annotations

from collections import Counter

import ftfy


def repair(text: str) -> tuple[str, dict[str, int]]:
    fixes: Counter[str] = Counter()
    try:
        damaged = text.encode("tis-620")
        fixed = damaged.decode("utf-8", errors="ignore")
    except UnicodeError:
        fixed = text
    if fixed != text:
        fixes["tis620"] += 1
    out = ftfy.fix_text(fixed)
    if out != fixed:
        fixes["ftfy"] += 1
    return out, dict(fixes)


def fix_text(text: str) -> str:
    return repair(text)[0]
