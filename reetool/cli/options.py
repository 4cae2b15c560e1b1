"""Option and argument types shared by the commands: declare once, reuse by annotation.

A command writes ``db: DbOpt = None`` and gets the same flag, environment variable and
help everywhere. ``--format`` is a case-insensitive choice checked by click before the
command runs, so an unsupported format is a usage error (exit status 2) that names the
allowed ones; :func:`format_option` builds it for a command's own list of formats.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer.core import TyperArgument, TyperCommand

from reetool.cli.errors import USAGE, fail


class PlainCommand(TyperCommand):
    """A command whose usage line reads as a user writes it: ``reetool show [OPTIONS] DOC``
    and ``reetool extract [OPTIONS] PATH...``, not typer's ``{doc}`` and ``{PATH...}...``.

    Arguments are described in the command's help text and hidden from the list of
    options, where typer would add ``<list[str]>`` to them."""

    def collect_usage_pieces(self, ctx: Any) -> list[str]:
        pieces = [self.options_metavar] if self.options_metavar else []
        for param in self.get_params(ctx):
            if isinstance(param, TyperArgument):
                name = param.metavar or (param.name or "").upper()
                pieces.append(name if param.required else f"[{name}]")
        return pieces


if TYPE_CHECKING:
    from reetool.settings import Settings
    from reetool.webpage import PageOptions

#: Formats per kind of command: readable ones first (the terminal default), then machine ones.
CLEAN_FORMATS = ("text", "jsonl", "json")
EXTRACT_FORMATS = ("table", "jsonl", "json", "csv")
CORPUS_FORMATS = ("table", "jsonl", "json", "csv")


def format_option(formats: tuple[str, ...], help: str) -> Any:
    """``--format/-f`` restricted to ``formats``, any case; ``None`` when not given.

    The value is a ``str`` enum member, so it compares and lowers like the plain string."""
    choice = Enum("Format", {f: f for f in formats}, type=str)  # type: ignore[misc]
    return Annotated[choice | None, typer.Option("--format", "-f", case_sensitive=False, help=help)]


_TTY_HELP = "Output format; default: table on a terminal, jsonl when piped."
CleanFormatOpt = format_option(CLEAN_FORMATS, "Output format; default: text on a terminal, else jsonl.")
ExtractFormatOpt = format_option(EXTRACT_FORMATS, _TTY_HELP)
CorpusFormatOpt = format_option(CORPUS_FORMATS, _TTY_HELP)


def _labels(values: list[str] | None) -> list[str] | None:
    """``--type`` values in upper case; an unknown label is a usage error naming the known ones."""
    from reetool.labels import LABELS, RELATIONS

    if not values:
        return values
    known = (*LABELS, *RELATIONS)
    wanted = [v.upper() for v in values]
    unknown = [v for v in wanted if v not in known]
    if unknown:
        raise typer.BadParameter(f"{unknown[0]!r} is not a label; use one of {', '.join(known)}")
    return wanted


def _size(value: str | None) -> int | None:
    """``--max-bytes``: bytes, or a size with a unit as ``$REETOOL_MAX_BYTES`` takes (``200MB``)."""
    from reetool.reader import parse_size

    if value is None:
        return None
    try:
        return parse_size(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a size; use bytes or e.g. 200MB (0 = no limit)") from None


PathsArg = Annotated[list[str], typer.Argument(metavar="PATH...", hidden=True, show_default=False)]
DbOpt = Annotated[
    str | None,
    typer.Option(
        "--db",
        envvar="REETOOL_DB",
        metavar="FILE",
        help="Store file; default: .reetool/reetool.db here or in the nearest folder above.",
    ),
]
VocabOpt = Annotated[
    list[str] | None, typer.Option("--vocab", metavar="DIR", help="Extra vocab folder (repeatable).")
]
TypesOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--type",
        "-t",
        metavar="LABEL",
        callback=_labels,
        help="Only this label (repeatable): PERSON, ORG, GPE, DATE or ELEMENT.",
    ),
]
ModelOpt = Annotated[
    str | None, typer.Option("--model", envvar="REETOOL_MODEL", metavar="NAME", help="spaCy pipeline to use.")
]
NameOpt = Annotated[
    str | None,
    typer.Option(
        "--name", metavar="NAME", help="Name for the text read from stdin (-); default: from its content."
    ),
]
QuietOpt = Annotated[
    bool,
    typer.Option(
        "--quiet",
        "-q",
        help="No progress bar or end-of-run summary on the terminal (errors are still reported).",
    ),
]


def settings(
    vocab: Iterable[str] | None = None,
    model: str | None = None,
    db: str | None = None,
    max_bytes: int | None = None,
) -> Settings:
    """The run's settings from its options; a broken vocab file is a usage error (status 2)."""
    from reetool.settings import Settings
    from reetool.vocab import VocabError

    try:
        return Settings.resolve(vocab, model=model, db=db, max_bytes=max_bytes)
    except VocabError as exc:
        fail(f"vocab: {exc}", USAGE)


MaxBytesOpt = Annotated[
    int | None,
    typer.Option(
        "--max-bytes",
        metavar="SIZE",
        parser=_size,
        help="Refuse input files larger than this: bytes or e.g. 200MB; 0 = no limit.",
    ),
]
FullPageOpt = Annotated[
    bool,
    typer.Option("--full", help="Web pages: keep the whole page's text, not only the article."),
]
CommentsOpt = Annotated[
    bool, typer.Option("--comments", help="Web pages: keep the readers' comments below the article.")
]


@dataclass(frozen=True, slots=True)
class FileInputs:
    """The options every command that reads files shares, as one value: what to read
    (``PATH...``), with which vocab, how to name stdin, the size limit, how to cut web pages."""

    paths: list[str]
    vocab: list[str] | None = None
    name: str | None = None
    max_bytes: int | None = None
    full: bool = False
    comments: bool = False

    def page(self) -> PageOptions:
        """``--full`` and ``--comments`` as the web page reader takes them."""
        from reetool.webpage import PageOptions

        return PageOptions(full=self.full, comments=self.comments)


#: The options :func:`reads_files` adds: declared once, in this order (``PATH...`` first).
_FILE_OPTIONS = (
    ("paths", PathsArg, inspect.Parameter.empty),
    ("vocab", VocabOpt, None),
    ("name", NameOpt, None),
    ("max_bytes", MaxBytesOpt, None),
    ("full", FullPageOpt, False),
    ("comments", CommentsOpt, False),
)


def reads_files(command: Callable[..., None]) -> Callable[..., None]:
    """Give a command the options of every command that reads files (``PATH...``,
    ``--vocab``, ``--name``, ``--max-bytes``, ``--full``, ``--comments``) and pass them to it
    as one ``inputs: FileInputs`` argument, so that each is declared and read in one place.

    The command's own options come first in ``--help``; typer reads the parameters from
    the signature this sets."""
    own = [p for p in inspect.signature(command, eval_str=True).parameters.values() if p.name != "inputs"]
    kind = inspect.Parameter.POSITIONAL_OR_KEYWORD
    shared = [
        inspect.Parameter(name, kind, annotation=hint, default=default)
        for name, hint, default in _FILE_OPTIONS
    ]
    params = [shared[0], *own, *shared[1:]]

    @functools.wraps(command)
    def run(**options: Any) -> None:
        inputs = FileInputs(**{name: options.pop(name) for name, _, _ in _FILE_OPTIONS})
        command(inputs=inputs, **options)

    run.__signature__ = inspect.Signature(params, return_annotation=None)  # type: ignore[attr-defined]
    run.__annotations__ = {p.name: p.annotation for p in params}
    return run
