"""The README's examples, run: every ```console block whose commands can run on the seeds.

A block is a list of ``$ command`` lines, each followed by the output it shows. The
commands run in bash, in a copy of the project folder holding the seeds and a store
extracted from them, with reetool's stdout on a pseudo-terminal as wide as the block (100 columns at least),
so tables come out as a user sees them and pipes (``| head``, ``| jq``) behave as in a
shell. The shown output must match the real output line by line (trailing blanks
ignored), with two abbreviations a README needs:

- a line ``...`` stands for any number of lines;
- a line ending in `` ...`` stands for any line starting with what precedes it;

and the real output may go on after the last line shown. A block that cannot be checked
here is marked just before it in the README source with
``<!-- readme-test: skip (the reason) -->``, and one shown at another terminal width with
``<!-- readme-test: columns=80 -->``; every other console block is checked, so an
example added to the README later is checked without touching this file.
"""

from __future__ import annotations

import fcntl
import os
import re
import shlex
import shutil
import struct
import subprocess
import sys
import termios
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import ROOT, SEEDS

README = ROOT / "README.md"
SKIP = re.compile(r"<!--\s*readme-test:\s*skip\b")
COLUMNS = re.compile(r"<!--\s*readme-test:\s*columns=(\d+)")
ANSI = re.compile(r"\x1b\[[0-9;]*m")
BLOCK = re.compile(r"```console\n(.*?)```", re.S)


@dataclass
class Example:
    line: int
    command: str
    expected: list[str]
    skipped: bool
    columns: int = 0  #: terminal width given in the README (``readme-test: columns=80``)


def examples(text: str) -> list[Example]:
    found = []
    for m in BLOCK.finditer(text):
        before = text[: m.start()].rstrip().rsplit("\n", 1)[-1]
        line = text.count("\n", 0, m.start()) + 2
        command: str | None = None
        expected: list[str] = []
        start = line
        given = COLUMNS.search(before)
        width = int(given.group(1)) if given else 0
        for offset, row in enumerate(m.group(1).splitlines()):
            if command is not None and not expected and not complete(command):
                command += "\n" + row  # a quoted argument that goes on over several lines
            elif row.startswith("$ "):
                if command is not None:
                    found.append(Example(start, command, expected, bool(SKIP.search(before)), width))
                command, expected, start = row[2:], [], line + offset
            else:
                expected.append(row)
        if command is not None:
            found.append(Example(start, command, expected, bool(SKIP.search(before)), width))
    return found


def complete(command: str) -> bool:
    """Whether a shell command's quotes are all closed (else it goes on on the next line)."""
    try:
        shlex.split(command)
    except ValueError:
        return False
    return True


def matches(expected: list[str], actual: list[str]) -> bool:
    """Whether ``actual`` begins with ``expected``, read with the README's abbreviations."""
    if not expected:
        return True
    head, rest = expected[0].rstrip(), expected[1:]
    if head == "...":
        return any(matches(rest, actual[i:]) for i in range(len(actual) + 1))
    if not actual:
        return False
    line = actual[0].rstrip()
    ok = line.startswith(head[:-4]) if head.endswith(" ...") else line == head
    return ok and matches(rest, actual[1:])


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """A folder like the checkout (seeds, vocab) with a store of the seeds, and the
    environment that runs this worktree's reetool from bash."""
    folder = tmp_path_factory.mktemp("readme")
    shutil.copytree(SEEDS, folder / "seeds")
    shutil.copytree(ROOT / "vocab", folder / "vocab")
    shutil.copytree(ROOT / "tests" / "data" / "pages", folder / "tests" / "data" / "pages")
    bin_dir = folder / ".bin"
    bin_dir.mkdir()
    shim = bin_dir / "reetool"
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m reetool "$@"\n')
    shim.chmod(0o755)
    env = {k: v for k, v in os.environ.items() if k not in ("REETOOL_DB", "COLUMNS", "LINES", "FORCE_COLOR")}
    env.update(PYTHONPATH=str(ROOT), PATH=f"{bin_dir}{os.pathsep}{env.get('PATH', '')}", NO_COLOR="1")
    env["TERM"] = "xterm"
    subprocess.run(
        ["reetool", "extract", "seeds/", "--format", "jsonl"],
        cwd=folder,
        env=env,
        check=True,
        capture_output=True,
    )
    return folder, env


def run_on_terminal(command: str, cwd: Path, env: dict[str, str], columns: int) -> list[str]:
    """``command`` in bash with stdout on a pseudo-terminal ``columns`` wide."""
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 50, columns, 0, 0))
    attrs = termios.tcgetattr(slave)
    attrs[1] &= ~termios.ONLCR  # no \r added to each \n
    termios.tcsetattr(slave, termios.TCSANOW, attrs)
    proc = subprocess.Popen(
        ["bash", "-o", "pipefail", "-c", command],
        cwd=cwd,
        env={**env, "COLUMNS": str(columns)},
        stdin=subprocess.DEVNULL,
        stdout=slave,
        stderr=subprocess.PIPE,
    )
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:  # EIO: the terminal's last writer is gone
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    _, err = proc.communicate(timeout=600)
    assert proc.returncode == 0, f"{command}: exit {proc.returncode}: {err.decode()}"
    # The README shows text, not the styles (bold, dim) a terminal gets even with NO_COLOR.
    return ANSI.sub("", b"".join(chunks).decode("utf-8")).splitlines()


README_EXAMPLES = examples(README.read_text(encoding="utf-8"))


def test_the_readme_has_examples_to_check() -> None:
    assert sum(not e.skipped for e in README_EXAMPLES) >= 8


def test_abbreviations() -> None:
    assert matches(["a", "...", "d"], ["a", "b", "c", "d", "e"])
    assert matches(["ab ..."], ["abc"])
    assert not matches(["a", "c"], ["a", "b", "c"])
    assert not matches(["a", "...", "x"], ["a", "b"])
    assert examples("```console\n$ a\n1\n$ b\n2\n3\n```\n") == [
        Example(2, "a", ["1"], False),
        Example(4, "b", ["2", "3"], False),
    ]
    assert examples('```console\n$ q "a\nb"\nout\n```\n') == [Example(2, 'q "a\nb"', ["out"], False)]
    assert examples("<!-- readme-test: skip (why) -->\n```console\n$ a\n```\n")[0].skipped


@pytest.mark.parametrize("example", README_EXAMPLES, ids=lambda e: f"line {e.line}: {e.command}")
def test_readme_example(example: Example, project: tuple[Path, dict[str, str]]) -> None:
    if example.skipped:
        pytest.skip("marked in the README as not checkable here")
    folder, env = project
    columns = example.columns or max([100, *(len(line) for line in example.expected)])
    actual = run_on_terminal(example.command, folder, env, columns)
    shown = [f"README line {example.line}: $ {example.command}", "--- README", *example.expected]
    assert matches(example.expected, actual), "\n".join([*shown, "--- actual", *actual])
