"""What ``extract`` and ``clean`` tell a person watching the terminal (issue 15): a
progress bar counting the documents really done and a last line summing the run up;
and nothing of the kind on a pipe or with ``--quiet``.

Real subprocesses with stderr on a pseudo-terminal and stdout on a pipe, as in
``reetool extract corpus/ > out.jsonl``; the real spaCy pipeline.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, run_on_terminal

pytestmark = pytest.mark.slow

SUMMARY = re.compile(rb"reetool: (\d+) documents?: (.*) in \d+(?:\.\d| min \d+) s\r?\n")
ESCAPES = re.compile(rb"\x1b\[[0-9;?]*[A-Za-z]")


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR", "REETOOL_DB")}
    env.update(TERM="xterm-256color", COLUMNS="120", PYTHONPATH=str(ROOT))
    return env


def _corpus(folder: Path, n: int, start: int = 0) -> Path:
    folder.mkdir(exist_ok=True)
    for i in range(start, start + n):
        (folder / f"{i:02d}.txt").write_text(
            f"Lynas Rare Earths said on March {i + 1}, 2025 that neodymium output rose.\n", encoding="utf-8"
        )
    return folder


def _summaries(shown: bytes) -> list[tuple[int, str]]:
    return [(int(n), what.decode()) for n, what in SUMMARY.findall(ESCAPES.sub(b"", shown))]


def test_extract_ends_with_a_summary_and_its_bar_counts_stored_documents_as_done(tmp_path: Path) -> None:
    corpus = _corpus(tmp_path / "in", 2)
    db = ["--db", str(tmp_path / "s.db"), "--format", "jsonl"]
    shown, out, status = run_on_terminal(["extract", str(corpus), *db], _env(), stdout_too=False)
    assert status == 0 and out.count(b"\n") > 2
    assert _summaries(shown) == [(2, "2 extracted, 0 from the store, 0 failed")]

    _corpus(corpus, 1, start=2)  # one new document beside the two stored ones, and a bad path
    args = ["extract", str(corpus), str(tmp_path / "missing.txt"), *db]
    shown, out, status = run_on_terminal(args, _env(), stdout_too=False)
    plain = ESCAPES.sub(b"", shown)
    assert status == 1 and b"reetool: " + str(tmp_path / "missing.txt").encode() + b": no such file" in plain
    assert _summaries(shown) == [(4, "1 extracted, 2 from the store, 1 failed")]
    # The bar's last frame: every document done, the stored ones counted apart.
    assert b"4/4 docs: 1 extracted, 2 stored, 1 failed" in plain

    # Piped stderr (a script, a log file): the failure line only, no bar, no summary.
    piped = subprocess.run(
        [sys.executable, "-m", "reetool", *args], capture_output=True, env=_env(), timeout=300
    )
    assert piped.returncode == 1
    assert piped.stderr.decode().splitlines() == [f"reetool: {tmp_path / 'missing.txt'}: no such file"]
    assert piped.stdout == out

    # --quiet on a terminal: the failure still shows, the bar and the summary do not.
    shown, quiet_out, status = run_on_terminal([*args, "--quiet"], _env(), stdout_too=False)
    plain = ESCAPES.sub(b"", shown)
    assert status == 1 and quiet_out == out
    assert plain.strip().splitlines() == [f"reetool: {tmp_path / 'missing.txt'}: no such file".encode()]


def test_extract_with_workers_counts_the_documents_its_processes_extracted(tmp_path: Path) -> None:
    corpus = _corpus(tmp_path / "in", 3)
    args = ["extract", str(corpus), "--no-store", "--workers", "2", "--batch-size", "1", "--format", "csv"]
    shown, out, status = run_on_terminal(args, _env(), stdout_too=False)
    assert status == 0 and out.startswith(b"doc,")
    assert _summaries(shown) == [(3, "3 extracted, 0 from the store, 0 failed")]


def test_clean_ends_with_a_summary_on_a_terminal_and_a_table_run_too(tmp_path: Path) -> None:
    corpus = _corpus(tmp_path / "in", 3)
    (corpus / "binary.txt").write_bytes(b"\x00\x01\x02 not text \xff" * 40)
    shown, out, status = run_on_terminal(
        ["clean", str(corpus), "--format", "jsonl"], _env(), stdout_too=False
    )
    assert status == 1 and out.count(b"\n") == 3
    assert _summaries(shown) == [(4, "3 cleaned, 1 failed")]
    # Both streams on the terminal (text shown, no bar): the summary is still the last line.
    shown, _, status = run_on_terminal(["clean", str(corpus / "00.txt")], _env())
    assert status == 0 and b"==> " in shown
    assert _summaries(shown) == [(1, "1 cleaned, 0 failed")]
    assert ESCAPES.sub(b"", shown).rstrip().splitlines()[-1].startswith(b"reetool: 1 document: ")


def test_the_readme_shows_summaries_as_the_program_prints_them() -> None:
    """The README's sample lines have the shape the tests above read off a terminal."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("one line saying what the run did:\n\n```text\n", 1)[1].split("```", 1)[0]
    lines = [line.encode() + b"\n" for line in block.splitlines()]
    assert len(lines) == 2 and all(SUMMARY.fullmatch(line) for line in lines)
    extract, clean = (SUMMARY.fullmatch(line).group(2).decode() for line in lines)  # type: ignore[union-attr]
    assert re.fullmatch(r"\d+ extracted, \d+ from the store, \d+ failed", extract)
    assert re.fullmatch(r"\d+ cleaned, \d+ failed", clean)
