"""Exit statuses and error messages: one mapping for every command.

======  =====================================================================
status  meaning
======  =====================================================================
0       everything asked for was done
1       some input could not be used (a file, a line on stdin, a document not
        in the store) or the store could not be opened; the rest was done and
        kept, and each problem was reported on stderr in one line
2       usage error: an unknown option or format, a bad value, an unreadable
        vocab file; nothing was processed
130     interrupted (Ctrl-C); whole batches already stored are kept
======  =====================================================================

Errors are one line on stderr, ``reetool: WHAT: WHY``, never a traceback for a
user's mistake.
"""

from __future__ import annotations

import sys
from typing import NoReturn

import typer

OK = 0
FAILED = 1
USAGE = 2
INTERRUPTED = 130


def report(message: str) -> None:
    """One line on stderr; the run goes on."""
    sys.stderr.write(f"reetool: {message}\n")


def fail(message: str, status: int = FAILED) -> NoReturn:
    """Report and stop with ``status``."""
    report(message)
    raise typer.Exit(status)


def finish(failed: bool) -> None:
    """End a run that went on past problems: exit status 1 if there were any."""
    if failed:
        raise typer.Exit(FAILED)
