"""Progress and the end-of-run summary on stderr, only when stderr is a terminal.

Both read a :class:`reetool.tally.Tally` that the stages update as they work: the bar
counts documents done (served from the store the moment they are found, extracted when
their batch is stored, failed), out of the documents expected (the input files, counted
cheaply before the run, until reading is over and the real number is known). The bar
is redrawn from the tally on rich's refresh thread, so it moves while a batch is out.

Output and progress must not fight: when stdout is the same kind of terminal, documents
are printed through the bar's console so that they scroll above the bar instead of
being erased by it. Pipes and files get neither bar nor summary.
"""

from __future__ import annotations

import sys
import typing
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

if typing.TYPE_CHECKING:  # the records it counts are not for `reetool --help` to import
    from reetool.tally import Tally


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


def counts(tally: Tally, label: str, stored: str = "from the store") -> str:
    """``3 extracted, 2 from the store, 0 failed`` (``5 cleaned, 0 failed`` for ``cleaning``)."""
    if label == "cleaning":
        return f"{tally.cleaned} cleaned, {tally.failed} failed"
    return f"{tally.extracted} extracted, {tally.stored} {stored}, {tally.failed} failed"


def summary(tally: Tally, label: str) -> str:
    """The run in one line: ``5 documents: 3 extracted, 2 from the store, 0 failed in 4.2 s``."""
    seconds = tally.elapsed()
    took = f"{seconds:.1f} s" if seconds < 60 else f"{int(seconds // 60)} min {int(seconds % 60)} s"
    noun = "document" if tally.read == 1 else "documents"
    return f"{tally.read} {noun}: {counts(tally, label)} in {took}"


def show_summary(tally: Tally, label: str, quiet: bool = False) -> None:
    """Print the summary on stderr when a person is watching it (a terminal), unless ``quiet``."""
    if not quiet and sys.stderr.isatty():
        sys.stderr.write(f"reetool: {summary(tally, label)}\n")


@contextmanager
def progress(
    label: str, paths: Iterable[str], tally: Tally, wanted: bool = True
) -> Iterator[typing.BinaryIO]:
    """A transient progress bar on stderr drawn from ``tally``, only when stderr is a
    terminal (and the caller ``wanted`` one).

    Sets the tally's ``expected`` from the input files and yields where to write output:
    stdout's bytes (UTF-8 whatever the locale), or, when stdout is the same kind of
    terminal, the bar's console.
    """
    if not (wanted and sys.stderr.isatty()):
        yield sys.stdout.buffer
        return
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    from reetool.reader import count_inputs

    class TallyProgress(Progress):
        """Brings the task up to date with the tally each time the bar is drawn."""

        def get_renderables(self) -> typing.Any:
            for task in self.task_ids:  # one task, once added
                self.update(
                    task, completed=tally.done, total=tally.total, counts=counts(tally, label, "stored")
                )
            return super().get_renderables()

    tally.expected = count_inputs(list(paths))
    console = Console(stderr=True)
    columns = (  # fits 80 columns: the summary line says the rest
        TextColumn(label),
        BarColumn(bar_width=12),
        TextColumn("{task.completed:.0f}/{task.total:.0f} docs: {task.fields[counts]}"),
        TimeRemainingColumn(),
        TextColumn("left"),
    )
    with TallyProgress(*columns, console=console, transient=True, redirect_stdout=False) as bar:
        bar.add_task(label, total=tally.total, counts="")
        yield _ConsoleOut(console) if sys.stdout.isatty() else sys.stdout.buffer  # type: ignore[misc]
