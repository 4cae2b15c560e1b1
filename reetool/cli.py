"""Command line: parses options, calls the library stages, formats their output.

No domain logic lives here. Heavy imports (spaCy) happen inside the commands that
need them so that ``reetool --help`` stays instant.
"""

from __future__ import annotations

import os
import sys
import typing
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from typing import TYPE_CHECKING, Annotated

import typer

from reetool import __version__

if TYPE_CHECKING:
    from reetool.document import Extraction
    from reetool.store import Store

app = typer.Typer(
    name="reetool",
    help="Text mining for rare earth industry news: clean, extract, and report.",
    no_args_is_help=True,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)

FormatOpt = Annotated[
    str | None,
    typer.Option("--format", "-f", help="Output format; default: table on a terminal, jsonl when piped."),
]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"reetool {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")
    ] = False,
) -> None:
    """Text mining for rare earth industry news: clean, extract, and report."""


def _error(message: str) -> None:
    sys.stderr.write(f"reetool: {message}\n")


@app.command()
def clean(
    paths: Annotated[list[str], typer.Argument(help="Files, folders, or - for stdin.")],
    fmt: Annotated[
        str | None,
        typer.Option("--format", "-f", help="text, jsonl or json; default: text on a terminal, else jsonl."),
    ] = None,
    vocab: Annotated[
        list[str] | None, typer.Option("--vocab", help="Extra vocab folder (repeatable).")
    ] = None,
) -> None:
    """Fix mojibake, strip HTML and site furniture; print the cleaned documents."""

    from reetool.cleaner import clean_all, load_rules
    from reetool.document import Failure
    from reetool.output import default_format, document_record, write_jsonl
    from reetool.reader import read_paths
    from reetool.vocab import Vocab

    fmt = fmt or default_format("text")
    if fmt not in ("text", "jsonl", "json"):
        raise typer.BadParameter(f"{fmt!r} is not one of text, jsonl, json.", param_hint="'--format'")
    try:
        rules = load_rules(Vocab.load(vocab or ()))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        _error(f"vocab: {exc}")
        raise typer.Exit(2) from None
    failed = False
    with _progress("cleaning") as (advance, out), _json_array(fmt, out) as array:
        for item in clean_all(read_paths(paths), rules):
            advance()
            if isinstance(item, Failure):
                _error(str(item))
                failed = True
            elif fmt == "jsonl":
                write_jsonl([document_record(item)], out)
            elif fmt == "json":
                array.add(document_record(item))
            else:
                head = f"==> {item.doc}" + (f": {item.title}" if item.title else "")
                out.write(f"{head}\n{item.text}\n\n".encode())
                out.flush()
    if failed:
        raise typer.Exit(1)


def _json_array(fmt: str, out: typing.BinaryIO | None = None) -> typing.ContextManager[typing.Any]:
    """A streamed JSON array for ``--format json``; nothing for the other formats."""
    from reetool.output import JsonArray

    return JsonArray(out) if fmt == "json" else nullcontext()


class _ConsoleOut:
    """A bytes sink printing through rich's console, so that documents shown on a
    terminal scroll above the live progress bar instead of being erased by it."""

    def __init__(self, console: typing.Any) -> None:
        self.console = console

    def write(self, data: bytes) -> int:
        self.console.out(data.decode("utf-8"), end="", highlight=False)
        return len(data)

    def flush(self) -> None:
        self.console.file.flush()


@contextmanager
def _progress(label: str, wanted: bool = True) -> Iterator[tuple[typing.Callable[[], None], typing.BinaryIO]]:
    """A transient count of documents on stderr, only when stderr is a terminal (and
    the caller ``wanted`` one).

    Yields the function to call once per document and where to write output: stdout's
    bytes (UTF-8 whatever the locale), or, when stdout is the same kind of terminal,
    the bar's console. The total is unknown (folders are walked lazily), so it counts.
    """
    if not (wanted and sys.stderr.isatty()):
        yield (lambda: None), sys.stdout.buffer
        return
    from rich.console import Console
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    console = Console(stderr=True)
    columns = (SpinnerColumn(), TextColumn(f"{label} {{task.completed}} documents"), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True, redirect_stdout=False) as bar:
        task = bar.add_task(label, total=None)
        out = _ConsoleOut(console) if sys.stdout.isatty() else sys.stdout.buffer
        yield (lambda: bar.advance(task)), out  # type: ignore[misc]


@app.command()
def extract(
    paths: Annotated[list[str], typer.Argument(help="Files, folders, or - for stdin.")],
    fmt: FormatOpt = None,
    types: Annotated[
        list[str] | None, typer.Option("--type", "-t", help="Only these labels (repeatable).")
    ] = None,
    model: Annotated[
        str | None, typer.Option("--model", envvar="REETOOL_MODEL", help="spaCy pipeline to use.")
    ] = None,
    db: Annotated[
        str | None,
        typer.Option("--db", envvar="REETOOL_DB", help="Store file; default: .reetool/reetool.db here."),
    ] = None,
    no_store: Annotated[bool, typer.Option("--no-store", help="Do not read or write the store.")] = False,
    force: Annotated[bool, typer.Option("--force", help="Re-extract documents already stored.")] = False,
    workers: Annotated[
        int, typer.Option("--workers", "-w", min=1, help="Extract in N processes (same output).")
    ] = 1,
    vocab: Annotated[
        list[str] | None, typer.Option("--vocab", help="Extra vocab folder (repeatable).")
    ] = None,
    max_bytes: Annotated[
        int | None, typer.Option("--max-bytes", min=1, help="Refuse input files larger than this.")
    ] = None,
    batch_size: Annotated[
        int, typer.Option("--batch-size", min=1, help="Documents per spaCy batch and per store commit.")
    ] = 64,
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
) -> None:
    """Find people, organizations, dates and rare earth elements in each document."""
    from reetool.document import Failure
    from reetool.output import default_format, entity_record, extraction_record, write_jsonl
    from reetool.pipeline import run_extract

    if dask and workers > 1:
        raise typer.BadParameter("use either --workers or --dask, not both", param_hint="--dask")
    fmt = fmt or default_format("table")
    wanted = {t.upper() for t in types} if types else None
    failed = False
    # Progress only when the results go elsewhere: on a terminal the tables show it.
    progress = _progress("extracting", wanted=not sys.stdout.isatty())
    with _extract_session(db, no_store) as store, progress as (advance, out), _json_array(fmt, out) as array:
        table_console = None
        items = run_extract(
            paths,
            model=model,
            vocab=vocab,
            store=store,
            force=force,
            workers=workers,
            dask=dask,
            on_notice=_error,
            batch_size=batch_size,
            max_bytes=max_bytes,
        )
        for item in items:
            advance()
            if isinstance(item, Failure):
                _error(str(item))
                failed = True
                continue
            doc = item.document
            ents = [e for e in item.entities if not wanted or e.label in wanted]
            if fmt == "json":
                array.add(extraction_record(doc, ents))
            elif fmt == "table":
                from reetool.report import console, extraction_table

                table_console = table_console or console()
                table_console.print(extraction_table(item, wanted))
            else:
                write_jsonl((entity_record(doc, e) for e in ents), out)
    if failed:
        raise typer.Exit(1)


def _dask_address(value: str | None) -> str | None:
    """``local:N`` needs a positive N; anything else is the scheduler's address."""
    if value is not None and value.startswith("local:") and not (value[6:].isdigit() and int(value[6:]) > 0):
        raise typer.BadParameter(f"{value!r}: local:N needs a number of workers N >= 1")
    return value


@contextmanager
def _extract_session(db: str | None, no_store: bool) -> Iterator[Store | None]:
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
    except StoreError as exc:
        _error(str(exc))
        raise typer.Exit(1) from None
    except ExtractorLoadError as exc:
        _error(str(exc))
        raise typer.Exit(1) from None
    except ClusterError as exc:
        tail = f"; {store.saved} documents stored, run again to resume" if store is not None else ""
        _error(f"{exc}{tail}")
        raise typer.Exit(1) from None
    except KeyboardInterrupt:
        saved = store.saved if store is not None else 0
        tail = ", run again to resume" if store is not None else ""
        _error(f"interrupted; {saved} documents stored{tail}")
        raise typer.Exit(130) from None
    finally:
        if store is not None:
            store.close()


# -- corpus commands: entities, docs, show, elements ---------------------------------------

CORPUS_FORMATS = ("table", "jsonl", "json", "csv")

DbOpt = Annotated[
    str | None,
    typer.Option("--db", envvar="REETOOL_DB", help="Store file; default: .reetool/reetool.db here."),
]

VocabOpt = Annotated[list[str] | None, typer.Option("--vocab", help="Extra vocab folder (repeatable).")]


def _corpus_format(fmt: str | None) -> str:
    from reetool.output import default_format

    fmt = (fmt or default_format("table")).lower()
    if fmt not in CORPUS_FORMATS:
        raise typer.BadParameter(f"{fmt!r} is not one of {', '.join(CORPUS_FORMATS)}", param_hint="--format")
    return fmt


def _piped_records(ctx: typer.Context) -> Iterator[bytes] | None:
    """JSON lines waiting on stdin (``reetool extract ... | reetool entities``), else ``None``.

    Only a pipe or a redirected file counts, and only if it holds something: CI jobs and
    cron run with stdin closed, empty, or on /dev/null, and those must use the store.
    ``--db`` given on the command line always means the store.
    """
    import io
    import stat
    from itertools import chain

    source = ctx.get_parameter_source("db")
    if source is not None and source.name == "COMMANDLINE":
        return None
    stream = sys.stdin
    if stream is None or stream.closed:
        return None
    try:
        if stream.isatty():
            return None
        fd: int | None = stream.fileno()
    except (OSError, ValueError, io.UnsupportedOperation):
        fd = None  # an in-memory stream (tests, embedding): read it
    if fd is not None:
        try:
            mode = os.fstat(fd).st_mode
        except OSError:
            return None
        if not (stat.S_ISFIFO(mode) or stat.S_ISREG(mode)):
            return None
    raw = getattr(stream, "buffer", stream)
    first = raw.readline()
    while first and not first.strip():
        first = raw.readline()
    if not first:
        return None
    if isinstance(first, str):  # a text-only stream
        return (line.encode("utf-8") for line in chain([first], raw))
    return chain([first], raw)


def _shown_path(path: os.PathLike[str] | str) -> str:
    rel = os.path.relpath(path)
    return str(path) if rel.startswith("..") else rel


@contextmanager
def _corpus_store(db: str | None) -> Iterator[Store]:
    """The store opened read-only, or a one-line error saying how to make one."""
    from pathlib import Path

    from reetool.store import Store, StoreError, default_store_path

    path = Path(db) if db else default_store_path()
    if not path.exists():
        _error(f"no store at {_shown_path(path)}; run `reetool extract PATH...` first")
        raise typer.Exit(1)
    try:
        with Store.open(path, readonly=True) as store:
            yield store
    except StoreError as exc:
        _error(str(exc))
        raise typer.Exit(1) from None


def _piped_extractions(ctx: typer.Context) -> tuple[Iterator[Extraction] | None, list[str]]:
    """Extractions from JSON lines on stdin (``reetool extract ... | reetool entities``),
    or ``None`` when nothing is piped; plus the problems met on stdin, each reported as it
    is met and turned into exit status 1 by the caller."""
    problems: list[str] = []
    piped = _piped_records(ctx)
    if piped is None:
        return None, problems
    from reetool.corpus import read_jsonl_extractions

    def bad_line(lineno: int, reason: str) -> None:
        problems.append(reason)
        _error(f"-: line {lineno}: {reason}")

    return read_jsonl_extractions(piped, bad_line), problems


@contextmanager
def _corpus_input(ctx: typer.Context, db: str | None) -> Iterator[tuple[Iterator[Extraction], list[str]]]:
    """Extractions from stdin JSON lines if any, else from the store; plus stdin's problems."""
    piped, problems = _piped_extractions(ctx)
    if piped is not None:
        yield piped, problems
        return
    with _corpus_store(db) as store:
        yield store.extractions(), problems


def _emit(fmt: str, records: list[dict[str, typing.Any]], columns: list[str], table: typing.Any) -> None:
    from reetool.output import write_csv, write_json, write_jsonl

    if fmt == "jsonl":
        write_jsonl(records)
    elif fmt == "json":
        write_json(records)
    elif fmt == "csv":
        write_csv(records, columns)
    else:
        from reetool.report import console

        console().print(table() if callable(table) else table)


@app.command()
def entities(
    ctx: typer.Context,
    types: Annotated[
        list[str] | None, typer.Option("--type", "-t", help="Only these labels, e.g. ORG (repeatable).")
    ] = None,
    min_docs: Annotated[
        int, typer.Option("--min-docs", min=1, help="Only entities in at least N documents.")
    ] = 1,
    sort: Annotated[str, typer.Option("--sort", help="mentions, docs or name.")] = "mentions",
    limit: Annotated[int | None, typer.Option("--limit", min=1, help="Show the first N only.")] = None,
    explain: Annotated[bool, typer.Option("--explain", help="Show why names were merged.")] = False,
    fmt: FormatOpt = None,
    db: DbOpt = None,
    vocab: VocabOpt = None,
) -> None:
    """One row per entity across the corpus, variants merged: mentions, documents, dates.

    Reads JSON lines from stdin when piped (reetool extract ... --format jsonl | reetool entities),
    otherwise the store.
    """
    from reetool.corpus import EntityIndex, sort_entities
    from reetool.vocab import Vocab

    fmt = _corpus_format(fmt)
    if sort not in ("mentions", "docs", "name"):
        raise typer.BadParameter(f"{sort!r} is not one of mentions, docs, name", param_hint="--sort")
    index = EntityIndex(Vocab.load(vocab or ()), labels=types)
    piped, problems = _piped_extractions(ctx)
    if piped is not None:  # JSON lines: fold them one extraction at a time
        for ext in piped:
            index.add(ext)
    else:  # the store counts names in SQL from its indexes, never reading texts (issue 5)
        from reetool.store import Store

        Store.upgrade(db)  # an older store gets those indexes once, if we may write it
        with _corpus_store(db) as store:
            index.add_names(store.name_stats(index.labels))
    rows = sort_entities(index.entities(), sort=sort, min_docs=min_docs, limit=limit)
    records = [r.record(explain) for r in rows]
    columns = ["canonical", "label", "aliases", "mentions", "docs", "first_published", "last_published"]
    if explain:
        columns.append("evidence")
    from reetool.report import entities_table

    _emit(fmt, records, columns, lambda: entities_table(records, explain))
    if problems:
        raise typer.Exit(1)


@app.command()
def docs(ctx: typer.Context, fmt: FormatOpt = None, db: DbOpt = None) -> None:
    """The documents in the store: title, date, source and entity counts per label."""
    from reetool.corpus import STANDARD_LABELS

    fmt = _corpus_format(fmt)
    with _corpus_input_summaries(ctx, db) as (summaries, problems):
        if fmt == "jsonl":
            from reetool.output import write_jsonl

            write_jsonl(summaries)
            records: list[dict[str, typing.Any]] = []
        else:
            records = list(summaries)
    labels = list(STANDARD_LABELS)
    labels += sorted({lb for r in records for lb in r["counts"]} - set(labels))
    if fmt == "csv":
        from reetool.output import write_csv

        flat = ({**r, **{lb: r["counts"].get(lb, 0) for lb in labels}} for r in records)
        write_csv(flat, ["doc", "title", "published", "url", *labels])
    elif fmt != "jsonl":
        from reetool.report import docs_table

        _emit(fmt, records, [], lambda: docs_table(records, labels))
    if problems:
        raise typer.Exit(1)


@contextmanager
def _corpus_input_summaries(
    ctx: typer.Context, db: str | None
) -> Iterator[tuple[Iterator[dict[str, typing.Any]], list[str]]]:
    """Document summaries: counted from stdin JSON lines, or read from the store without texts."""
    from reetool.corpus import doc_summary_record, summaries_from_extractions

    piped, problems = _piped_extractions(ctx)
    if piped is not None:
        yield summaries_from_extractions(piped), problems
        return
    with _corpus_store(db) as store:
        yield (
            (doc_summary_record(s.doc, s.title, s.published, s.url, s.counts) for s in store.documents()),
            problems,
        )


@app.command()
def show(
    doc: Annotated[str, typer.Argument(help="A document as listed by `reetool docs`.")],
    html: Annotated[
        str | None, typer.Option("--html", help="Write a standalone HTML page to this file instead.")
    ] = None,
    fmt: FormatOpt = None,
    db: DbOpt = None,
) -> None:
    """A document's cleaned text with its entities highlighted by label."""
    from reetool.output import entity_record

    fmt = _corpus_format(fmt)
    with _corpus_store(db) as store:
        extraction = store.get(doc)
        if extraction is None:
            # Let people name a stored document by its file name or path tail.
            matches = [s.doc for s in store.documents() if s.doc.endswith(("/" + doc, "#" + doc))]
            if len(matches) == 1:
                extraction = store.get(matches[0])
            elif len(matches) > 1:
                _error(f"{doc}: matches {len(matches)} documents in the store; give the full name")
                raise typer.Exit(1)
        if extraction is None:
            _error(f"{doc}: not in the store; `reetool docs` lists the documents")
            raise typer.Exit(1)
    if html is not None:
        from reetool.html_page import render

        try:
            with open(html, "w", encoding="utf-8") as fh:
                fh.write(render(extraction))
        except OSError as exc:
            _error(f"{html}: {exc.strerror or exc}")
            raise typer.Exit(1) from None
        sys.stderr.write(f"reetool: wrote {html}\n")
        return
    document = extraction.document
    records = [entity_record(document, e) for e in extraction.entities]
    if fmt == "json":
        from reetool.output import document_record, write_json

        write_json({**document_record(document), "entities": records})
    elif fmt == "table":
        from reetool.report import console, highlighted, show_header

        out = console()
        out.print(show_header(extraction))
        out.print()
        out.print(highlighted(extraction), soft_wrap=False)
    else:
        columns = ["doc", "published", "label", "text", "start", "end", "canonical", "value"]
        _emit(fmt, records, [*columns, "inferred", "symbol"], None)


@app.command()
def elements(
    ctx: typer.Context,
    per_doc: Annotated[bool, typer.Option("--per-doc", help="One row per document and element.")] = False,
    fmt: FormatOpt = None,
    db: DbOpt = None,
    vocab: VocabOpt = None,
) -> None:
    """Which rare earth elements the corpus speaks of, light and heavy, in total and per document."""
    from reetool.corpus import ElementIndex
    from reetool.vocab import Vocab

    fmt = _corpus_format(fmt)
    index = ElementIndex(Vocab.load(vocab or ()))
    with _corpus_input(ctx, db) as (extractions, problems):
        for ext in extractions:
            index.add(ext)
    totals = [r.record() for r in index.totals()]
    per_doc_rows = list(index.per_doc_records())
    if per_doc:
        from reetool.report import elements_per_doc_table

        _emit(
            fmt,
            per_doc_rows,
            ["doc", "element", "symbol", "class", "mentions"],
            lambda: elements_per_doc_table(per_doc_rows),
        )
    else:
        from reetool.report import elements_chart, elements_per_doc_table

        def table() -> typing.Any:
            from rich.console import Group

            return Group(elements_chart(totals, index.classes()), elements_per_doc_table(per_doc_rows))

        _emit(fmt, totals, ["element", "symbol", "class", "mentions", "docs"], table)
    if problems:
        raise typer.Exit(1)


def _stdout_identity() -> tuple[int, int] | None:
    try:
        st = os.fstat(sys.stdout.fileno())
    except (AttributeError, OSError, ValueError):
        return None
    return (st.st_dev, st.st_ino)


def _reader_gone(started_on: tuple[int, int] | None) -> bool:
    """Whether stdout was a pipe whose reading end has closed.

    Linux reports that as POLLERR; rich handles a broken pipe itself by pointing
    stdout at /dev/null, which shows as stdout no longer being the file it started as.
    """
    import select

    if started_on is not None and _stdout_identity() != started_on:
        return True
    try:
        poller = select.poll()
        poller.register(sys.stdout.fileno(), select.POLLOUT)
        return any(event & select.POLLERR for _, event in poller.poll(0))
    except (AttributeError, OSError, ValueError):
        return False


def main() -> None:
    """Entry point: run the app, and stay quiet when the reader of our output goes away.

    ``reetool ... | head`` is a normal way to use a filter: click (and rich) report the
    broken pipe as exit status 1, which would fail a ``set -o pipefail`` script, so a
    run whose reader left counts as a success.
    """
    started_on = _stdout_identity()
    try:
        app()
    except BrokenPipeError:
        _silence_stdout()
        sys.exit(0)
    except SystemExit as exc:
        if exc.code == 1 and _reader_gone(started_on):
            _silence_stdout()
            sys.exit(0)
        raise


def _silence_stdout() -> None:
    """Drop what is still buffered for a reader that has gone, so exit cannot fail."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
