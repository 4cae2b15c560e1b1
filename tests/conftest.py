from __future__ import annotations

import os
import pty
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
DATA = Path(__file__).resolve().parent / "data"
GOLDEN = Path(__file__).resolve().parent / "golden"


@pytest.fixture
def seeds_dir() -> Path:
    return SEEDS


@pytest.fixture(scope="session")
def extractor():
    """The full extractor (spaCy + rules), loaded once for the whole test session."""
    from reetool.extractor import load_extractor

    return load_extractor()


@pytest.fixture(autouse=True)
def _private_store(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep every test's default store out of the checkout (and out of other tests' way)."""
    monkeypatch.setenv("REETOOL_DB", str(tmp_path_factory.mktemp("store") / "reetool.db"))


def run_on_terminal(
    args: list[str], env: dict[str, str], stdout_too: bool = True, cwd: Path | None = None
) -> tuple[bytes, bytes, int]:
    """Run reetool with stderr (and, with ``stdout_too``, stdout) on a pseudo-terminal,
    as a person would; returns (what the terminal showed, what went to stdout when it is
    not the terminal, the exit status)."""
    master, slave = pty.openpty()
    # stdout in a file, not a pipe: nobody reads it until the end, and a full pipe would
    # block the program (and the loop below) forever. A file is what ``> out`` gives anyway.
    with tempfile.TemporaryFile() as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "reetool", *args],
            stdin=subprocess.DEVNULL,
            stdout=slave if stdout_too else out,
            stderr=slave,
            env=env,
            cwd=cwd,
        )
        os.close(slave)
        shown = b""
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # the terminal closed with the process
                break
            if not chunk:
                break
            shown += chunk
        status = proc.wait(timeout=300)
        os.close(master)
        out.seek(0)
        return shown, out.read(), status
