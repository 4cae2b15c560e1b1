"""Commands that read files: ``clean`` and ``extract``."""

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated, Any

import typer

from reetool.cli.emit import records_out, resolve_format
from reetool.cli.errors import INTERRUPTED, USAGE, fail, finish, report
from reetool.cli.options import (
    CleanFormatOpt,
    DbOpt,
    ExtractFormatOpt,
    FileInputs,
    ModelOpt,
    PlainCommand,
    QuietOpt,
    TypesOpt,
    reads_files,
    settings,
)

if TYPE_CHECKING:
    from reetool.document import Document, Extraction
    from reetool.store import Store

app = typer.Typer()


@app.command(cls=PlainCommand)
@reads_files
def clean(inputs: FileInputs, fmt: CleanFormatOpt = None, quiet: QuietOpt = False) -> None:
    """Repair mojibake, strip HTML and site furniture.

    PATH... are files, folders (walked recursively) or - for stdin. Prints each cleaned
    document: its text on a terminal, JSON lines when piped. On a terminal, a progress
    bar and a last line on stderr count the documents cleaned and failed (not --quiet).

    Example: reetool clean seeds/ --format jsonl | jq -r .text

    A saved web page is cut down to its article (title, text, lists, tables); HTML
    from a WordPress post or a JSON field is taken whole."""

    from reetool.cleaner import clean_all, load_rules
    from reetool.cli.progress import progress, show_summary
    from reetool.document import Failure
    from reetool.reader import read_paths
    from reetool.records import document_record
    from reetool.tally import Tally, count_reads

    fmt = resolve_format(fmt, "text")
    run = settings(inputs.vocab, max_bytes=inputs.max_bytes)
    try:
        rules = load_rules(run.vocab, inputs.page())
    except ValueError as exc:  # a rule the vocab writes wrongly, e.g. a bad pattern
        fail(f"vocab: {exc}", USAGE)
    failed = False
    tally = Tally()
    read = count_reads(read_paths(inputs.paths, max_bytes=run.max_bytes, stdin_name=inputs.name), tally)
    bar = progress("cleaning", inputs.paths, tally, wanted=not quiet)
    with bar as out, records_out(fmt, out, render=_text_block) as writer:
        for item in clean_all(read, rules, tally):
            if isinstance(item, Failure):
                report(str(item))
                failed = True
            else:
                warn_page(item)
                writer.write(item if fmt == "text" else document_record(item))
    show_summary(tally, "cleaning", quiet)
    finish(failed)


def warn_page(doc: "Document") -> None:
    """One line on stderr when a web page's article could not be told from the rest."""
    why = next((msg for fix, msg in _PAGE_WARNINGS.items() if doc.fixes.get(fix)), None)
    if why:
        report(f"{doc.doc}: warning: {why}")


def _text_block(doc: "Document") -> bytes:
    """A cleaned document for reading: a ``==>`` header line, the text, a blank line."""
    head = f"==> {doc.doc}" + (f": {doc.title}" if doc.title else "")
    return f"{head}\n{doc.text}\n\n".encode()


def _dask_address(value: str | None) -> str | None:
    """``local:N`` needs a positive N; anything else is the scheduler's address."""
    if value is not None and value.startswith("local:") and not (value[6:].isdigit() and int(value[6:]) > 0):
        raise typer.BadParameter(f"{value!r}: local:N needs a number of workers N >= 1")
    return value


_PAGE_WARNINGS = {
    "page_empty": "the page has no text",
    "page_fallback": "no article found in the page, kept its full text",
    "page_too_big": "page too big to look for its article, kept its full text",
    "page_not_parsed": "page could not be parsed as a whole, kept the text found in it",
}


@app.command(cls=PlainCommand)
@reads_files
def extract(
    inputs: FileInputs,
    fmt: ExtractFormatOpt = None,
    types: TypesOpt = None,
    model: ModelOpt = None,
    db: DbOpt = None,
    no_store: Annotated[bool, typer.Option("--no-store", help="Do not read or write the store.")] = False,
    force: Annotated[bool, typer.Option("--force", help="Re-extract documents already stored.")] = False,
    workers: Annotated[
        int, typer.Option("--workers", "-w", min=1, metavar="N", help="Extract in N processes (same output).")
    ] = 1,
    batch_size: Annotated[
        int,
        typer.Option("--batch-size", min=1, metavar="N", help="Documents per spaCy batch and store commit."),
    ] = 32,  # pipeline.DEFAULT_BATCH_SIZE (not imported: --help stays light)
    dask: Annotated[
        str | None,
        typer.Option(
            "--dask",
            metavar="ADDRESS|local:N",
            callback=_dask_address,
            help="Extract on a Dask cluster (tcp://host:8786), or on N local worker processes "
            "(local:N); same output. Needs reetool[dask].",
        ),
    ] = None,
    quiet: QuietOpt = False,
) -> None:
    """Find people, organizations, dates and elements.

    PATH... are files, folders (walked recursively) or - for stdin. Each document's
    entities are printed (a table on a terminal, JSON lines when piped) and stored, so
    that a rerun serves them from the store and the corpus commands can report on them.
    On a terminal, stderr shows a progress bar while the results go to a pipe or file,
    and a last line counting the documents extracted, served from the store and failed
    (not --quiet).

    Example: reetool extract seeds/ --type ORG --format csv > orgs.csv
    """
    from reetool.cli.progress import progress, show_summary
    from reetool.document import Failure
    from reetool.pipeline import ExtractOptions, run_extract
    from reetool.records import csv_columns, entity_record, extraction_record
    from reetool.tally import Tally

    if dask and workers > 1:
        raise typer.BadParameter("use either --workers or --dask, not both", param_hint="--dask")
    fmt = resolve_format(fmt, "table")
    run = settings(inputs.vocab, model=model, db=db, max_bytes=inputs.max_bytes)
    options = ExtractOptions(
        run, force=force, workers=workers, dask=dask, batch_size=batch_size,
        stdin_name=inputs.name, page=inputs.page(),
    )
    wanted = {t.upper() for t in types} if types else None
    failed = False

    def table(item: "Extraction") -> Any:
        from reetool.report import extraction_table

        return extraction_table(item, wanted)

    # Progress only when the results go elsewhere: on a terminal the tables show it.
    tally = Tally()
    bar = progress("extracting", inputs.paths, tally, wanted=not (quiet or sys.stdout.isatty()))
    with (
        _extract_session(run.db, no_store) as store,
        bar as out,
        records_out(fmt, out, columns=csv_columns(wanted), render=table) as writer,
    ):
        items = run_extract(inputs.paths, options, store=store, on_notice=report, tally=tally)
        for item in items:
            if isinstance(item, Failure):
                report(str(item))
                failed = True
                continue
            doc = item.document
            warn_page(doc)
            ents = [e for e in item.entities if not wanted or e.label in wanted]
            if fmt == "json":
                writer.write(extraction_record(doc, ents))
            elif fmt == "table":
                writer.write(item)
            else:
                writer.write_all(entity_record(doc, e) for e in ents)
    show_summary(tally, "extracting", quiet)
    finish(failed)


@contextmanager
def _extract_session(db: str | None, no_store: bool) -> "Iterator[Store | None]":
    """Open the store for ``extract`` and turn its fatal problems into one-line exits.

    Ctrl-C lands here too: every batch is committed whole or not at all, so the message
    can promise that a rerun resumes.
    """
    from reetool.pipeline import ClusterError, ExtractorLoadError
    from reetool.store import Store, StoreError

    store: Store | None = None
    try:
        store = None if no_store else Store.open(db)
        yield store
    except (StoreError, ExtractorLoadError) as exc:
        fail(str(exc))
    except ClusterError as exc:
        tail = f"; {store.saved} documents stored, run again to resume" if store is not None else ""
        fail(f"{exc}{tail}")
    except KeyboardInterrupt:
        saved = store.saved if store is not None else 0
        tail = ", run again to resume" if store is not None else ""
        fail(f"interrupted; {saved} documents stored{tail}", INTERRUPTED)
    finally:
        if store is not None:
            store.close()
