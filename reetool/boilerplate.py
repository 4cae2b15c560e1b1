"""Site furniture removal: share buttons, comment widgets, "(opens in a new tab)"...

The patterns are data (``vocab/boilerplate.tsv``), not code, so users can add their
own sites' furniture. Three kinds of rule, all case-insensitive regular expressions:

- ``line``: drop a line that this pattern matches *in full* (after trimming). Full
  matches are what keeps article text safe: "Share this:" is furniture, "Investors
  share the view that..." is not.
- ``inline``: cut every match out of a line, tidying the space around the cut.
- ``widget``: words such as "Moderator" or "Reply" that are furniture only inside a
  widget: the line is dropped when it fully matches *and* sits next to (blank lines
  aside) a line dropped by a ``line`` rule or by another widget line.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from reetool.vocab import Vocab

VOCAB_FILE = "boilerplate.tsv"
KINDS = ("line", "inline", "widget")
# Characters after which a cut leaves no space ("Liping (opens in a new tab), Director").
_NO_SPACE_BEFORE = frozenset(",.;:!?)]}”’»")
_NO_SPACE_AFTER = frozenset("([{“‘«")
_MAX_PASSES = 20
_BULLET = re.compile(r"^(?:[-*•·]|\d{1,3}[.)])\s+")


@dataclass(frozen=True, slots=True)
class FurnitureRules:
    """Compiled rules; one alternation per kind so a line is tested once per kind."""

    line: re.Pattern[str] | None = None
    inline: re.Pattern[str] | None = None
    widget: re.Pattern[str] | None = None


def load(vocab: Vocab) -> FurnitureRules:
    """Compile the ``boilerplate.tsv`` rows of every vocab folder.

    Raises ``ValueError`` naming the bad row, so a user's typo in their own vocab is
    reported instead of silently ignored.
    """
    by_kind: dict[str, list[str]] = {k: [] for k in KINDS}
    for row in vocab.rows(VOCAB_FILE):
        kind, pattern = row.get("kind", ""), row.get("pattern", "")
        if kind not in by_kind:
            raise ValueError(f"{VOCAB_FILE}: unknown kind {kind!r} (expected one of {', '.join(KINDS)})")
        if not pattern:
            raise ValueError(f"{VOCAB_FILE}: empty pattern for kind {kind!r}")
        try:
            re.compile(pattern)
        except re.error as exc:
            raise ValueError(f"{VOCAB_FILE}: bad pattern {pattern!r}: {exc}") from None
        by_kind[kind].append(pattern)
    return FurnitureRules(**{k: _alternation(v) for k, v in by_kind.items()})


def _alternation(patterns: list[str]) -> re.Pattern[str] | None:
    if not patterns:
        return None
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)


def remove(text: str, rules: FurnitureRules) -> tuple[str, dict[str, int]]:
    """``text`` without furniture, and counts: ``inline_furniture``, ``boilerplate_line``.

    Lines keep their order and blank lines stay (whitespace normalisation is the
    caller's job), so removing furniture never merges two paragraphs.
    """
    fixes: Counter[str] = Counter()
    lines = text.split("\n")
    drop = [False] * len(lines)
    for i, line in enumerate(lines):
        if _full(rules.line, line):
            drop[i] = True  # whole-line furniture first: "Click to share (Opens in new window)"
            continue
        if rules.inline is None:
            continue
        new, n = _cut_inline(line, rules.inline)
        if n:
            fixes["inline_furniture"] += n
            lines[i] = new if new.strip() else ""
            drop[i] = _full(rules.line, new)
    if rules.widget is not None:
        _mark_widgets(lines, drop, rules.widget)
    kept = [line for line, d in zip(lines, drop, strict=True) if not d]
    dropped = len(lines) - len(kept)
    if dropped:
        fixes["boilerplate_line"] += dropped
    return "\n".join(kept), dict(fixes)


def _full(pattern: re.Pattern[str] | None, line: str) -> bool:
    """Whether the line, trimmed and without a list bullet, is all furniture.

    Share buttons are usually a ``<ul>``, so they reach us as ``- Share on X``.
    """
    stripped = line.strip()
    if pattern is None or not stripped:
        return False
    return bool(pattern.fullmatch(_BULLET.sub("", stripped, count=1)))


def _mark_widgets(lines: list[str], drop: list[bool], widget: re.Pattern[str]) -> None:
    """Drop widget-word lines whose run of non-blank neighbours touches furniture.

    A forward and a backward pass over the non-blank lines reach every run of
    widget words that touches a dropped line, whichever side it is on.
    """
    idx = [i for i, line in enumerate(lines) if line.strip()]
    candidate = {i for i in idx if _full(widget, lines[i])}
    if not candidate:
        return
    for order in (idx, idx[::-1]):
        prev_dropped = False
        for i in order:
            if i in candidate and prev_dropped:
                drop[i] = True
            prev_dropped = drop[i]


def _cut_inline(line: str, pattern: re.Pattern[str]) -> tuple[str, int]:
    """Cut matches until none is left (a cut can join text into a new match)."""
    total = 0
    for _ in range(_MAX_PASSES):
        out: list[str] = []
        pos = 0
        n = 0
        for m in pattern.finditer(line):
            if m.end() == m.start():
                continue
            n += 1
            before = line[pos : m.start()].rstrip(" \t")
            had_space = len(before) < m.start() - pos or line[m.end() : m.end() + 1] in (" ", "\t")
            out.append(before)
            pos = m.end()
            while pos < len(line) and line[pos] in " \t":
                pos += 1
            prev = "".join(out)[-1:]
            nxt = line[pos : pos + 1]
            if had_space and prev and nxt and nxt not in _NO_SPACE_BEFORE and prev not in _NO_SPACE_AFTER:
                out.append(" ")
        if not n:
            break
        out.append(line[pos:])
        line = "".join(out)
        total += n
    return line, total
