"""`reetool clean`: formats, stdin, failures among good inputs, user vocab."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import SEEDS
from typer.testing import CliRunner

from reetool.cli import app

runner = CliRunner()
SEED_000 = str(sorted(SEEDS.iterdir())[0])
SEED_004 = str(sorted(SEEDS.iterdir())[4])
KEYS = ["doc", "title", "published", "url", "author", "site", "text", "fixes"]


def test_jsonl_is_the_default_when_piped() -> None:
    result = runner.invoke(app, ["clean", SEED_000, SEED_004])
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["doc"] for r in records] == [SEED_000, SEED_004]
    assert all(list(r) == KEYS for r in records)
    first = records[0]
    assert (
        first["title"] == "China Rare Earth Industry Association held its 2025 Optical Materials Conference"
    )
    assert first["published"].startswith("2026-") or first["published"].startswith("2025-")
    assert first["url"].startswith("https://")
    assert first["fixes"]["html_to_text"] == 1
    assert "<" not in first["text"] and "wp:paragraph" not in first["text"]
    assert "0 Comments" not in records[1]["text"]
    assert result.stderr == ""


def test_json_is_one_array() -> None:
    result = runner.invoke(app, ["clean", "--format", "json", str(SEEDS)])
    assert result.exit_code == 0, result.output
    records = json.loads(result.stdout)
    assert len(records) == 5
    assert all(list(r) == KEYS for r in records)


def test_json_with_no_documents_is_an_empty_array(tmp_path: Path) -> None:
    result = runner.invoke(app, ["clean", "-f", "json", str(tmp_path / "missing")])
    assert result.exit_code == 1
    assert json.loads(result.stdout) == []


def test_text_format_prints_a_header_then_the_text() -> None:
    result = runner.invoke(app, ["clean", "-f", "text", SEED_000, SEED_004])
    assert result.exit_code == 0
    out = result.stdout
    assert out.startswith(f"==> {SEED_000}: China Rare Earth Industry Association held its 2025 Optical")
    assert f"\n==> {SEED_004}\nHighlights\n" in out
    assert "Join the full discussion" not in out


def test_stdin() -> None:
    body = "Lynas said output rose.\n\n\n0 Comments\nShare this:\n"
    result = runner.invoke(app, ["clean", "-f", "jsonl", "-"], input=body)
    assert result.exit_code == 0, result.output
    (record,) = [json.loads(line) for line in result.stdout.splitlines()]
    assert record["doc"].startswith("stdin:") and len(record["doc"]) == len("stdin:") + 12
    named = runner.invoke(app, ["clean", "-f", "jsonl", "--name", "memo", "-"], input=body)
    assert json.loads(named.stdout)["doc"] == "memo"
    assert record["text"] == "Lynas said output rose."
    assert record["fixes"]["boilerplate_line"] == 2


def test_missing_file_among_good_ones(tmp_path: Path) -> None:
    missing = str(tmp_path / "nope.txt")
    result = runner.invoke(app, ["clean", "-f", "jsonl", SEED_000, missing, SEED_004])
    assert result.exit_code == 1
    assert [json.loads(line)["doc"] for line in result.stdout.splitlines()] == [SEED_000, SEED_004]
    assert result.stderr.startswith(f"reetool: {missing}: ")
    assert len(result.stderr.splitlines()) == 1
    assert "Traceback" not in result.output


def test_json_array_stays_valid_when_a_file_fails(tmp_path: Path) -> None:
    result = runner.invoke(app, ["clean", "-f", "json", str(tmp_path / "nope"), SEED_004])
    assert result.exit_code == 1
    assert [r["doc"] for r in json.loads(result.stdout)] == [SEED_004]


def test_unknown_format_is_a_usage_error() -> None:
    result = runner.invoke(app, ["clean", "-f", "xml", SEED_004])
    assert result.exit_code == 2
    assert "xml" in result.output


def test_user_vocab_adds_furniture(tmp_path: Path) -> None:
    vocab = tmp_path / "v"
    vocab.mkdir()
    (vocab / "boilerplate.tsv").write_text(
        "kind\tpattern\tnote\nline\tBrought to you by \\w+\tsponsor line\n"
    )
    body = "Article.\nBrought to you by Acme\n"
    plain = runner.invoke(app, ["clean", "-f", "jsonl", "-"], input=body)
    extended = runner.invoke(app, ["clean", "-f", "jsonl", "--vocab", str(vocab), "-"], input=body)
    assert json.loads(plain.stdout)["text"] == "Article.\nBrought to you by Acme"
    assert json.loads(extended.stdout)["text"] == "Article."


def test_bad_user_vocab_is_one_line_and_exit_2(tmp_path: Path) -> None:
    (tmp_path / "boilerplate.tsv").write_text("kind\tpattern\tnote\nline\t(oops\tbroken\n")
    result = runner.invoke(app, ["clean", "--vocab", str(tmp_path), SEED_004])
    assert result.exit_code == 2
    assert result.stderr.startswith("reetool: vocab: boilerplate.tsv: bad pattern")
    assert "Traceback" not in result.output
