"""Writing records to stdout in every output format, safely for pipes.

One writer serves every command and format: ``jsonl`` (one orjson line per record),
``json`` (one array, streamed, the bytes of ``json.dumps(records, indent=2)``
for every command), ``csv`` (a header, then one row per record, formula-like
cells neutralised), and ``table``/``text`` for people, where a command-supplied
``render`` turns a record into a rich renderable or into bytes. Records are written as
they come and flushed per batch, so ``| head`` sees output at once and memory does not
grow with the corpus.

Also here: what makes ``reetool ... | head`` exit quietly (the reader of our output
may leave at any time).

Every command module imports this one, so ``reetool --help`` does too: what only
writing needs (orjson, csv, the records module, rich) is imported where it writes.
"""

from __future__ import annotations

import io
import os
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, BinaryIO


def write_json(obj: Any, out: BinaryIO | None = None) -> None:
    import orjson

    out = out or sys.stdout.buffer
    out.write(orjson.dumps(obj, option=orjson.OPT_INDENT_2) + b"\n")
    out.flush()


class JsonArray:
    """``--format json`` for a stream of records: one valid JSON array, written as the
    records come, so a corpus never has to fit in memory to be printed.

    Every command writes the same shape: the bytes ``json.dumps(records, indent=2)``
    (or ``orjson`` with ``OPT_INDENT_2``) gives for the whole list, items indented inside
    the array, so that a reader never needs to know which command wrote a file."""

    def __init__(self, out: BinaryIO | None = None) -> None:
        self.out = out or sys.stdout.buffer
        self.count = 0

    def __enter__(self) -> JsonArray:
        return self

    def add(self, record: dict[str, Any]) -> None:
        import orjson

        lead = b",\n" if self.count else b"[\n"
        body = b"  " + orjson.dumps(record, option=orjson.OPT_INDENT_2).replace(b"\n", b"\n  ")
        self.out.write(lead + body)
        self.out.flush()
        self.count += 1

    def __exit__(self, exc_type: object, *_: object) -> None:
        if exc_type is None:
            self.out.write(b"\n]\n" if self.count else b"[]\n")
            self.out.flush()


#: Characters that make a spreadsheet read a cell as a formula (also tab and CR, which
#: some spreadsheets strip before looking).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> str:
    """A value as a CSV cell that a spreadsheet shows as text, never runs as a formula.

    Article text is attacker-controlled: an organization named ``=HYPERLINK(...)`` must
    not become a live formula when someone opens our CSV. Lists are joined with ``"; "``,
    dicts written as JSON, ``None`` left empty.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, (list, tuple)):
        text = "; ".join("" if v is None else str(v) for v in value)
    elif isinstance(value, dict):
        import orjson

        text = orjson.dumps(value).decode()
    else:
        text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def write_csv(records: Iterable[dict[str, Any]], columns: list[str], out: BinaryIO | None = None) -> None:
    """CSV with a header row, UTF-8, one row per record, formula-like cells neutralised."""
    import csv
    import io

    out = out or sys.stdout.buffer
    text = io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=True)
    try:
        writer = csv.writer(text, lineterminator="\n")
        writer.writerow([csv_cell(c) for c in columns])
        for rec in records:
            writer.writerow([csv_cell(rec.get(c)) for c in columns])
        text.flush()
    finally:
        text.detach()  # leave ``out`` open for the caller
    out.flush()


#: What ``render`` may return for table/text output: a rich renderable, or raw bytes.
Render = Callable[[Any], Any]


def resolve_format(fmt: str | None, tty_format: str) -> str:
    """The chosen format in lower case, else readable output on a terminal, JSON lines in a pipe."""
    if fmt:
        return str(getattr(fmt, "value", fmt)).lower()
    return tty_format if sys.stdout.isatty() else "jsonl"


class RecordWriter:
    """Writes records in one format; use through :func:`records_out`."""

    def __init__(
        self,
        fmt: str,
        out: BinaryIO,
        columns: Sequence[str] = (),
        render: Render | None = None,
    ) -> None:
        self.fmt, self.out, self.columns, self.render = fmt, out, list(columns), render
        self._array: JsonArray | None = JsonArray(out) if fmt == "json" else None
        self._csv: Any = None
        self._text: io.TextIOWrapper | None = None
        self._console: Any = None

    def write(self, record: Any) -> None:
        """One record: a dict for the machine formats, whatever ``render`` takes otherwise."""
        self.write_all((record,))

    def write_all(self, records: Iterable[Any]) -> None:
        """Several records, flushed once: a document's mentions go out together."""
        if self.fmt == "jsonl":
            from reetool.records import write_jsonl  # the records module only when writing them

            write_jsonl(records, self.out)
        elif self._array is not None:
            for rec in records:
                self._array.add(rec)
        elif self.fmt == "csv":
            writer = self._csv_writer()
            for rec in records:
                writer.writerow([csv_cell(rec.get(c)) for c in self.columns])
            self.out.flush()
        else:
            for rec in records:
                self._show(rec)

    def _csv_writer(self) -> Any:
        if self._csv is None:
            import csv

            self._text = io.TextIOWrapper(self.out, encoding="utf-8", newline="", write_through=True)
            self._csv = csv.writer(self._text, lineterminator="\n")
            self._csv.writerow([csv_cell(c) for c in self.columns])
        return self._csv

    def _show(self, record: Any) -> None:
        shown = self.render(record) if self.render is not None else record
        if isinstance(shown, bytes):
            self.out.write(shown)
            self.out.flush()
            return
        if self._console is None:
            from reetool.report import console

            self._console = console()
        self._console.print(shown)

    def close(self, ok: bool = True) -> None:
        """End the output: close a JSON array, write a CSV header even for no rows."""
        if self._array is not None:
            self._array.__exit__(None if ok else Exception)
        elif self.fmt == "csv" and ok:
            self._csv_writer()
        if self._text is not None:
            self._text.flush()
            self._text.detach()  # leave ``out`` open for the caller
            self._text = None
            self.out.flush()


@contextmanager
def records_out(
    fmt: str,
    out: BinaryIO | None = None,
    *,
    columns: Sequence[str] = (),
    render: Render | None = None,
) -> Iterator[RecordWriter]:
    """A :class:`RecordWriter` on ``out`` (stdout's bytes by default), closed properly
    at the end; a JSON array is left unclosed if the run fails, so nobody mistakes a
    broken run for a complete one."""
    writer = RecordWriter(fmt, out or sys.stdout.buffer, columns, render)
    try:
        yield writer
    except BaseException:
        writer.close(ok=False)
        raise
    writer.close()


def emit(
    fmt: str,
    records: Iterable[dict[str, Any]],
    columns: Sequence[str] = (),
    table: Callable[[], Any] | None = None,
) -> None:
    """A whole result set to stdout: records for the machine formats, ``table()`` for people."""
    with records_out(fmt, columns=columns, render=lambda show: show()) as out:
        if fmt in ("table", "text"):
            if table is not None:
                out.write(table)
        else:
            out.write_all(records)


# -- pipes -------------------------------------------------------------------------------


def stdout_identity() -> tuple[int, int] | None:
    try:
        st = os.fstat(sys.stdout.fileno())
    except (AttributeError, OSError, ValueError):
        return None
    return (st.st_dev, st.st_ino)


def reader_gone(started_on: tuple[int, int] | None) -> bool:
    """Whether stdout was a pipe whose reading end has closed.

    Linux reports that as POLLERR; rich handles a broken pipe itself by pointing
    stdout at /dev/null, which shows as stdout no longer being the file it started as.
    """
    import select

    if started_on is not None and stdout_identity() != started_on:
        return True
    try:
        poller = select.poll()
        poller.register(sys.stdout.fileno(), select.POLLOUT)
        return any(event & select.POLLERR for _, event in poller.poll(0))
    except (AttributeError, OSError, ValueError):
        return False


def silence_stdout() -> None:
    """Drop what is still buffered for a reader that has gone, so exit cannot fail."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
