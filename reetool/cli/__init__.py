"""Command line: parses options, calls the library stages, formats their output.

No domain logic lives here. Each command module holds its own ``typer.Typer`` and is
registered below with one line; shared option types live in :mod:`reetool.cli.options`,
output in :mod:`reetool.cli.emit`, exit statuses in :mod:`reetool.cli.errors`. Heavy
imports (spaCy) happen inside the commands that need them so that ``reetool --help``
stays instant, and so do the modules only a running command needs (reading inputs,
:mod:`reetool.cli.inputs`; the progress bar, :mod:`reetool.cli.progress`; orjson).

The command modules (this one, ``files``, ``corpus``, ``people``, ``trends``) do not use
``from __future__ import annotations``: typer reads every command's annotations at each
start, ``--help`` included, and annotations kept as strings would have it compile and
evaluate each one again (about 0.01 s of every start; ``tests/test_cli_basics.py``).
"""

import sys
from typing import Annotated

import typer

from reetool import __version__
from reetool.cli import coercion, corpus, files, people, trends
from reetool.cli.emit import reader_gone, silence_stdout, stdout_identity

coercion.install()  # option values converted without importing pydantic at each start

app = typer.Typer(
    name="reetool",
    help="Text mining for rare earth industry news: clean, extract, and report.",
    no_args_is_help=True,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)


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


# One line per command module; commands are listed in --help in this order.
app.add_typer(files.app)
app.add_typer(corpus.app)
app.add_typer(people.app)
app.add_typer(trends.app)


def main() -> None:
    """Entry point: run the app, and stay quiet when the reader of our output goes away.

    ``reetool ... | head`` is a normal way to use a filter: click (and rich) report the
    broken pipe as exit status 1, which would fail a ``set -o pipefail`` script, so a
    run whose reader left counts as a success.
    """
    started_on = stdout_identity()
    try:
        app()
    except BrokenPipeError:
        silence_stdout()
        sys.exit(0)
    except SystemExit as exc:
        if exc.code == 1 and reader_gone(started_on):
            silence_stdout()
            sys.exit(0)
        raise
