"""Command line: parses options, calls the library stages, formats their output.

No domain logic lives here. Heavy imports (spaCy) happen inside the commands that
need them so that ``reetool --help`` stays instant.
"""

from __future__ import annotations

import os
import sys
from typing import Annotated

import typer

from reetool import __version__

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
    fmt: FormatOpt = None,
) -> None:
    """Fix mojibake, strip HTML and site furniture; print the cleaned documents."""
    from reetool.cleaner import clean_all
    from reetool.document import Failure
    from reetool.output import default_format, document_record, write_jsonl
    from reetool.reader import read_paths

    fmt = fmt or default_format("text")
    failed = False
    for item in clean_all(read_paths(paths)):
        if isinstance(item, Failure):
            _error(str(item))
            failed = True
            continue
        if fmt == "jsonl":
            write_jsonl([document_record(item)])
        else:
            typer.echo(f"==> {item.doc}\n{item.text}\n")
    if failed:
        raise typer.Exit(1)


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
) -> None:
    """Find people, organizations, dates and rare earth elements in each document."""
    from reetool.document import Failure
    from reetool.output import default_format, entity_record, write_jsonl
    from reetool.pipeline import run_extract

    fmt = fmt or default_format("table")
    wanted = {t.upper() for t in types} if types else None
    failed = False
    for item in run_extract(paths, model=model):
        if isinstance(item, Failure):
            _error(str(item))
            failed = True
            continue
        doc = item.document
        write_jsonl(entity_record(doc, e) for e in item.entities if not wanted or e.label in wanted)
    if failed:
        raise typer.Exit(1)


def main() -> None:
    """Entry point: run the app, and stay quiet when the reader of our output goes away."""
    try:
        app()
    except BrokenPipeError:
        # `reetool ... | head`: the reader left; drop what is still buffered and exit quietly.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(0)
