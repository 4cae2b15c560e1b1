"""The CLI shell itself: version, help, and that help stays cheap to start."""

from __future__ import annotations

import subprocess
import sys

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
    """`reetool --help` must not pay for spaCy, ftfy or the store: they load inside commands."""
    code = (
        "import sys\n"
        "from reetool.cli import app\n"
        "try:\n"
        "    app(['--help'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "heavy = sorted(m for m in ('spacy', 'ftfy', 'rapidfuzz', 'sqlite3', 'thinc') if m in sys.modules)\n"
        "print('HEAVY=' + ','.join(heavy))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "HEAVY="


def test_unknown_command_is_a_usage_error() -> None:
    result = runner.invoke(app, ["frobnicate"])
    assert result.exit_code == 2
