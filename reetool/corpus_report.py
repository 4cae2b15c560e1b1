"""The corpus report: one standalone HTML page to look at, for a briefing or an e-mail.

What is on it: the corpus in numbers; the most mentioned people, organizations and
elements, each with the documents it comes from; the element timeline and an
element-by-month heat map. Charts are inline SVG drawn here, so the page makes no
network request and needs no script: it carries the same Content-Security-Policy as
``reetool show --html`` (:func:`reetool.html_page.page`), and every piece of text from
the corpus passes through :func:`html.escape`. Each listed document links to its own
``show`` page, written next to the report in ``<name>_docs/``.

Counting goes through the same stages as the commands (:mod:`reetool.entity_docs`,
:mod:`reetool.timeline`), so the page and ``reetool entities``/``timeline`` agree.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from html import escape
from pathlib import Path

from reetool.entity_docs import EntityDocs, MergedEntities
from reetool.html_page import page, render
from reetool.labels import color as label_color
from reetool.store import Store
from reetool.timeline import Timeline, build_timeline, period_of
from reetool.vocab import Vocab

#: The sections of top entities, in page order.
SECTIONS = (("PERSON", "People"), ("ORG", "Organizations"), ("ELEMENT", "Elements"))
#: Line colours for the element timeline (colour-blind safe, Okabe-Ito).
LINE_COLORS = ("#0072b2", "#e69f00", "#009e73", "#cc79a7", "#d55e00", "#56b4e9", "#000000", "#f0e442")


@dataclass(slots=True)
class DocInfo:
    doc: str
    title: str | None
    published: str | None


@dataclass(slots=True)
class TopEntity:
    """One row of a top-entities table: counts, dates and the documents linked."""

    name: str
    aliases: list[str]
    mentions: int
    docs: int
    first: str | None
    last: str | None
    linked: list[int]


@dataclass(slots=True)
class ReportData:
    """Everything the page shows, gathered from one store."""

    documents: int
    dated: int
    first: str | None
    last: str | None
    mentions: dict[str, int]
    entities: dict[str, int]
    top: dict[str, list[TopEntity]]
    timeline: Timeline
    heat: Timeline
    docs: dict[int, DocInfo] = field(default_factory=dict)

    def linked(self) -> list[int]:
        """Ids of the documents the page links to, in a stable order."""
        return sorted({i for rows in self.top.values() for row in rows for i in row.linked})


def gather(
    store: Store, *, top: int = 10, docs_per_entity: int = 8, lines: int = 6, vocab: Vocab | None = None
) -> ReportData:
    """Read what the report shows; only the linked documents' texts are read later."""
    vocab = vocab or Vocab.load()
    conn = store.conn
    docs = {
        i: DocInfo(store.shown(doc), title, published)
        for i, doc, title, published in conn.execute("SELECT id, doc, title, published FROM documents")
    }
    dates = sorted(p for d in docs.values() if (p := d.published) and period_of(p, "month"))
    mentions = dict(conn.execute("SELECT label, count(*) FROM mentions GROUP BY label ORDER BY label"))
    merged = MergedEntities(store, [label for label, _ in SECTIONS], vocab)
    counts: dict[str, int] = {}
    for item in merged.items:
        counts[item.label] = counts.get(item.label, 0) + 1

    def row(item: EntityDocs) -> TopEntity:
        ids = item.doc_ids(store)
        dated = sorted(p for i in ids if (p := docs[i].published) and period_of(p, "month"))
        newest = sorted(ids, key=lambda i: (docs[i].published or "", docs[i].doc), reverse=True)
        return TopEntity(
            item.canonical,
            item.entity.aliases,
            item.entity.mentions,
            len(ids),
            dated[0] if dated else None,
            dated[-1] if dated else None,
            newest[:docs_per_entity],
        )

    tops = {label: [row(e) for e in merged.top(store, label, top)] for label, _ in SECTIONS}
    heat = build_timeline(store, by="month", label="ELEMENT", limit=10_000, vocab=vocab)  # every element
    timeline = replace(heat, series=heat.series[:lines])  # the most mentioned, same order
    return ReportData(
        documents=len(docs),
        dated=len(dates),
        first=dates[0][:10] if dates else None,
        last=dates[-1][:10] if dates else None,
        mentions=mentions,
        entities=counts,
        top=tops,
        timeline=timeline,
        heat=heat,
        docs=docs,
    )


def write_report(store: Store, path: Path, *, vocab: Vocab | None = None, top: int = 10) -> list[Path]:
    """Write the report to ``path`` and one ``show`` page per linked document into
    ``<stem>_docs/`` beside it; returns every file written, the report first."""
    data = gather(store, top=top, vocab=vocab)
    folder = path.with_name(path.stem + "_docs")
    written = []
    ids = data.linked()
    if ids:
        folder.mkdir(parents=True, exist_ok=True)
    for i in ids:
        extraction = store.get(data.docs[i].doc)
        if extraction is None:  # deleted since we counted
            continue
        target = folder / doc_page_name(i)
        target.write_text(render(extraction), encoding="utf-8")
        written.append(target)
    path.write_text(render_report(data, lambda i: f"{folder.name}/{doc_page_name(i)}"), encoding="utf-8")
    return [path, *written]


def doc_page_name(doc_id: int) -> str:
    return f"doc-{doc_id}.html"


# -- the page ------------------------------------------------------------------------------

_STYLE = """
body { font-family: -apple-system, BlinkMacSystemFont, "Segoe UI", Helvetica, Arial, sans-serif;
       max-width: 60rem; margin: 2rem auto; padding: 0 1rem; color: #222; }
h1 { font-size: 1.6rem; } h2 { font-size: 1.2rem; margin-top: 2rem; border-bottom: 1px solid #ddd; }
.counts { display: flex; flex-wrap: wrap; gap: 0.75rem; padding: 0; list-style: none; }
.counts li { background: #f4f4f4; border-radius: 0.4rem; padding: 0.5rem 0.8rem; }
.counts b { display: block; font-size: 1.3rem; }
table { border-collapse: collapse; width: 100%; font-size: 0.92rem; }
th, td { text-align: left; vertical-align: top; padding: 0.3rem 0.5rem; border-bottom: 1px solid #eee; }
td.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.docs a { display: block; overflow-wrap: anywhere; }
.muted { color: #666; font-size: 0.85rem; }
.label { border-radius: 0.3rem; padding: 0 0.3rem; font-size: 0.8rem; }
figure { margin: 1rem 0; }
svg { max-width: 100%; height: auto; font-family: inherit; }
svg text { font-size: 11px; fill: #333; }
a { color: #0b57a4; }
@media print {
  body { margin: 0; max-width: none; }
  a { color: inherit; text-decoration: none; }
  section, figure, tr { break-inside: avoid; }
}
"""


def render_report(data: ReportData, link: Callable[[int], str]) -> str:
    """The report as one string; ``link(doc_id)`` is the (relative) address of a document's page."""
    parts = ["<h1>Rare earth news: corpus report</h1>\n", _counts(data)]
    for label, heading in SECTIONS:
        parts.append(_top_section(label, heading, data, link))
    parts.append("<section>\n<h2>Elements over time</h2>\n")
    parts.append(_undated_note(data.timeline))
    parts.append(line_chart(data.timeline))
    parts.append("<h2>Element mentions by month</h2>\n")
    parts.append(heat_map(data.heat))
    parts.append("</section>\n")
    return page("reetool corpus report", _STYLE, "".join(parts))


def _counts(data: ReportData) -> str:
    items = [
        ("documents", data.documents),
        ("with a date", data.dated),
        ("undated", data.documents - data.dated),
    ]
    names = {"PERSON": "people", "ORG": "organizations", "ELEMENT": "elements"}
    items += [(f"{names[lb]} (merged)", data.entities.get(lb, 0)) for lb, _ in SECTIONS]
    items += [(f"{lb} mentions", n) for lb, n in data.mentions.items()]
    cells = "".join(f"<li><b>{n:,}</b>{escape(what)}</li>" for what, n in items)
    span = f"published {escape(data.first)} to {escape(data.last)}" if data.first and data.last else ""
    return f'<ul class="counts">{cells}</ul>\n<p class="muted">{span}</p>\n'


def _top_section(label: str, heading: str, data: ReportData, link: Callable[[int], str]) -> str:
    rows = data.top.get(label, [])
    color = label_color(label)
    badge = f'<span class="label" style="background:{color}">{escape(label)}</span>'
    out = [f"<section>\n<h2>{escape(heading)} {badge}</h2>\n"]
    if not rows:
        return out[0] + '<p class="muted">none found</p>\n</section>\n'
    out.append(
        "<table>\n<tr><th>name</th><th>mentions</th><th>docs</th><th>first</th><th>last</th><th>documents</th></tr>\n"
    )
    for ent in rows:
        links = "".join(
            f'<a href="{escape(link(i))}">{escape(data.docs[i].title or data.docs[i].doc)}</a>'
            for i in ent.linked
        )
        more = ent.docs - len(ent.linked)
        if more > 0:
            links += f'<span class="muted">and {more:,} more</span>'
        aliases = ", ".join(ent.aliases[:6])
        alias_line = f'<br><span class="muted">also {escape(aliases)}</span>' if aliases else ""
        out.append(
            f'<tr><td>{escape(ent.name)}{alias_line}</td><td class="n">{ent.mentions:,}</td>'
            f'<td class="n">{ent.docs:,}</td><td class="n">{_day(ent.first)}</td>'
            f'<td class="n">{_day(ent.last)}</td><td class="docs">{links}</td></tr>\n'
        )
    out.append("</table>\n</section>\n")
    return "".join(out)


def _undated_note(t: Timeline) -> str:
    if not t.undated_documents:
        return ""
    return (
        f'<p class="muted">{t.undated_documents:,} of {t.documents:,} documents have no publication date; '
        "their mentions are not in the charts.</p>\n"
    )


# -- charts (inline SVG) -------------------------------------------------------------------


def line_chart(t: Timeline, width: int = 760, height: int = 260) -> str:
    """Mentions per month, one line per element, with a legend; empty state if no dates."""
    if not t.periods or not t.series:
        return '<p class="muted">No dated element mentions to chart.</p>\n'
    left, right, top, bottom = 40, 150, 10, 30
    w, h = width - left - right, height - top - bottom
    peak = max((max(s.counts.values(), default=0) for s in t.series), default=0) or 1
    n = len(t.periods)

    def x(k: int) -> float:
        return left + (w * k / (n - 1) if n > 1 else w / 2)

    def y(v: int) -> float:
        return top + h - h * v / peak

    out = [_svg_open(width, height, "Element mentions per month")]
    out.append(_axes(left, top, w, h, peak, t.periods, x))
    for k, s in enumerate(t.series):
        color = LINE_COLORS[k % len(LINE_COLORS)]
        points = " ".join(f"{x(i):.1f},{y(s.counts.get(p, 0)):.1f}" for i, p in enumerate(t.periods))
        shape = (
            f'<polyline fill="none" stroke="{color}" stroke-width="2" points="{points}"/>'
            if n > 1
            else f'<circle cx="{x(0):.1f}" cy="{y(s.counts.get(t.periods[0], 0)):.1f}" r="4" fill="{color}"/>'
        )
        out.append(
            f"<g><title>{escape(s.entity)}: {sum(s.counts.values()):,} dated mentions</title>{shape}</g>"
        )
        ly = top + 14 + 16 * k
        out.append(
            f'<rect x="{left + w + 12}" y="{ly - 9}" width="10" height="10" fill="{color}"/>'
            f'<text x="{left + w + 28}" y="{ly}">{escape(_short(s.entity, 18))}</text>'
        )
    out.append("</svg></figure>\n")
    return "".join(out)


def heat_map(t: Timeline, width: int = 760) -> str:
    """Elements (rows, most mentioned first) by month (columns), darker for more mentions."""
    series = [s for s in t.series if s.counts]
    if not t.periods or not series:
        return '<p class="muted">No dated element mentions to chart.</p>\n'
    left, top, row_h = 110, 10, 16
    n = len(t.periods)
    cell = min(40.0, max(2.0, (width - left - 10) / n))
    height = top + row_h * len(series) + 30
    peak = max(max(s.counts.values()) for s in series) or 1
    out = [_svg_open(width, height, "Element mentions by month (darker is more)")]
    for r, s in enumerate(series):
        yy = top + r * row_h
        out.append(
            f'<text x="{left - 6}" y="{yy + 12}" text-anchor="end">{escape(_short(s.entity, 16))}</text>'
        )
        for k, p in enumerate(t.periods):
            v = s.counts.get(p, 0)
            shade = 0.06 + 0.94 * v / peak if v else 0.0
            out.append(
                f'<rect x="{left + k * cell:.1f}" y="{yy}" width="{max(cell - 1, 1):.1f}" '
                f'height="{row_h - 2}" '
                f'fill="#b2182b" fill-opacity="{shade:.2f}" stroke="#eee" stroke-width="0.5">'
                f"<title>{escape(s.entity)} {escape(p)}: {v:,}</title></rect>"
            )
    base = top + row_h * len(series) + 14
    for k, p in _ticks(t.periods):
        out.append(f'<text x="{left + k * cell:.1f}" y="{base}">{escape(p)}</text>')
    right = left + n * cell
    out.append(f'<text x="{right:.1f}" y="{base + 14}" text-anchor="end">darkest: {peak:,} mentions</text>')
    out.append("</svg></figure>\n")
    return "".join(out)


def _svg_open(width: int, height: int, title: str) -> str:
    return (
        f'<figure><svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{escape(title)}">'
        f"<title>{escape(title)}</title>"
    )


def _axes(
    left: int, top: int, w: int, h: int, peak: int, periods: Sequence[str], x: Callable[[int], float]
) -> str:
    out = [
        f'<line x1="{left}" y1="{top + h}" x2="{left + w}" y2="{top + h}" stroke="#999"/>',
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + h}" stroke="#999"/>',
        f'<text x="{left - 6}" y="{top + 10}" text-anchor="end">{peak:,}</text>',
        f'<text x="{left - 6}" y="{top + h}" text-anchor="end">0</text>',
    ]
    for k, p in _ticks(periods):
        out.append(f'<text x="{x(k):.1f}" y="{top + h + 16}" text-anchor="middle">{escape(p)}</text>')
    return "".join(out)


def _ticks(periods: Sequence[str], most: int = 8) -> list[tuple[int, str]]:
    """At most ``most`` evenly spaced period labels, always the first and the last."""
    n = len(periods)
    if n <= most:
        return list(enumerate(periods))
    step = -(-n // most)
    ks = list(range(0, n, step))
    if ks[-1] != n - 1:
        if n - 1 - ks[-1] < step / 2:
            ks[-1] = n - 1
        else:
            ks.append(n - 1)
    return [(k, periods[k]) for k in ks]


def _day(published: str | None) -> str:
    return escape((published or "")[:10])


def _short(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"
