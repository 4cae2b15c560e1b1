"""Reporter stage for people: rich tables, highlighted text, bar charts, HTML pages.

Machine-readable output (JSON lines, JSON, CSV) lives in :mod:`reetool.output`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from reetool.labels import terminal_style

if TYPE_CHECKING:
    from rich.console import Console, RenderableType
    from rich.table import Table
    from rich.text import Text

    from reetool.document import Entity, Extraction
    from reetool.search import Hit
    from reetool.timeline import Timeline

CLASS_STYLES = {"light": "cyan", "heavy": "magenta"}


def console(stderr: bool = False) -> Console:
    """A console that honours NO_COLOR and writes plain text when not on a terminal."""
    from rich.console import Console

    return Console(stderr=stderr, highlight=False)


def _row(table: Table, *cells: Any) -> None:
    """Add a row whose strings are shown as they are: text from articles must never be
    read as rich markup ("[bold]", "[/x]" would restyle the table or raise)."""
    from rich.text import Text

    table.add_row(*(Text(c) if isinstance(c, str) else c for c in cells))


def _date(value: str | None) -> str:
    return (value or "")[:10]


def _span(record: dict[str, Any]) -> tuple[str, str]:
    """The first and last publication dates of a corpus record, as the tables show them."""
    return _date(record["first_published"]), _date(record["last_published"])


def _with_evidence(table: Table, notes: Iterable[tuple[str, Iterable[str]]], bullet: str) -> RenderableType:
    """The table, then each heading in bold with its evidence lines below it (evidence in
    a table column would be folded into unreadable slivers); the table alone if none."""
    from rich.console import Group
    from rich.text import Text

    text = Text()
    for heading, lines in notes:
        text.append(f"\n{heading}\n", style="bold")
        for line in lines:
            text.append(f"{bullet}{line}\n")
    return Group(table, text) if text else table


def entities_table(rows: Iterable[dict[str, Any]], explain: bool = False) -> RenderableType:
    """The entities table; with ``explain``, followed by the evidence for each merged entity."""
    from rich.table import Table

    rows = list(rows)
    table = Table(title="Entities across the corpus")
    table.add_column("entity", overflow="fold")
    table.add_column("label")
    table.add_column("aliases", overflow="fold")
    table.add_column("mentions", justify="right")
    table.add_column("docs", justify="right")
    table.add_column("first", no_wrap=True)
    table.add_column("last", no_wrap=True)
    for r in rows:
        _row(
            table,
            r["canonical"],
            r["label"],
            ", ".join(r["aliases"]),
            str(r["mentions"]),
            str(r["docs"]),
            *_span(r),
        )
    if not explain:
        return table
    notes = [(f"{r['canonical']} ({r['label']})", r["evidence"]) for r in rows if r.get("evidence")]
    return _with_evidence(table, notes, "  - ")


def docs_table(rows: Iterable[dict[str, Any]], labels: Sequence[str]) -> Table:
    from rich.table import Table

    table = Table(title="Documents in the store")
    table.add_column("doc", overflow="fold")
    table.add_column("title", overflow="fold")
    table.add_column("published")
    table.add_column("source", overflow="fold")
    for lb in labels:
        table.add_column(lb, justify="right")
    for r in rows:
        counts = r.get("counts") or {}
        same = r.get("same_as")
        _row(
            table,
            r["doc"] + (f"\n(same text as {same})" if same else ""),
            r.get("title") or "",
            _date(r.get("published")),
            r.get("url") or "",
            *(str(counts.get(lb, 0)) for lb in labels),
        )
    return table


def highlighted(extraction: Extraction) -> Text:
    """The cleaned text with each entity on its label's colour and the label after it, like displaCy."""
    from rich.text import Text

    from reetool.html_page import visible_entities

    doc = extraction.document
    text = doc.text
    out = Text()
    pos = 0
    for ent in visible_entities(text, extraction.entities):
        out.append(text[pos : ent.start])
        style = terminal_style(ent.label)
        out.append(text[ent.start : ent.end], style=style)
        out.append(f" {ent.label}", style=f"bold {style}")
        pos = ent.end
    out.append(text[pos:])
    return out


def show_header(extraction: Extraction) -> Text:
    """Title, meta line and a legend of the labels highlighted below (as the HTML page has)."""
    from rich.text import Text

    from reetool.html_page import visible_entities

    doc = extraction.document
    head = Text(doc.title or doc.doc, style="bold")
    meta = " · ".join(x for x in (doc.doc if doc.title else None, doc.published, doc.url) if x)
    if meta:
        head.append("\n" + meta, style="dim")
    labels = sorted({e.label for e in visible_entities(doc.text, extraction.entities)})
    if labels:
        head.append("\n")
        for lb in labels:
            head.append(f" {lb} ", style=terminal_style(lb))
            head.append(" ")
    return head


def elements_chart(
    totals: Sequence[dict[str, Any]],
    classes: dict[str, dict[str, int]],
    width: int = 40,
    total_width: int | None = None,
) -> Table:
    """One bar per element, its length proportional to the mentions (the most mentioned
    gets ``width`` blocks), coloured by light/heavy class. With ``total_width`` (the
    terminal's), bars shrink so that a row never wraps or is cropped."""
    from rich.table import Table
    from rich.text import Text

    top = max((r["mentions"] for r in totals), default=0) or 1
    if total_width is not None:
        cells = [("element", "symbol", "class", "mentions", "docs")]
        cells += [
            (r["element"], r.get("symbol") or "", r.get("class") or "", str(r["mentions"]), str(r["docs"]))
            for r in totals
        ]
        used = sum(max(len(row[i]) for row in cells) + 2 for i in range(5)) + 2
        width = max(min(width, total_width - used), 10)
    summary = ", ".join(
        f"{name or 'unclassified'}: {c['mentions']} mentions of {c['elements']} "
        f"element{'s' * (c['elements'] != 1)}"
        for name, c in sorted(classes.items(), key=lambda kv: (kv[0] == "", kv[0]))
    )
    table = Table(
        title="Rare earth elements in the corpus", caption=Text(summary) if summary else None, box=None
    )
    table.add_column("element")
    table.add_column("symbol")
    table.add_column("class")
    table.add_column("mentions", justify="right")
    table.add_column("docs", justify="right")
    table.add_column("", no_wrap=True)
    for r in totals:
        style = CLASS_STYLES.get(r.get("class") or "", "white")
        n = round(width * r["mentions"] / top)
        bar = Text("█" * max(n, 1), style=style)
        _row(
            table,
            r["element"],
            r.get("symbol") or "",
            r.get("class") or "",
            str(r["mentions"]),
            str(r["docs"]),
            bar,
        )
    return table


def elements_per_doc_table(rows: Iterable[dict[str, Any]]) -> Table:
    from rich.table import Table

    table = Table(title="Elements per document")
    table.add_column("doc", overflow="fold")
    table.add_column("elements", overflow="fold")
    current: str | None = None
    parts: list[str] = []
    for r in rows:
        if r["doc"] != current:
            if current is not None:
                _row(table, current, ", ".join(parts))
            current, parts = r["doc"], []
        parts.append(f"{r['symbol'] or r['element']} {r['mentions']}")
    if current is not None:
        _row(table, current, ", ".join(parts))
    return table


def extraction_table(extraction: Extraction, labels: set[str] | None = None) -> RenderableType:
    """One document's entities for ``reetool extract`` on a terminal: one row per entity
    (mentions sharing a canonical name), in order of first mention; then its roles in a
    table of their own, since a role is a relation, not a name."""
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    doc = extraction.document
    title = doc.doc + (f" — {doc.title}" if doc.title else "")
    roles = [e for e in extraction.entities if e.label == "ROLE" and (not labels or "ROLE" in labels)]
    table = Table(title=title, title_justify="left")
    table.add_column("label", no_wrap=True)
    table.add_column("canonical", overflow="fold")
    table.add_column("as written", overflow="fold")
    table.add_column("n", justify="right")
    table.add_column("value / symbol", no_wrap=True)
    rows: dict[tuple[str, str], list] = {}
    for e in extraction.entities:
        if labels and e.label not in labels:
            continue
        if e.label == "ROLE":
            continue
        row = rows.setdefault((e.label, e.canonical), [e, [], 0])
        if e.text not in row[1]:
            row[1].append(e.text)
        row[2] += 1
    for (label, canonical), (first, texts, n) in rows.items():
        extra = first.symbol or first.value or ""
        if first.inferred:
            extra += " (inferred)"
        style = terminal_style(label)
        _row(table, Text(f" {label} ", style=style), Text(canonical), Text("; ".join(texts)), str(n), extra)
    if not roles:
        return table
    return Group(table, roles_table(roles))


def people_table(rows: Iterable[dict[str, Any]], explain: bool = False) -> RenderableType:
    """The who's who; with ``explain``, each person's evidence sentences after the table."""
    from rich.table import Table

    rows = list(rows)
    table = Table(title="People and their roles")
    for column in ("person", "titles", "organizations", "docs", "first", "last"):
        table.add_column(column, overflow="fold", justify="right" if column == "docs" else "left")
    for r in rows:
        _row(
            table,
            r["person"],
            "; ".join(r["titles"]),
            "; ".join(r["organizations"]),
            str(r["docs"]),
            *_span(r),
        )
    if not explain:
        return table
    return _with_evidence(table, [(r["person"], r.get("evidence", [])) for r in rows], "  ")


def roles_table(roles: list[Entity]) -> Table:
    """Who holds which title where, one row per role, as the text gives them."""
    from rich.table import Table

    table = Table(title="roles", title_justify="left")
    for column in ("person", "title", "organization", "as written"):
        table.add_column(column, overflow="fold")
    for r in roles:
        _row(table, r.canonical, r.title or "", r.org or "", r.text)
    return table


#: Sparkline width in a terminal chart: with the name and numbers, fits 80 columns.
SPARK_WIDTH = 36


def timeline_chart(t: Timeline, width: int = SPARK_WIDTH) -> RenderableType:
    """One sparkline per entity over the periods (the latest ``width`` if there are more),
    scaled to the largest count of the whole chart so that lines compare."""
    from rich.table import Table
    from rich.text import Text

    from reetool.timeline import sparkline

    periods = t.periods[-width:]
    shown = f"{periods[0]} → {periods[-1]}" if periods else "no dated documents"
    notes = []
    if len(periods) < len(t.periods):
        notes.append(f"last {len(periods)} of {len(t.periods)} {t.by}s shown; try --by quarter or year")
    if t.undated_documents:
        notes.append(f"{t.undated_documents} of {t.documents} documents undated: counted apart, not charted")
    table = Table(
        title=f"{t.measure.capitalize()} per {t.by}",
        caption=Text("\n".join(notes)) if notes else None,
        box=None,
        title_justify="left",
        caption_justify="left",
    )
    table.add_column("entity", overflow="ellipsis", max_width=22, no_wrap=True)
    table.add_column(shown, no_wrap=True)
    table.add_column("dated", justify="right")
    table.add_column("peak", justify="right")
    table.add_column("undated", justify="right")
    top = max((max((s.counts.get(p, 0) for p in periods), default=0) for s in t.series), default=0)
    for s in t.series:
        values = [s.counts.get(p, 0) for p in periods]
        _row(
            table,
            s.entity,
            Text(sparkline(values, top).ljust(len(periods)), style="cyan"),
            str(sum(s.counts.values())),
            str(max(values, default=0)),
            str(s.undated),
        )
    return table


def search_table(hits: Sequence[Hit]) -> Table:
    """Hits best first: the document (title, path, date) and its snippet with matches marked."""
    from rich.table import Table
    from rich.text import Text

    table = Table(title="Search results", title_justify="left", show_lines=True)
    table.add_column("#", justify="right")
    table.add_column("document", overflow="fold", ratio=2)
    table.add_column("snippet", overflow="fold", ratio=3)
    for n, hit in enumerate(hits, 1):
        head = Text(hit.title or hit.doc, style="bold")
        meta = " · ".join(x for x in (hit.doc if hit.title else None, _date(hit.published)) if x)
        if meta:
            head.append("\n" + meta, style="dim")
        snippet = Text(hit.snippet)
        for start, end in hit.highlights:
            snippet.stylize("bold black on yellow", start, end)
        _row(table, str(n), head, snippet)
    return table
