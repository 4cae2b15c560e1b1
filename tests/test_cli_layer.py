"""The shared command-line layer: one --format option checked the same way by every
command, one writer for every format, one set of exit statuses."""

from __future__ import annotations

import csv
import io

import orjson
import pytest
from conftest import SEEDS
from typer.testing import CliRunner

from reetool.cli import app
from reetool.cli.options import CLEAN_FORMATS, CORPUS_FORMATS, EXTRACT_FORMATS
from reetool.records import ENTITY_COLUMNS

runner = CliRunner()
SEED = str(SEEDS / "000_67cfdd6f7d210181.txt")

COMMANDS = {
    "clean": ([SEED], CLEAN_FORMATS),
    "extract": ([SEED, "--no-store"], EXTRACT_FORMATS),
    "entities": ([], CORPUS_FORMATS),
    "docs": ([], CORPUS_FORMATS),
    "show": (["x"], CORPUS_FORMATS),
    "elements": ([], CORPUS_FORMATS),
}


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_unsupported_format_is_a_usage_error_naming_the_allowed_ones(command: str) -> None:
    args, allowed = COMMANDS[command]
    result = runner.invoke(app, [command, *args, "--format", "xml"])
    assert result.exit_code == 2
    for fmt in allowed:
        assert f"'{fmt}'" in result.output
    assert "Traceback" not in result.output


def test_clean_takes_a_format_in_any_case() -> None:
    lower = runner.invoke(app, ["clean", SEED, "--format", "jsonl"])
    upper = runner.invoke(app, ["clean", SEED, "--format", "JSONL"])
    assert upper.exit_code == lower.exit_code == 0
    assert upper.stdout == lower.stdout
    assert orjson.loads(upper.stdout.splitlines()[0])["doc"] == SEED


@pytest.mark.slow
def test_extract_csv_is_csv_with_the_jsonl_records() -> None:
    """It used to print JSON lines under --format csv and exit 0."""
    as_csv = runner.invoke(app, ["extract", SEED, "--no-store", "--format", "csv"])
    as_jsonl = runner.invoke(app, ["extract", SEED, "--no-store", "--format", "jsonl"])
    assert as_csv.exit_code == as_jsonl.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    records = [orjson.loads(line) for line in as_jsonl.stdout.splitlines()]
    # roles are among the records, so their person, title and org columns follow
    assert list(rows[0]) == [*ENTITY_COLUMNS, "person", "title", "org"]
    assert len(rows) == len(records) > 5
    assert [(r["label"], r["text"], int(r["start"])) for r in rows] == [
        (r["label"], r["text"], r["start"]) for r in records
    ]


@pytest.mark.slow
def test_extract_table_in_capitals_is_the_table() -> None:
    result = runner.invoke(app, ["extract", SEED, "--no-store", "--format", "TABLE"])
    assert result.exit_code == 0
    assert not result.stdout.lstrip().startswith("{")
    assert "ELEMENT" in result.stdout and "━" in result.stdout


@pytest.fixture
def latin1_vocab(tmp_path):
    """An organizations.tsv saved as Latin-1, as a spreadsheet on Windows may save it."""
    d = tmp_path / "vocab"
    d.mkdir()
    (d / "organizations.tsv").write_bytes("name\taliases\nSociété Minière\tSM\n".encode("latin-1"))
    return d


@pytest.mark.parametrize(
    "args",
    [
        ["clean", SEED],
        ["extract", SEED, "--no-store"],
        ["entities", "--db", "nowhere.db"],
        ["elements", "--db", "nowhere.db"],
        ["timeline", "--db", "nowhere.db"],
        ["search", "lynas", "--db", "nowhere.db"],
        ["people", "--db", "nowhere.db"],
    ],
    ids=lambda a: a[0],
)
def test_a_bad_vocab_file_is_one_line_and_the_same_status_everywhere(args, latin1_vocab) -> None:
    """It used to exit 2 from clean, 1 from extract, and crash entities with a traceback."""
    import subprocess
    import sys

    proc = subprocess.run(
        [sys.executable, "-m", "reetool", *args, "--vocab", str(latin1_vocab)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2, proc.stderr
    assert proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert "organizations.tsv: not UTF-8 (byte 0xe9" in lines[0]


@pytest.mark.parametrize("command", ["clean", "extract", "entities", "elements"])
def test_json_is_one_shape_for_every_command(command: str) -> None:
    """``--format json`` is the array ``json.dumps(records, indent=2)`` writes, whichever
    command wrote it (clean and extract once wrote their items unindented)."""
    import json

    args, _ = COMMANDS[command]
    stdin = None
    if command in ("entities", "elements"):  # from the JSON lines extract writes, no store
        stdin = runner.invoke(app, ["extract", SEED, "--no-store", "-f", "jsonl"]).stdout
    result = runner.invoke(app, [command, *args, "--format", "json"], input=stdin)
    assert result.exit_code == 0, result.output
    records = json.loads(result.stdout)
    assert records and isinstance(records, list)
    assert result.stdout == json.dumps(records, indent=2, ensure_ascii=False) + "\n"


def test_clean_and_extract_share_the_input_options(tmp_path) -> None:
    """Declared once (``reads_files``): clean had no --max-bytes while extract had."""
    shared = ("--vocab", "--name", "--max-bytes", "--full", "--comments")
    for command in ("clean", "extract"):
        result = runner.invoke(app, [command, "--help"], env={"COLUMNS": "120"})
        assert all(option in result.stdout for option in shared), result.stdout
    big, small = tmp_path / "big.txt", tmp_path / "small.txt"
    big.write_text("Lynas " * 400)
    small.write_text("Lynas in Malaysia.")
    result = runner.invoke(app, ["clean", "-f", "jsonl", "--max-bytes", "1KB", str(big), str(small)])
    assert result.exit_code == 1
    assert result.stderr.startswith(f"reetool: {big}: file is 2.4 KB, over the 1 KB limit")
    assert [orjson.loads(line)["doc"] for line in result.stdout.splitlines()] == [str(small)]


def test_extract_batch_size_default_is_the_pipelines() -> None:
    """The CLI spells the default out (importing the pipeline would slow --help)."""
    import inspect

    from reetool.cli.files import extract
    from reetool.pipeline import DEFAULT_BATCH_SIZE

    assert inspect.signature(extract).parameters["batch_size"].default == DEFAULT_BATCH_SIZE
