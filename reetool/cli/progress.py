"""Progress on stderr for long runs, only when stderr is a terminal.

Output and progress must not fight: when stdout is the same kind of terminal, documents
are printed through the progress bar's console so that they scroll above the bar
instead of being erased by it.
"""

from __future__ import annotations

import sys
import typing
from collections.abc import Callable, Iterator
from contextlib import contextmanager


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
def progress(label: str, wanted: bool = True) -> Iterator[tuple[Callable[[], None], typing.BinaryIO]]:
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
