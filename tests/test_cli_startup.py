"""What a command loads before it answers: the start-up share of `search`, `timeline`
and `entities`.

Their speed target (0.5 s on a 10,000-document store, ``bench/trends.py`` and
``bench/run.py``) includes Python's start-up and imports, so these tests pin what those
commands must not import: pydantic (typer's value conversion, replaced by
:mod:`reetool.cli.coercion`), spaCy, for a search by words the name index, and for
entities the tables, the role patterns and content hashing. The conversion that replaces typer's keeps its
rules and messages, checked here through the real command line.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import trend_corpus
from typer.testing import CliRunner

from reetool.cli import app, coercion

runner = CliRunner()


def _modules_after(args: list[str]) -> tuple[int, set[str]]:
    """Run ``reetool ARGS`` in a fresh interpreter; its exit status and loaded modules."""
    code = (
        "import sys\n"
        "from reetool.cli import main\n"
        f"sys.argv = ['reetool', *{args!r}]\n"
        "status = 0\n"
        "try:\n"
        "    main()\n"
        "except SystemExit as exc:\n"
        "    status = exc.code or 0\n"
        "sys.stderr.write('\\nMODULES=' + ','.join(sorted(sys.modules)) + '\\n')\n"
        "sys.stderr.write(f'STATUS={status}\\n')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    lines = out.stderr.splitlines()
    modules = next(line for line in lines if line.startswith("MODULES=")).removeprefix("MODULES=")
    status = next(line for line in lines if line.startswith("STATUS=")).removeprefix("STATUS=")
    return int(status), set(modules.split(","))


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return trend_corpus.build(tmp_path_factory.mktemp("startup") / "trends.db")


def test_typer_conversion_is_replaced() -> None:
    assert coercion.install() is True  # the installed typer has the hook this module uses


@pytest.mark.parametrize(
    "args",
    [
        ["search", "dysprosium", "--limit", "5", "-f", "JSONL"],
        ["timeline", "--by", "quarter", "--entity", "Dy", "--docs", "-f", "csv"],
    ],
)
def test_trend_commands_do_not_import_pydantic_or_spacy(store: Path, args: list[str]) -> None:
    status, modules = _modules_after([*args, "--db", str(store)])
    assert status == 0
    assert not {m for m in modules if m.split(".")[0] in ("pydantic", "spacy", "thinc")}
    assert "reetool.report" not in modules and "rich" not in modules  # tables only for people


def test_search_by_words_does_not_load_the_name_index(store: Path) -> None:
    status, modules = _modules_after(["search", "terbium", "-f", "jsonl", "--db", str(store)])
    assert status == 0
    assert "reetool.name_index" not in modules and "rapidfuzz" not in modules
    assert "rich" not in modules and "reetool.report" not in modules  # piped: no terminal tables


def test_entities_from_the_store_loads_no_tables_roles_or_hashing(store: Path) -> None:
    """`entities` answers within 0.5 s on 10,000 documents (``bench/run.py``), start-up
    included: piped, it needs no rich tables, no role patterns and no content hashing."""
    status, modules = _modules_after(["entities", "--type", "ORG", "-f", "jsonl", "--db", str(store)])
    assert status == 0
    assert not modules & {"reetool.report", "rich", "reetool.roles", "hashlib", "spacy"}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--limit", "abc"], "Input should be a valid integer, unable to parse string as an integer"),
        (["--limit", "0"], "Input should be greater than or equal to 1"),
        (["--format", "yaml"], "'yaml' is not one of 'table', 'jsonl', 'json', 'csv'."),
        (["--since", "March"], "'March' is not an ISO date"),
    ],
)
def test_bad_values_are_usage_errors_with_typer_messages(store: Path, args: list[str], message: str) -> None:
    result = runner.invoke(app, ["search", "dysprosium", *args, "--db", str(store)])
    assert result.exit_code == 2
    assert message in " ".join(result.stderr.split())


def test_values_are_converted_as_typer_would(store: Path) -> None:
    """Case-insensitive choices, an int with spaces, repeated options: same answers as typer's."""
    base = ["search", "--with", "ELEMENT=Dy", "--db", str(store)]
    plain = runner.invoke(app, [*base, "--limit", "2", "-f", "jsonl"])
    spaced = runner.invoke(app, [*base, "--limit", " 2 ", "-f", "JSONL"])
    assert plain.exit_code == spaced.exit_code == 0
    assert plain.stdout == spaced.stdout and len(plain.stdout.splitlines()) == 2
