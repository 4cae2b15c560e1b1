"""Commands that report on the corpus: ``entities``, ``docs``, ``show``, ``elements``.

Each reads JSON lines piped on stdin when there are any, else the store
(:mod:`reetool.cli.inputs`), and writes through :func:`reetool.cli.emit.emit`.
"""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer

from reetool.cli.emit import emit, resolve_format
from reetool.cli.errors import fail, finish
from reetool.cli.inputs import corpus_input, corpus_store, corpus_summaries, piped_extractions
from reetool.cli.options import CorpusFormatOpt, DbOpt, TypesOpt, VocabOpt, settings

app = typer.Typer()

#: How many candidates ``show`` lists when a name is ambiguous.
MAX_CANDIDATES = 10


@app.command()
def entities(
    ctx: typer.Context,
    types: TypesOpt = None,
    min_docs: Annotated[
        int, typer.Option("--min-docs", min=1, help="Only entities in at least N documents.")
    ] = 1,
    sort: Annotated[str, typer.Option("--sort", help="mentions, docs or name.")] = "mentions",
    limit: Annotated[int | None, typer.Option("--limit", min=1, help="Show the first N only.")] = None,
    explain: Annotated[bool, typer.Option("--explain", help="Show why names were merged.")] = False,
    fmt: CorpusFormatOpt = None,
    db: DbOpt = None,
    vocab: VocabOpt = None,
) -> None:
    """One row per entity across the corpus, variants merged: mentions, documents, dates.

    Reads JSON lines from stdin when piped (reetool extract ... --format jsonl | reetool entities),
    otherwise the store.
    """
    from reetool.name_index import EntityIndex, sort_entities

    fmt = resolve_format(fmt, "table")
    run = settings(vocab, db=db)
    if sort not in ("mentions", "docs", "name"):
        raise typer.BadParameter(f"{sort!r} is not one of mentions, docs, name", param_hint="--sort")
    index = EntityIndex(run.vocab, labels=types)
    piped, problems = piped_extractions(ctx)
    if piped is not None:  # JSON lines: fold them one extraction at a time
        for ext in piped:
            index.add(ext)
    else:  # the store counts names in SQL from its indexes, never reading texts (issue 5)
        with corpus_store(db) as store:
            index.add_names(store.name_stats(index.labels))
    rows = sort_entities(index.entities(), sort=sort, min_docs=min_docs, limit=limit)
    records = [r.record(explain) for r in rows]
    columns = ["canonical", "label", "aliases", "mentions", "docs", "first_published", "last_published"]
    if explain:
        columns.append("evidence")
    from reetool.report import entities_table

    emit(fmt, records, columns, lambda: entities_table(records, explain))
    finish(bool(problems))


@app.command()
def docs(ctx: typer.Context, fmt: CorpusFormatOpt = None, db: DbOpt = None) -> None:
    """The documents in the store: title, date, source and entity counts per label."""
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


@app.command()
def show(
    doc: Annotated[str, typer.Argument(help="A document as listed by `reetool docs`.")],
    html: Annotated[
        str | None, typer.Option("--html", help="Write a standalone HTML page to this file instead.")
    ] = None,
    fmt: CorpusFormatOpt = None,
    db: DbOpt = None,
) -> None:
    """A document's cleaned text with its entities highlighted by label."""
    from reetool.cli.emit import write_json
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


@app.command()
def elements(
    ctx: typer.Context,
    per_doc: Annotated[bool, typer.Option("--per-doc", help="One row per document and element.")] = False,
    fmt: CorpusFormatOpt = None,
    db: DbOpt = None,
    vocab: VocabOpt = None,
) -> None:
    """Which rare earth elements the corpus speaks of, light and heavy, in total and per document."""
    from reetool.element_index import ElementIndex
    from reetool.report import elements_chart, elements_per_doc_table

    fmt = resolve_format(fmt, "table")
    index = ElementIndex(settings(vocab).vocab)
    with corpus_input(ctx, db) as (extractions, problems):
        for ext in extractions:
            index.add(ext)
    totals = [r.record() for r in index.totals()]
    per_doc_rows = list(index.per_doc_records())
    if per_doc:
        columns = ["doc", "element", "symbol", "class", "mentions"]
        emit(fmt, per_doc_rows, columns, lambda: elements_per_doc_table(per_doc_rows))
    else:

        def table() -> Any:
            from rich.console import Group

            return Group(elements_chart(totals, index.classes()), elements_per_doc_table(per_doc_rows))

        emit(fmt, totals, ["element", "symbol", "class", "mentions", "docs"], table)
    finish(bool(problems))
