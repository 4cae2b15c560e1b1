"""The CLI shell itself: version, help, and that help stays cheap to start."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from conftest import ROOT, run_on_terminal
from typer.testing import CliRunner

from reetool import __version__
from reetool.cli import app

runner = CliRunner()


def test_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.output.strip() == f"reetool {__version__}"


def test_help_lists_every_command() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("clean", "extract", "entities", "docs", "show", "elements"):
        assert command in result.output


def test_help_imports_no_heavy_library() -> None:
    """`reetool --help` must not pay for spaCy, ftfy, Dask, the store, rich, pydantic (typer's
    value conversion), the records layer, JSON or CSV writing, reading inputs or the
    progress bar: they load inside the commands that use them."""
    code = (
        "import sys\n"
        "from reetool.cli import app\n"
        "try:\n"
        "    app(['--help'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "heavy = ('spacy', 'ftfy', 'rapidfuzz', 'sqlite3', 'thinc', 'dask', 'distributed', 'rich',\n"
        "    'pydantic', 'reetool.records', 'reetool.document', 'reetool.store', 'reetool.timeline',\n"
        "    'orjson', 'json', 'csv', 'reetool.cli.inputs', 'reetool.cli.progress')\n"
        "heavy = sorted(m for m in heavy if m in sys.modules)\n"
        "print('HEAVY=' + ','.join(heavy))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "HEAVY="


def test_command_annotations_are_objects_not_strings() -> None:
    """typer reads every command's annotations at each start (``--help`` too): kept as
    strings (``from __future__ import annotations``) each would be compiled and
    evaluated again at every start."""
    import typer.main

    command = typer.main.get_command(app)
    callbacks = [c.callback for c in command.commands.values()]  # type: ignore[attr-defined]
    assert len(callbacks) >= 10
    for callback in callbacks:
        wrapped = getattr(callback, "__wrapped__", callback)
        strings = {k: v for k, v in wrapped.__annotations__.items() if isinstance(v, str)}
        assert not strings, f"{wrapped.__module__}.{wrapped.__name__}: {strings}"


def test_unknown_command_is_a_usage_error() -> None:
    result = runner.invoke(app, ["frobnicate"])
    assert result.exit_code == 2


def _store_with_one_document(path: Path) -> None:
    from reetool.document import Document, Entity, Extraction
    from reetool.store import Store

    text = "Lynas Rare Earths said neodymium output rose."
    doc = Document("a.txt", text, title="Output", published="2026-01-12", digest="d1")
    ents = [
        Entity("ORG", "Lynas Rare Earths", 0, 17, "Lynas Rare Earths"),
        Entity("ELEMENT", "neodymium", 23, 32, "neodymium", symbol="Nd"),
    ]
    with Store.open(path) as store:
        store.save([Extraction(doc, ents)], "test-model")


def _run_in_terminal(args: list[str], env: dict[str, str]) -> bytes:
    return run_on_terminal(args, env)[0]


_COLOUR = re.compile(rb"\x1b\[[0-9;]*(?:3[0-9]|4[0-9]|9[0-7])(?:;[0-9;]*)?m")


def test_tables_are_coloured_on_a_terminal_unless_no_color(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    _store_with_one_document(db)
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR", "TERM")}
    env.update(TERM="xterm-256color", COLUMNS="120", PYTHONPATH=str(ROOT))
    args = ["elements", "--db", str(db)]
    coloured = _run_in_terminal(args, env)
    assert b"neodymium" in coloured and _COLOUR.search(coloured)
    plain = _run_in_terminal(args, {**env, "NO_COLOR": "1"})
    assert b"neodymium" in plain and not _COLOUR.search(plain)


def test_piped_table_has_no_escape_codes(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    _store_with_one_document(db)
    env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": "200", "PYTHONPATH": str(ROOT)}
    out = subprocess.run(
        [sys.executable, "-m", "reetool", "entities", "--db", str(db), "--format", "table"],
        capture_output=True,
        env=env,
        check=True,
    ).stdout
    assert b"Lynas Rare Earths" in out and b"\x1b[" not in out


def test_clean_shows_a_bar_with_total_and_time_left_on_a_terminal(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(7):
        (folder / f"{i}.txt").write_text(f"Lynas Rare Earths raised output {i} times.\n", encoding="utf-8")
    (folder / ".hidden").write_text("not an input", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR", "TERM")}
    env.update(TERM="xterm-256color", COLUMNS="160", PYTHONPATH=str(ROOT))
    err, out, _ = run_on_terminal(["clean", str(folder), "--format", "jsonl"], env, stdout_too=False)
    assert out.count(b"\n") == 7  # the documents went to stdout, untouched by the bar
    plain = re.sub(rb"\x1b\[[0-9;?]*[A-Za-z]", b"", err)
    assert b"7/7 docs: 7 cleaned, 0 failed" in plain  # the total was counted before the run
    assert b"left" in plain and re.search(rb"\d+:\d\d:\d\d left", plain)  # time remaining
    # On a pipe, nothing at all goes to stderr.
    piped = subprocess.run(
        [sys.executable, "-m", "reetool", "clean", str(folder), "--format", "jsonl"],
        capture_output=True,
        env=env,
        timeout=300,
    )
    assert piped.stderr == b"" and piped.stdout == out
