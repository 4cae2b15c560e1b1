"""Progress on stderr for long runs, only when stderr is a terminal.

The bar counts input files (counted cheaply before the run, from directory listings)
and shows the documents done, the rate and the time left. Output and progress must not
fight: when stdout is the same kind of terminal, documents are printed through the
bar's console so that they scroll above the bar instead of being erased by it.
"""

from __future__ import annotations

import sys
import typing
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager

#: Called once per document with its name; moves the bar when a new input file starts.
Advance = Callable[[str], None]


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
def progress(
    label: str, paths: Iterable[str], wanted: bool = True
) -> Iterator[tuple[Advance, typing.BinaryIO]]:
    """A transient progress bar on stderr, only when stderr is a terminal (and the
    caller ``wanted`` one).

    Yields the function to call once per document (with its name) and where to write
    output: stdout's bytes (UTF-8 whatever the locale), or, when stdout is the same
    kind of terminal, the bar's console.
    """
    if not (wanted and sys.stderr.isatty()):
        yield (lambda doc: None), sys.stdout.buffer
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    from reetool.reader import count_inputs, source_file

    paths = list(paths)
    console = Console(stderr=True)
    columns = (
        TextColumn(f"{label} {{task.fields[docs]}} documents"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("files"),
        TextColumn("{task.fields[rate]}"),
        TimeElapsedColumn(),
        TextColumn("left"),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=console, transient=True, redirect_stdout=False) as bar:
        task = bar.add_task(label, total=count_inputs(paths), docs=0, rate="")
        docs = 0
        current: str | None = None

        def advance(doc: str) -> None:
            nonlocal docs, current
            docs += 1
            name = source_file(doc)
            step = 0
            if name != current:
                current, step = name, 1
            speed = bar.tasks[0].speed
            rate = f"{speed:.1f} files/s" if speed else ""
            bar.update(task, advance=step, docs=docs, rate=rate)

        out = _ConsoleOut(console) if sys.stdout.isatty() else sys.stdout.buffer
        yield advance, out  # type: ignore[misc]
