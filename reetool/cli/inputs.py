"""Where the corpus commands read from: JSON lines piped on stdin, else the store.

``reetool extract ... --format jsonl | reetool entities`` works without a store; with
nothing piped, the commands read the store (``--db``) opened read-only. Problems met on
stdin are reported as they are met and collected, so the caller can finish the run and
exit with status 1.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import typer

from reetool.cli.errors import fail, report

if TYPE_CHECKING:
    from reetool.document import Extraction
    from reetool.store import Store


def piped_lines(ctx: typer.Context) -> Iterator[bytes] | None:
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


@contextmanager
def corpus_store(db: str | None) -> Iterator[Store]:
    """The store (``--db``, ``$REETOOL_DB``, else the nearest ``.reetool/reetool.db`` here
    or above) opened read-only, or a one-line error saying where it was looked for and
    how to make one."""
    from pathlib import Path

    from reetool.identity import shown_doc
    from reetool.store import Store, StoreError, find_store, not_found_message

    path = Path(db) if db else find_store()
    if path is None:
        fail(not_found_message())
    if not path.exists():
        fail(not_found_message(Path(shown_doc(str(path.absolute())))))
    # An older store is upgraded once, if we may write it: it gets the indexes the
    # corpus commands rely on, and its documents the identity they are counted by.
    Store.upgrade(path)
    try:
        with Store.open(path, readonly=True) as store:
            yield store
    except StoreError as exc:
        fail(str(exc))


def piped_extractions(ctx: typer.Context) -> tuple[Iterator[Extraction] | None, list[str]]:
    """Extractions from JSON lines on stdin, or ``None`` when nothing is piped; plus the
    problems met on stdin, each reported as it is met and turned into exit status 1 by
    the caller."""
    problems: list[str] = []
    piped = piped_lines(ctx)
    if piped is None:
        return None, problems
    from reetool.records import read_jsonl_extractions

    def bad_line(lineno: int, reason: str) -> None:
        problems.append(reason)
        report(f"-: line {lineno}: {reason}")

    return read_jsonl_extractions(piped, bad_line), problems


def count_mentions(extractions: Iterator[Extraction], seen: list[int]) -> Iterator[Extraction]:
    """Pass extractions through, counting documents (``seen[0]``) and mentions (``seen[1]``)."""
    for ext in extractions:
        seen[0] += 1
        seen[1] += len(ext.entities)
        yield ext


def require_mentions(seen: list[int]) -> None:
    """Piped records that name documents but hold no entity (``reetool clean`` output, say)
    cannot be what a corpus command was meant to read: say so instead of printing nothing."""
    if seen[0] and not seen[1]:
        fail(
            f"-: {seen[0]} document record{'s' * (seen[0] != 1)} on stdin but no entity records; "
            "expected JSON lines from `reetool extract --format jsonl`"
        )


@contextmanager
def corpus_input(ctx: typer.Context, db: str | None) -> Iterator[tuple[Iterator[Extraction], list[str]]]:
    """Extractions from stdin JSON lines if any, else from the store; plus stdin's problems."""
    piped, problems = piped_extractions(ctx)
    if piped is not None:
        ctx.meta["piped"] = True
        yield piped, problems
        return
    with corpus_store(db) as store:
        yield store.extractions(unique=True), problems


@contextmanager
def corpus_summaries(
    ctx: typer.Context, db: str | None
) -> Iterator[tuple[Iterator[dict[str, Any]], list[str]]]:
    """Document summaries: counted from stdin JSON lines, or read from the store without texts."""
    from reetool.records import doc_summary_record, summaries_from_extractions

    piped, problems = piped_extractions(ctx)
    if piped is not None:
        yield summaries_from_extractions(piped), problems
        return
    with corpus_store(db) as store:
        yield (
            (
                doc_summary_record(s.doc, s.title, s.published, s.url, s.counts, s.same_as)
                for s in store.documents()
            ),
            problems,
        )
