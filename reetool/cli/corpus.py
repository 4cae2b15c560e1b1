"""Commands that report on the corpus: ``entities``, ``docs``, ``show``, ``elements``.

Each reads JSON lines piped on stdin when there are any, else the store
(:mod:`reetool.cli.inputs`), and writes through :func:`reetool.cli.emit.emit`.
"""

import sys
from enum import Enum
from typing import Annotated, Any

import typer

from reetool.cli.emit import emit, resolve_format
from reetool.cli.errors import fail, finish
from reetool.cli.options import CorpusFormatOpt, DbOpt, PlainCommand, TypesOpt, VocabOpt, settings

app = typer.Typer()


class SortKey(str, Enum):
    """``entities --sort``: listed in --help; anything else is a usage error naming these."""

    mentions = "mentions"
    docs = "docs"
    name = "name"


#: How many candidates ``show`` lists when a name is ambiguous.
MAX_CANDIDATES = 10


@app.command(cls=PlainCommand)
def entities(
    ctx: typer.Context,
    types: TypesOpt = None,
    min_docs: Annotated[
        int, typer.Option("--min-docs", min=1, metavar="N", help="Only entities in at least N documents.")
    ] = 1,
    sort: Annotated[
        SortKey, typer.Option("--sort", case_sensitive=False, help="Order of the rows.")
    ] = SortKey.mentions,
    limit: Annotated[
        int | None, typer.Option("--limit", min=1, metavar="N", help="Show the first N only.")
    ] = None,
    explain: Annotated[bool, typer.Option("--explain", help="Show why names were merged.")] = False,
    fmt: CorpusFormatOpt = None,
    db: DbOpt = None,
    vocab: VocabOpt = None,
) -> None:
    """Entities across the corpus, variants merged.

    One row per entity: its aliases, mentions, documents and first and last dates. Reads
    JSON lines from stdin when piped, otherwise the store.

    Example: reetool entities --type ORG --limit 10
    """
    from reetool.cli.inputs import corpus_store, count_mentions, piped_extractions, require_mentions
    from reetool.name_index import EntityIndex, sort_entities

    fmt = resolve_format(fmt, "table")
    run = settings(vocab, db=db)
    index = EntityIndex(run.vocab, labels=types)
    piped, problems = piped_extractions(ctx)
    seen = [0, 0]
    if piped is not None:  # JSON lines: fold them one extraction at a time
        for ext in count_mentions(piped, seen):
            index.add(ext)
        require_mentions(seen)
        merged = index.entities()
    else:  # the store counts names in SQL from its indexes, never reading texts (issue 5)
        with corpus_store(db) as store:
            index.add_names(store.name_stats(index.labels))
            merged = index.entities()  # while open: merged names' documents are read then
    rows = sort_entities(merged, sort=sort.value, min_docs=min_docs, limit=limit)
    records = [r.record(explain) for r in rows]
    columns = ["canonical", "label", "aliases", "mentions", "docs", "first_published", "last_published"]
    if explain:
        columns.append("evidence")

    def table() -> Any:
        from reetool.report import entities_table  # rich tables: on a terminal only

        return entities_table(records, explain)

    emit(fmt, records, columns, table)
    finish(bool(problems))


@app.command(cls=PlainCommand)
def docs(ctx: typer.Context, fmt: CorpusFormatOpt = None, db: DbOpt = None) -> None:
    """The documents in the store, with entity counts.

    One row per document: title, date, source, entities per label, and which document
    holds the same text when one is a copy (counted once by the corpus commands).

    Example: reetool docs --format csv > docs.csv
    """
    from reetool.cli.inputs import corpus_summaries
    from reetool.labels import LABELS

    fmt = resolve_format(fmt, "table")
    with corpus_summaries(ctx, db) as (summaries, problems):
        if fmt == "jsonl":  # streamed: a large store never sits in memory
            emit(fmt, summaries)
            records: list[dict[str, Any]] = []
        else:
            records = list(summaries)
    labels = list(LABELS)
    labels += sorted({lb for r in records for lb in r["counts"]} - set(labels))
    if fmt == "csv":
        flat = ({**r, **{lb: r["counts"].get(lb, 0) for lb in labels}} for r in records)
        emit(fmt, flat, ["doc", "title", "published", "url", "same_as", *labels])
    elif fmt != "jsonl":
        from reetool.report import docs_table

        emit(fmt, records, [], lambda: docs_table(records, labels))
    finish(bool(problems))


@app.command(cls=PlainCommand)
def show(
    doc: Annotated[
        str,
        typer.Argument(
            metavar="DOC", hidden=True, show_default=False
        ),
    ],
    html: Annotated[
        str | None,
        typer.Option("--html", metavar="FILE", help="Write a standalone HTML page to this file instead."),
    ] = None,
    fmt: CorpusFormatOpt = None,
    db: DbOpt = None,
) -> None:
    """A document's text with its entities highlighted.

    DOC is a stored document: any path that leads to it, its file name (with or without
    the extension), or a unique prefix of it. Shows the cleaned text as stored, each
    entity marked with its label; --html writes the same view as a standalone page.

    Example: reetool show 002_f349e353b77cb023
    """
    from reetool.cli.emit import write_json
    from reetool.cli.inputs import corpus_store
    from reetool.records import ENTITY_COLUMNS, document_record, entity_record

    fmt = resolve_format(fmt, "table")
    with corpus_store(db) as store:
        # Any spelling of its path, its file name (with or without extension), a prefix.
        matches = store.find(doc)
        if len(matches) > 1:
            shown = ", ".join(matches[:MAX_CANDIDATES]) + (", ..." if len(matches) > MAX_CANDIDATES else "")
            fail(f"{doc}: matches {len(matches)} documents in the store: {shown}; give more of the name")
        extraction = store.get(matches[0]) if matches else None
        if extraction is None:
            fail(f"{doc}: not in the store; `reetool docs` lists the documents")
    if html is not None:
        from reetool.html_page import render

        try:
            with open(html, "w", encoding="utf-8") as fh:
                fh.write(render(extraction))
        except OSError as exc:
            fail(f"{html}: {exc.strerror or exc}")
        sys.stderr.write(f"reetool: wrote {html}\n")
        return
    document = extraction.document
    records = [entity_record(document, e) for e in extraction.entities]
    if fmt == "json":  # one object: the document with its entities
        write_json({**document_record(document), "entities": records})
    elif fmt == "table":
        from reetool.report import console, highlighted, show_header

        screen = console()
        screen.print(show_header(extraction))
        screen.print()
        screen.print(highlighted(extraction), soft_wrap=False)
    else:
        emit(fmt, records, ENTITY_COLUMNS)


@app.command(cls=PlainCommand)
def elements(
    ctx: typer.Context,
    per_doc: Annotated[bool, typer.Option("--per-doc", help="One row per document and element.")] = False,
    fmt: CorpusFormatOpt = None,
    db: DbOpt = None,
    vocab: VocabOpt = None,
) -> None:
    """Rare earth elements in the corpus, light and heavy.

    Mentions and documents per element, as a bar chart on a terminal, in total and per
    document.

    Example: reetool elements --per-doc --format csv
    """
    from reetool.cli.inputs import corpus_input, count_mentions, require_mentions
    from reetool.element_index import ElementIndex
    from reetool.report import elements_chart, elements_per_doc_table

    fmt = resolve_format(fmt, "table")
    index = ElementIndex(settings(vocab).vocab)
    seen = [0, 0]
    with corpus_input(ctx, db) as (extractions, problems):
        for ext in count_mentions(extractions, seen):
            index.add(ext)
    if ctx.meta.get("piped"):
        require_mentions(seen)
    totals = [r.record() for r in index.totals()]
    per_doc_rows = list(index.per_doc_records())
    if per_doc:
        columns = ["doc", "element", "symbol", "class", "mentions"]
        emit(fmt, per_doc_rows, columns, lambda: elements_per_doc_table(per_doc_rows))
    else:

        def table() -> Any:
            from rich.console import Group

            from reetool.report import console

            chart = elements_chart(totals, index.classes(), total_width=console().width)
            return Group(chart, elements_per_doc_table(per_doc_rows))

        emit(fmt, totals, ["element", "symbol", "class", "mentions", "docs"], table)
    finish(bool(problems))
