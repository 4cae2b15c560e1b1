"""`reetool entities|docs|show|elements` over a real store and over JSON lines on stdin."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner

from reetool.cli import app
from reetool.document import Document, Entity, Extraction
from reetool.records import entity_record
from reetool.store import Store

FORMATS = ("table", "jsonl", "json", "csv")


def _ents(text: str, *spans: tuple[str, str, str | None]) -> list[Entity]:
    out, pos = [], 0
    for label, surface, canonical in spans:
        start = text.index(surface, pos)
        out.append(Entity(label, surface, start, start + len(surface), canonical or surface))
        pos = start + 1
    return out


def _corpus() -> list[Extraction]:
    a = "The China Rare Earth Industry Association (CREIA) met Qilinshan in Beijing on neodymium prices."
    b = "CREIA said China Rare Earth Industry Association and Qilinshan Group cut dysprosium, neodymium."
    c = "China Northern Rare Earth Group and China Rare Earth Group reported. <script>alert(1)</script> =HACK"
    return [
        Extraction(
            Document(
                "news/a.txt", a, title="Association meets", published="2025-01-10", url="https://x.test/a"
            ),
            _ents(
                a,
                ("ORG", "China Rare Earth Industry Association", None),
                ("ORG", "CREIA", "China Rare Earth Industry Association"),
                ("ORG", "Qilinshan", None),
                ("GPE", "Beijing", None),
                ("ELEMENT", "neodymium", "neodymium"),
            ),
        ),
        Extraction(
            Document("news/b.txt", b, published="2025-02-20"),
            _ents(
                b,
                ("ORG", "CREIA", None),
                ("ORG", "China Rare Earth Industry Association", None),
                ("ORG", "Qilinshan Group", None),
                ("ELEMENT", "dysprosium", None),
                ("ELEMENT", "neodymium", None),
            ),
        ),
        Extraction(
            Document("news/c.txt", c),
            _ents(
                c,
                ("ORG", "China Northern Rare Earth Group", None),
                ("ORG", "China Rare Earth Group", None),
                ("ORG", "<script>alert(1)</script>", None),
                ("ORG", "=HACK", None),
            ),
        ),
    ]


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    path = tmp_path / "store.db"
    with Store.open(path) as store:
        store.save(_corpus(), model="test")
    return path


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def _jsonl_input() -> str:
    return "".join(
        orjson.dumps(entity_record(ext.document, e)).decode() + "\n"
        for ext in _corpus()
        for e in ext.entities
    )


def _invoke(runner: CliRunner, args: list[str], store: Path | None = None, input: str | None = None):
    env = {"REETOOL_DB": str(store)} if store else {"REETOOL_DB": "/nonexistent/dir/store.db"}
    return runner.invoke(app, args, input=input, env={**env, "NO_COLOR": "1", "COLUMNS": "200"})


def _rows(fmt: str, out: str) -> list[dict]:
    if fmt == "jsonl":
        return [orjson.loads(line) for line in out.splitlines()]
    if fmt == "json":
        return orjson.loads(out)
    return list(csv.DictReader(io.StringIO(out)))


# -- entities ------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["jsonl", "json", "csv"])
@pytest.mark.parametrize("source", ["store", "stdin"])
def test_entities_machine_formats(runner: CliRunner, store_path: Path, fmt: str, source: str) -> None:
    if source == "store":
        result = _invoke(runner, ["entities", "--type", "ORG", "--format", fmt], store=store_path)
    else:
        result = _invoke(runner, ["entities", "--type", "ORG", "--format", fmt], input=_jsonl_input())
    assert result.exit_code == 0, result.output
    rows = {r["canonical"]: r for r in _rows(fmt, result.stdout)}
    creia = rows["China Rare Earth Industry Association"]
    assert int(creia["docs"]) == 2 and int(creia["mentions"]) == 4
    assert "CREIA" in creia["aliases"]
    assert str(creia["first_published"]) == "2025-01-10" and str(creia["last_published"]) == "2025-02-20"
    assert int(rows["Qilinshan Group"]["docs"]) == 2
    assert "China Northern Rare Earth Group" in rows and "China Rare Earth Group" in rows
    assert {r["label"] for r in rows.values()} == {"ORG"}
    if fmt == "csv":
        assert "'=HACK" in rows and "=HACK" not in rows
    else:
        assert "=HACK" in rows  # only CSV needs neutralising


def test_entities_table_and_explain(runner: CliRunner, store_path: Path) -> None:
    result = _invoke(runner, ["entities", "-f", "table", "--explain"], store=store_path)
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "China Rare Earth Industry Association" in out and "CREIA" in out and "2025-01-10" in out
    assert "\x1b[" not in out
    assert "Qilinshan: same name as Qilinshan Group without suffix 'Group'" in out
    assert "CREIA:" in out


def test_entities_explain_in_json(runner: CliRunner, store_path: Path) -> None:
    result = _invoke(runner, ["entities", "-f", "json", "--explain", "--type", "org"], store=store_path)
    rows = {r["canonical"]: r for r in orjson.loads(result.stdout)}
    assert rows["Qilinshan Group"]["evidence"] == [
        "Qilinshan: same name as Qilinshan Group without suffix 'Group'"
    ]
    assert rows["China Northern Rare Earth Group"]["evidence"] == []


def test_entities_min_docs_sort_limit(runner: CliRunner, store_path: Path) -> None:
    result = _invoke(
        runner, ["entities", "-f", "jsonl", "--min-docs", "2", "--sort", "name"], store=store_path
    )
    names = [orjson.loads(x)["canonical"] for x in result.stdout.splitlines()]
    assert names == ["China Rare Earth Industry Association", "neodymium", "Qilinshan Group"]
    result = _invoke(runner, ["entities", "-f", "jsonl", "--limit", "1"], store=store_path)
    assert [orjson.loads(x)["canonical"] for x in result.stdout.splitlines()] == [
        "China Rare Earth Industry Association"
    ]


def test_entities_bad_options_are_usage_errors(runner: CliRunner, store_path: Path) -> None:
    assert _invoke(runner, ["entities", "--sort", "size"], store=store_path).exit_code == 2
    assert _invoke(runner, ["entities", "--format", "xml"], store=store_path).exit_code == 2


def test_no_store_says_how_to_make_one(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    for cmd in (["entities"], ["docs"], ["elements"], ["show", "x"]):
        result = runner.invoke(app, cmd, env={"REETOOL_DB": None})
        assert result.exit_code == 1
        assert result.stderr == (
            f"reetool: no store found (looked for .reetool/reetool.db in {tmp_path.resolve()} or any "
            "folder above it); run `reetool extract PATH...` first, or give --db / REETOOL_DB\n"
        )
        assert "Traceback" not in result.output


def test_empty_stdin_uses_the_store(runner: CliRunner, store_path: Path) -> None:
    result = _invoke(runner, ["entities", "-f", "jsonl"], store=store_path, input="")
    assert result.exit_code == 0
    assert "China Rare Earth Industry Association" in result.stdout


def test_bad_stdin_lines_are_reported_and_the_rest_kept(runner: CliRunner) -> None:
    result = _invoke(runner, ["entities", "-f", "jsonl"], input=_jsonl_input() + "garbage\n")
    assert result.exit_code == 1
    assert "reetool: -: line" in result.stderr and "not JSON" in result.stderr
    assert "China Rare Earth Industry Association" in result.stdout


# -- docs ----------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["jsonl", "json"])
def test_docs_json(runner: CliRunner, store_path: Path, fmt: str) -> None:
    result = _invoke(runner, ["docs", "-f", fmt], store=store_path)
    assert result.exit_code == 0, result.output
    rows = _rows(fmt, result.stdout)
    assert [r["doc"] for r in rows] == ["news/a.txt", "news/b.txt", "news/c.txt"]
    assert rows[0] == {
        "doc": "news/a.txt",
        "title": "Association meets",
        "published": "2025-01-10",
        "url": "https://x.test/a",
        "counts": {"ELEMENT": 1, "GPE": 1, "ORG": 3},
        "same_as": None,
    }


def test_docs_csv_and_table(runner: CliRunner, store_path: Path) -> None:
    result = _invoke(runner, ["docs", "-f", "csv"], store=store_path)
    rows = _rows("csv", result.stdout)
    assert rows[0]["ORG"] == "3" and rows[0]["PERSON"] == "0" and rows[2]["ORG"] == "4"
    result = _invoke(runner, ["docs", "-f", "table"], store=store_path)
    assert result.exit_code == 0
    assert (
        "news/a.txt" in result.stdout
        and "Association meets" in result.stdout
        and "https://x.test/a" in result.stdout
    )


def test_docs_from_stdin(runner: CliRunner) -> None:
    result = _invoke(runner, ["docs", "-f", "jsonl"], input=_jsonl_input())
    rows = _rows("jsonl", result.stdout)
    assert [(r["doc"], r["counts"].get("ORG")) for r in rows] == [
        ("news/a.txt", 3),
        ("news/b.txt", 3),
        ("news/c.txt", 4),
    ]


# -- show ----------------------------------------------------------------------------------


def test_show_table_highlights(runner: CliRunner, store_path: Path) -> None:
    result = _invoke(runner, ["show", "news/a.txt", "-f", "table"], store=store_path)
    assert result.exit_code == 0, result.output
    assert "China Rare Earth Industry Association ORG" in result.stdout
    assert "Beijing GPE" in result.stdout
    assert "Association meets" in result.stdout


@pytest.mark.parametrize("fmt", ["jsonl", "json", "csv"])
def test_show_machine_formats(runner: CliRunner, store_path: Path, fmt: str) -> None:
    result = _invoke(runner, ["show", "a.txt", "-f", fmt], store=store_path)  # a path tail is enough
    assert result.exit_code == 0, result.output
    if fmt == "json":
        data = orjson.loads(result.stdout)
        assert data["doc"] == "news/a.txt" and data["text"].startswith("The China")
        assert len(data["entities"]) == 5
    else:
        rows = _rows(fmt, result.stdout)
        assert [r["label"] for r in rows] == ["ORG", "ORG", "ORG", "GPE", "ELEMENT"]


def test_show_unknown_doc(runner: CliRunner, store_path: Path) -> None:
    result = _invoke(runner, ["show", "news/zzz.txt"], store=store_path)
    assert result.exit_code == 1
    assert (
        result.stderr.count("\n") == 1
        and "news/zzz.txt" in result.stderr
        and "Traceback" not in result.output
    )


def test_show_html_is_escaped(runner: CliRunner, store_path: Path, tmp_path: Path) -> None:
    page = tmp_path / "c.html"
    result = _invoke(runner, ["show", "news/c.txt", "--html", str(page)], store=store_path)
    assert result.exit_code == 0, result.output
    html = page.read_text(encoding="utf-8")
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert '<mark class="entity ent-ORG">China Rare Earth Group<span class="label">ORG</span></mark>' in html


def test_show_html_unwritable(runner: CliRunner, store_path: Path, tmp_path: Path) -> None:
    result = _invoke(
        runner, ["show", "news/c.txt", "--html", str(tmp_path / "no" / "x.html")], store=store_path
    )
    assert result.exit_code == 1 and result.stderr.startswith("reetool: ")


# -- elements ------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_elements_formats(runner: CliRunner, store_path: Path, fmt: str) -> None:
    result = _invoke(runner, ["elements", "-f", fmt], store=store_path)
    assert result.exit_code == 0, result.output
    if fmt == "table":
        assert "neodymium" in result.stdout and "█" in result.stdout
        assert "light: 2 mentions of 1 element" in result.stdout
        assert "heavy: 1 mentions of 1 element" in result.stdout
        return
    rows = _rows(fmt, result.stdout)
    assert [(r["element"], r["class"], int(r["mentions"]), int(r["docs"])) for r in rows] == [
        ("neodymium", "light", 2, 2),
        ("dysprosium", "heavy", 1, 1),
    ]
    if fmt != "csv":
        assert rows[0]["per_doc"] == {"news/a.txt": 1, "news/b.txt": 1}


def test_elements_per_doc_from_stdin(runner: CliRunner) -> None:
    result = _invoke(runner, ["elements", "--per-doc", "-f", "jsonl"], input=_jsonl_input())
    rows = _rows("jsonl", result.stdout)
    assert [(r["doc"], r["symbol"], r["mentions"]) for r in rows] == [
        ("news/a.txt", "Nd", 1),
        ("news/b.txt", "Nd", 1),
        ("news/b.txt", "Dy", 1),
    ]


# -- real processes: a pipe, and no stdin at all ---------------------------------------------


@pytest.mark.slow
def test_real_pipe_and_devnull_stdin(store_path: Path, tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    cmd = [sys.executable, "-m", "reetool", "entities", "--type", "ORG"]
    env = {**os.environ, "REETOOL_DB": str(tmp_path / "missing.db")}
    piped = subprocess.run(cmd, input=_jsonl_input().encode(), capture_output=True, env=env, timeout=60)
    assert piped.returncode == 0, piped.stderr
    rows = [orjson.loads(x) for x in piped.stdout.splitlines()]
    assert rows[0]["canonical"] == "China Rare Earth Industry Association" and rows[0]["docs"] == 2

    env["REETOOL_DB"] = str(store_path)
    (tmp_path / "empty.jsonl").write_bytes(b"")
    with open(tmp_path / "empty.jsonl", "rb") as empty:
        for stdin in (subprocess.DEVNULL, empty):
            done = subprocess.run(cmd, stdin=stdin, capture_output=True, env=env, timeout=60)
            assert done.returncode == 0, done.stderr
            assert (
                orjson.loads(done.stdout.splitlines()[0])["canonical"]
                == "China Rare Earth Industry Association"
            )


def test_markup_in_names_is_shown_not_interpreted(runner: CliRunner, tmp_path: Path) -> None:
    text = "[/bad] and [bold red]Loud[/] Group met."
    ext = Extraction(
        Document("[/x]", text, title="[/title]"),
        _ents(text, ("ORG", "[/bad]", None), ("ORG", "[bold red]Loud[/] Group", None)),
    )
    path = tmp_path / "m.db"
    with Store.open(path) as store:
        store.save([ext], model="test")
    for args in (["entities"], ["docs"], ["show", "[/x]"]):
        result = _invoke(runner, [*args, "-f", "table"], store=path)
        assert result.exit_code == 0, result.output
        assert "[/" in result.stdout
