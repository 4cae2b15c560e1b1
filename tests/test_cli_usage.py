"""Usage errors, help text and report shapes as a user meets them (issue 15)."""

from __future__ import annotations

import io
import itertools
import os
import shlex
import subprocess
import sys

from typer.testing import CliRunner

from reetool.cli import app
from reetool.report import elements_chart

runner = CliRunner()


def test_unknown_label_or_sort_key_is_a_usage_error_listing_the_allowed_ones() -> None:
    for args, allowed in (
        (["entities", "--type", "PERSONS"], "PERSON, ORG, GPE, DATE, ELEMENT"),
        (["extract", "-", "--type", "FOO"], "PERSON, ORG, GPE, DATE, ELEMENT"),
        (["entities", "--sort", "size"], "'mentions', 'docs', 'name'"),
    ):
        result = runner.invoke(app, args, input="")
        assert result.exit_code == 2, (args, result.output)
        assert allowed in result.stderr


def test_max_bytes_takes_units_as_the_environment_does(tmp_path) -> None:
    text = tmp_path / "a.txt"
    text.write_text("Lynas said output rose in 2024.\n", encoding="utf-8")
    base = ["extract", "--no-store", "-f", "jsonl"]
    accepted = runner.invoke(app, [*base, "--max-bytes", "200MB", str(tmp_path / "missing.txt")])
    assert accepted.exit_code == 1 and "no such file" in accepted.stderr  # the size was taken
    small = runner.invoke(app, [*base, "--max-bytes", "0.01KB", str(text)])
    assert small.exit_code == 1 and "over the 10 bytes limit" in small.stderr
    bad = runner.invoke(app, [*base, "--max-bytes", "lots", str(text)])
    assert bad.exit_code == 2 and "not a size" in bad.stderr


def test_piped_records_without_entities_are_an_error_naming_what_was_expected() -> None:
    clean_output = '{"doc":"a.txt","title":null,"published":null,"url":null,"text":"x","fixes":{}}\n'
    for command in ("entities", "elements"):
        result = runner.invoke(app, [command, "-f", "jsonl"], input=clean_output)
        assert result.exit_code == 1 and result.stdout == ""
        assert result.stderr.count("\n") == 1
        assert "no entity records" in result.stderr and "reetool extract --format jsonl" in result.stderr


def _commands() -> list[str]:
    import typer.main

    return list(typer.main.get_command(app).commands)  # type: ignore[attr-defined]


def test_every_command_summary_fits_80_columns_uncut() -> None:
    """As printed by the real program on an 80-column terminal: one line per command, whole."""
    env = {**os.environ, "COLUMNS": "80"}
    top = subprocess.run(
        [sys.executable, "-m", "reetool", "--help"], capture_output=True, text=True, env=env, check=True
    ).stdout
    listed = top.split("Commands:\n", 1)[1].splitlines()
    assert [line.split()[0] for line in listed] == _commands()
    for line in listed:
        assert len(line) <= 80 and not line.rstrip().endswith("..."), line
        assert line.rstrip().endswith("."), line  # the whole first sentence, not a cut one


def test_every_command_help_has_an_example_that_parses() -> None:
    """Each command's --help shows ``Example: reetool COMMAND ...`` whose options and
    choices the command accepts (parsed as the shell would, up to a pipe or redirect)."""
    import typer.main

    group = typer.main.get_command(app)
    for name in _commands():
        text = runner.invoke(app, [name, "--help"], env={"COLUMNS": "100"}).stdout
        examples = [line.strip() for line in text.splitlines() if line.strip().startswith("Example: ")]
        assert examples, f"{name} --help has no example"
        for example in examples:
            words = shlex.split(example.removeprefix("Example: "), posix=True)
            assert words[:2] == ["reetool", name], example
            args = list(itertools.takewhile(lambda w: w not in ("|", ">", ">>", "<"), words[2:]))
            command = group.commands[name]  # type: ignore[attr-defined]
            command.make_context(name, args, resilient_parsing=False)  # raises on a bad option


def test_help_reads_as_a_user_writes_commands() -> None:
    for command, usage in (("extract", "PATH..."), ("clean", "PATH..."), ("show", "DOC")):
        text = runner.invoke(app, [command, "--help"]).stdout
        assert f"Usage: reetool {command} [OPTIONS] {usage}\n" in text
        assert "Example: reetool" in text
        assert "<list[str]>" not in text and "{" not in text.splitlines()[0]
    extract = runner.invoke(app, ["extract", "--help"]).stdout
    assert "--workers N" in extract and "--max-bytes SIZE" in extract and "--type LABEL" in extract
    assert "<int range>" not in extract
    assert "<mentions|docs|name>" in runner.invoke(app, ["entities", "--help"]).stdout


def test_element_bars_are_proportional_and_fit_the_terminal() -> None:
    from rich.console import Console

    totals = [
        {"element": "neodymium", "symbol": "Nd", "class": "light", "mentions": 4, "docs": 2},
        {"element": "terbium", "symbol": "Tb", "class": "heavy", "mentions": 3, "docs": 2},
        {"element": "dysprosium", "symbol": "Dy", "class": "heavy", "mentions": 1, "docs": 1},
    ]
    for width in (60, 80, 120):
        console = Console(width=width, no_color=True, record=True, file=io.StringIO())
        console.print(elements_chart(totals, {}, total_width=width))
        lines = console.export_text().splitlines()
        bars = [line.count("█") for line in lines if "█" in line]
        assert all(len(line.rstrip()) <= width for line in lines)
        assert bars[0] >= 10
        assert abs(bars[1] / bars[0] - 3 / 4) < 0.05 and abs(bars[2] / bars[0] - 1 / 4) < 0.05
