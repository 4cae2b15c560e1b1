"""Commands about time and finding things: ``timeline``, ``search``, ``report``.

They read the store only (a timeline needs publication dates, search its full-text
index), upgrading an older store first when they may write it, and format what the
library stages (:mod:`reetool.timeline`, :mod:`reetool.search`,
:mod:`reetool.corpus_report`) return.
"""

from typing import TYPE_CHECKING, Annotated, Any

import typer

from reetool.cli.emit import emit, resolve_format
from reetool.cli.errors import fail, report
from reetool.cli.options import CorpusFormatOpt, DbOpt, VocabOpt, settings

if TYPE_CHECKING:
    from reetool.search import Hit
    from reetool.timeline import Timeline

app = typer.Typer()


def _date_limit(value: str | None) -> str | None:
    """``--since``/``--until`` must be ISO dates (or a year, or a year and month)."""
    from reetool.timeline import DATE_LIMIT

    if value is not None and not DATE_LIMIT.match(value.strip()):
        raise typer.BadParameter(f"{value!r} is not an ISO date such as 2025, 2025-03 or 2025-03-15")
    return value.strip() if value is not None else None


SinceOpt = Annotated[
    str | None,
    typer.Option(
        "--since", callback=_date_limit, help="Published on or after this ISO date: 2025, 2025-03, 2025-03-15"
    ),
]
UntilOpt = Annotated[
    str | None,
    typer.Option(
        "--until", callback=_date_limit, help="Published on or before this ISO date; 2025 means all of 2025."
    ),
]


@app.command()
def timeline(
    by: Annotated[str, typer.Option("--by", help="month, quarter or year.")] = "month",
    label: Annotated[
        str | None,
        typer.Option(
            "--type", "-t", help="Top entities of this label (default ELEMENT), or restrict --entity."
        ),
    ] = None,
    names: Annotated[
        list[str] | None, typer.Option("--entity", "-e", help="An entity by name or alias (repeatable).")
    ] = None,
    docs: Annotated[bool, typer.Option("--docs", help="Count documents instead of mentions.")] = False,
    limit: Annotated[int, typer.Option("--limit", min=1, help="How many top entities.")] = 8,
    since: SinceOpt = None,
    until: UntilOpt = None,
    fmt: CorpusFormatOpt = None,
    db: DbOpt = None,
    vocab: VocabOpt = None,
) -> None:
    """Mentions or documents per month, quarter or year, per entity.

    Counts each entity's mentions (or, with --docs, documents) per period of the
    documents' publication date. Names are merged as `reetool entities` merges them.
    Documents without a publication date are counted apart (period null), never dropped.

    Example: reetool timeline --type ELEMENT --by quarter --since 2024
    """
    from reetool.cli.inputs import corpus_store
    from reetool.entity_docs import UnknownEntity
    from reetool.store import Store
    from reetool.timeline import PERIODS, build_timeline

    fmt = resolve_format(fmt, "table")
    if by not in PERIODS:
        raise typer.BadParameter(f"{by!r} is not one of {', '.join(PERIODS)}", param_hint="--by")
    Store.upgrade(db)
    vocabulary = settings(vocab).vocab  # checked before the store is opened
    with corpus_store(db) as store:
        try:
            t = build_timeline(
                store,
                by=by,
                label=label if (label or names) else "ELEMENT",
                names=names or (),
                measure="docs" if docs else "mentions",
                limit=limit,
                since=since,
                until=until,
                vocab=vocabulary,
            )
        except UnknownEntity as exc:
            fail(str(exc))
    records = list(t.records())
    emit(fmt, records, ["entity", "label", "period", t.measure], lambda: _chart(t))
    _note_undated(t, fmt)


def _chart(t: "Timeline") -> Any:
    """The terminal chart: the report module (and rich) only when a person reads it."""
    from reetool.report import timeline_chart

    return timeline_chart(t)


def _hits_table(hits: "list[Hit]") -> Any:
    from reetool.report import search_table

    return search_table(hits)


def _note_undated(t: "Timeline", fmt: str) -> None:
    """Say on stderr how many documents had no date (the table says it in its caption)."""
    if t.undated_documents and fmt != "table":
        report(
            f"{t.undated_documents} of {t.documents} documents have no publication date; "
            "their counts are in the rows with period null"
        )


@app.command()
def search(
    query: Annotated[
        str | None,
        typer.Argument(help='Words, "exact phrases", AND/OR/NOT, prefix* (SQLite FTS5 syntax).'),
    ] = None,
    with_: Annotated[
        list[str] | None,
        typer.Option(
            "--with", "-w", help='Only documents mentioning LABEL=NAME, e.g. ORG="Lynas" (repeatable).'
        ),
    ] = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    limit: Annotated[int, typer.Option("--limit", min=1, help="At most N hits.")] = 20,
    fmt: CorpusFormatOpt = None,
    db: DbOpt = None,
    vocab: VocabOpt = None,
) -> None:
    """Find documents by words, phrases and the entities they mention.

    Stored documents that match, best first, with a highlighted snippet per hit.

    Example: reetool search "magnet plant" --with ORG=Lynas --since 2025
    """
    from reetool.cli.inputs import corpus_store
    from reetool.search import SearchError, parse_filter
    from reetool.search import search as run_search
    from reetool.store import Store

    fmt = resolve_format(fmt, "table")
    try:
        filters = [parse_filter(spec) for spec in with_ or ()]
    except SearchError as exc:
        raise typer.BadParameter(str(exc), param_hint="--with") from None
    Store.upgrade(db)  # an older store gets its full-text index once, if we may write it
    vocabulary = settings(vocab).vocab  # checked before the store is opened
    with corpus_store(db) as store:
        try:
            hits = list(
                run_search(
                    store,
                    query,
                    with_=filters,
                    since=since,
                    until=until,
                    limit=limit,
                    vocab=vocabulary if filters else None,
                )
            )
        except SearchError as exc:
            fail(str(exc))
    records = [h.record() for h in hits]
    emit(fmt, records, ["doc", "title", "published", "url", "score", "snippet"], lambda: _hits_table(hits))
    if not hits:
        report("no documents match")


@app.command("report")
def report_page(
    html: Annotated[str, typer.Option("--html", help="Write the report page to this file.")],
    top: Annotated[
        int, typer.Option("--top", min=1, help="People, organizations and elements to list.")
    ] = 10,
    db: DbOpt = None,
    vocab: VocabOpt = None,
) -> None:
    """One standalone HTML page about the corpus.

    Counts, top entities with their documents, the element timeline and a heat map.
    Document pages go to FILE's stem + _docs/.

    Example: reetool report --html corpus.html --top 20
    """
    from pathlib import Path

    from reetool.cli.inputs import corpus_store
    from reetool.corpus_report import write_report
    from reetool.store import Store

    Store.upgrade(db)
    vocabulary = settings(vocab).vocab  # checked before the store is opened
    with corpus_store(db) as store:
        try:
            written = write_report(store, Path(html), vocab=vocabulary, top=top)
        except OSError as exc:
            fail(f"{exc.filename or html}: {exc.strerror or exc}")
    pages = len(written) - 1
    extra = f" and {pages} document page{'s' * (pages != 1)} in {written[1].parent}" if pages else ""
    report(f"wrote {html}{extra}")
