"""Timeline stage: how often entities come up per month, quarter or year of publication.

Counts are per merged entity (:mod:`reetool.entity_docs`), so a timeline agrees with
``reetool entities``. Documents without a usable publication date are never dropped:
each series keeps an ``undated`` count and the timeline says how many documents had no
date. Periods run without gaps from the first to the last dated document of the store
(a month nobody wrote about is a zero, which is what a chart should show).

Everything is read from counts the store keeps per written name and month as it is
written (a few rows per name of a chosen entity), or on an older store from its
indexes (one row per name and document); never a document's text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from reetool.store import Store
    from reetool.vocab import Vocab

PERIODS = ("month", "quarter", "year")
MEASURES = ("mentions", "docs")
#: Publication dates as the store keeps them: ISO 8601, at least year and month.
_ISO_MONTH = re.compile(r"^(\d{4})-(\d{2})")


def period_of(published: str | None, by: str) -> str | None:
    """``2025-03``, ``2025-Q1`` or ``2025`` for an ISO date; ``None`` when there is none."""
    m = _ISO_MONTH.match(published or "")
    if m is None or not 1 <= int(m.group(2)) <= 12:
        return None
    year, month = m.group(1), int(m.group(2))
    if by == "year":
        return year
    if by == "quarter":
        return f"{year}-Q{(month - 1) // 3 + 1}"
    return f"{year}-{month:02d}"


def periods_between(first: str, last: str, by: str) -> list[str]:
    """Every period from ``first`` to ``last`` inclusive (both as :func:`period_of` makes them)."""
    step = {"month": 12, "quarter": 4, "year": 1}[by]

    def index(p: str) -> int:
        year = int(p[:4])
        if by == "year":
            return year
        sub = int(p[6:]) if by == "quarter" else int(p[5:7])
        return year * step + sub - 1

    def name(i: int) -> str:
        if by == "year":
            return str(i)
        year, sub = divmod(i, step)
        return f"{year}-Q{sub + 1}" if by == "quarter" else f"{year}-{sub + 1:02d}"

    return [name(i) for i in range(index(first), index(last) + 1)]


@dataclass(slots=True)
class Series:
    """One entity's counts per period, and those of its undated documents."""

    entity: str
    label: str
    counts: dict[str, int] = field(default_factory=dict)
    undated: int = 0

    @property
    def total(self) -> int:
        return sum(self.counts.values()) + self.undated


@dataclass(slots=True)
class Timeline:
    by: str
    measure: str
    periods: list[str]
    series: list[Series]
    documents: int
    undated_documents: int

    def records(self) -> Iterator[dict[str, Any]]:
        """One record per entity and period (zeros included), then one per entity with
        ``period: null`` for its undated documents when it has any."""
        for s in self.series:
            for p in self.periods:
                yield self._record(s, p, s.counts.get(p, 0))
            if s.undated:
                yield self._record(s, None, s.undated)

    def _record(self, s: Series, period: str | None, n: int) -> dict[str, Any]:
        return {"entity": s.entity, "label": s.label, "period": period, self.measure: n}


def build_timeline(
    store: Store,
    *,
    by: str = "month",
    label: str | None = "ELEMENT",
    names: Sequence[str] = (),
    measure: str = "mentions",
    limit: int = 8,
    since: str | None = None,
    until: str | None = None,
    vocab: Vocab | None = None,
) -> Timeline:
    """The timeline of the ``limit`` most mentioned entities of ``label``, or of the
    entities called ``names`` (of ``label`` if given, else of any label but DATE).

    ``since``/``until`` (ISO dates, inclusive, compared by period) narrow the periods;
    undated documents stay counted apart. Raises :class:`reetool.entity_docs.UnknownEntity`
    for a name that is not in the store.
    """
    from reetool.entity_docs import MergedEntities, month_span  # the name index: not for --since checks
    from reetool.labels import LABELS

    if by not in PERIODS:
        raise ValueError(f"period must be one of {', '.join(PERIODS)}, not {by!r}")
    if measure not in MEASURES:
        raise ValueError(f"measure must be one of {', '.join(MEASURES)}, not {measure!r}")
    label = label.upper() if label else None
    # A name without a label is looked for among every label but DATE: a date is not an
    # entity one follows over time, and dates are the most numerous names to merge.
    merged = MergedEntities(store, [label] if label else [lb for lb in LABELS if lb != "DATE"], vocab)
    chosen = merged.require(names, label) if names else merged.top(store, label or "ELEMENT", limit)
    first_month, last_month, documents, undated_docs = month_span(store)
    low = period_of(_month(since, "01"), by) if since else None
    high = period_of(_month(until, "12"), by) if until else None
    periods: list[str] = []
    if first_month:
        first, last = str(period_of(first_month, by)), str(period_of(last_month, by))
        first, last = max(first, low or first), min(last, high or last)
        periods = periods_between(first, last, by) if first <= last else []
    inside = set(periods)
    series = []
    for item in chosen:
        s = Series(item.canonical, item.label)
        for month, n in item.per_month(store, measure):
            p = period_of(month, by)
            if p is None:
                s.undated += n
            elif p in inside:
                s.counts[p] = s.counts.get(p, 0) + n
        series.append(s)
    return Timeline(by, measure, periods, series, documents, undated_docs)


#: What ``--since``/``--until`` accept: an ISO date, or its year or year and month.
DATE_LIMIT = re.compile(r"^\d{4}(-(0[1-9]|1[0-2])(-\d{2}([T ].*)?)?)?$")


def _month(limit: str, default: str) -> str:
    """A date limit with at least a month: a bare year means its first or last month."""
    return limit if len(limit) > 4 else f"{limit}-{default}"


SPARKS = "▁▂▃▄▅▆▇█"


def sparkline(values: Iterable[int], top: int) -> str:
    """One character per value, scaled to ``top``; a zero is a space so gaps show."""
    out = []
    for v in values:
        if v <= 0 or top <= 0:
            out.append(" ")
        else:
            out.append(SPARKS[min(len(SPARKS) - 1, (v * len(SPARKS) - 1) // top)])
    return "".join(out)
