"""What a run has done so far, counted by the stages that do it.

``clean`` and ``extract`` show a progress bar and end with a one-line summary. Both must
count the work really done, which only the stages know: the pipeline reads ahead of
its results, serves stored documents without spaCy and extracts the others in batches,
possibly in other processes. So a stage given a :class:`Tally` counts each document at
the moment it is dealt with (a stored document when it is found in the store, an
extracted one when its batch comes back), not when the CLI receives it; the progress
bar reads the tally on its own refresh thread, so it moves even while the consumer
waits for a batch.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TypeVar

from reetool.document import Failure

T = TypeVar("T")


@dataclass(slots=True)
class Tally:
    """Documents seen and what became of them. Plain integers: a reader on another thread
    sees each count as it was a moment ago, never a torn value.

    ``expected`` is an estimate given before the run (the number of input files, since
    most hold one document); once ``reading_done``, ``read`` is the exact total.
    """

    expected: int = 0
    read: int = 0
    reading_done: bool = False
    cleaned: int = 0  # clean: documents cleaned
    extracted: int = 0  # extract: documents that went through spaCy in this run
    stored: int = 0  # extract: served from the store (or a stored copy of the same text)
    failed: int = 0
    started: float = field(default_factory=time.monotonic)

    @property
    def done(self) -> int:
        """Documents finished, whatever became of them."""
        return self.cleaned + self.extracted + self.stored + self.failed

    @property
    def total(self) -> int:
        """The best known number of documents in the run: exact once reading is done."""
        return self.read if self.reading_done else max(self.expected, self.read, self.done)

    def elapsed(self) -> float:
        """Seconds since the tally was started."""
        return time.monotonic() - self.started


def count_reads(items: Iterable[T], tally: Tally | None) -> Iterator[T]:
    """Pass a reader's stream through, counting documents read and inputs that failed;
    ``reading_done`` is set when the stream ends."""
    if tally is None:
        yield from items
        return
    for item in items:
        tally.read += 1
        if isinstance(item, Failure):
            tally.failed += 1
        yield item
    tally.reading_done = True
