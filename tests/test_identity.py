"""Document identity, stdin documents, store discovery and `show` lookup, through the real
command line in real folders (issue 15): paths and the working folder are the point, so
every test runs `python -m reetool` as a subprocess in a folder of its own."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import orjson
import pytest

from reetool.identity import doc_key, match_names, shown_doc, stdin_name, store_root
from tests.conftest import DATA, ROOT, SEEDS

SEED_NAMES = sorted(p.name for p in SEEDS.iterdir() if p.is_file())


def reetool(
    cwd: Path, *args: str, stdin: str | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the worktree's reetool in ``cwd`` with no store configured (discovery decides)."""
    full = {k: v for k, v in os.environ.items() if k not in ("REETOOL_DB", "COLUMNS")}
    full["PYTHONPATH"] = str(ROOT)
    full.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "reetool", *args],
        cwd=cwd,
        input=stdin if stdin is not None else "",
        capture_output=True,
        text=True,
        env=full,
        timeout=600,
    )


def lines(proc: subprocess.CompletedProcess[str]) -> list[dict]:
    assert proc.returncode == 0, proc.stderr
    return [orjson.loads(line) for line in proc.stdout.splitlines()]


@pytest.fixture(scope="module")
def extracted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project folder holding a copy of the seeds, extracted once (spaCy loads once)."""
    project = tmp_path_factory.mktemp("project")
    shutil.copytree(SEEDS, project / "seeds")
    proc = reetool(project, "extract", "seeds/", "-f", "jsonl")
    assert proc.returncode == 0, proc.stderr
    return project


@pytest.fixture
def project(extracted: Path, tmp_path: Path) -> Path:
    """A private copy of the extracted project, to change at will."""
    copy = tmp_path / "project"
    shutil.copytree(extracted, copy)
    return copy


def test_every_spelling_of_a_path_is_one_document(project: Path) -> None:
    first = reetool(project, "extract", "seeds/", "-f", "jsonl")
    for spelling in ("./seeds", str(project / "seeds"), "seeds/../seeds"):
        again = reetool(project, "extract", spelling, "-f", "jsonl")
        # served from the store, with the documents named as the user typed them
        assert [r["doc"].rsplit("/", 1)[-1] for r in lines(again)] == [
            r["doc"].rsplit("/", 1)[-1] for r in lines(first)
        ]
    assert [r["doc"] for r in lines(reetool(project, "docs"))] == [f"seeds/{n}" for n in SEED_NAMES]
    entities = {r["canonical"]: r for r in lines(reetool(project, "entities", "--type", "ORG"))}
    assert entities["Rare Earth Exchanges"]["docs"] == 5


def test_the_store_is_found_from_a_subfolder_and_names_are_relative_to_it(project: Path) -> None:
    here = project / "seeds"
    assert [r["doc"] for r in lines(reetool(here, "docs"))] == SEED_NAMES
    assert lines(reetool(here, "entities")) == lines(reetool(project, "entities"))
    assert not (here / ".reetool").exists()
    beside = project / "other"
    beside.mkdir()
    assert [r["doc"] for r in lines(reetool(beside, "docs"))] == [f"../seeds/{n}" for n in SEED_NAMES]
    # extract from the subfolder adds to the store above instead of making a second one
    again = reetool(here, "extract", SEED_NAMES[0], "-f", "jsonl")
    assert again.returncode == 0 and not (here / ".reetool").exists()
    assert len(lines(reetool(project, "docs"))) == 5


def test_no_store_says_where_it_looked(tmp_path: Path) -> None:
    proc = reetool(tmp_path, "docs")
    assert proc.returncode == 1 and proc.stdout == ""
    assert proc.stderr.count("\n") == 1
    assert f"looked for .reetool/reetool.db in {tmp_path.resolve()} or any folder above it" in proc.stderr
    assert "REETOOL_DB" in proc.stderr and "--db" in proc.stderr


def test_db_and_environment_win_over_the_store_found(project: Path, tmp_path: Path) -> None:
    other = tmp_path / "elsewhere.db"
    proc = reetool(project, "docs", "--db", str(other))
    assert proc.returncode == 1 and "no store at ../elsewhere.db" in proc.stderr
    proc = reetool(project, "docs", env={"REETOOL_DB": str(other)})
    assert proc.returncode == 1 and "no store at ../elsewhere.db" in proc.stderr
    assert len(lines(reetool(project, "docs"))) == 5


def test_stdin_documents_are_named_by_content_or_by_the_name_given(project: Path) -> None:
    one = "Lynas Rare Earths said on Monday that it will build a plant."
    two = "Iluka Resources said on Tuesday that it will build a refinery."
    for text in (one, two, one):
        assert reetool(project, "extract", "-", "-f", "jsonl", stdin=text).returncode == 0
    named = reetool(project, "extract", "-", "--name", "memo.txt", "-f", "jsonl", stdin=two)
    assert {r["doc"] for r in lines(named)} == {"memo.txt"}
    docs = [r["doc"] for r in lines(reetool(project, "docs"))]
    stdin_docs = [d for d in docs if d.startswith("stdin:")]
    assert len(stdin_docs) == 2  # two texts, the first one piped twice
    assert "memo.txt" in docs
    orgs = {r["canonical"] for r in lines(reetool(project, "entities", "--type", "ORG"))}
    assert {"Lynas Rare Earths", "Iluka Resources"} <= orgs  # the first text's names stay


def test_the_same_content_under_two_names_is_counted_once(project: Path) -> None:
    before = lines(reetool(project, "entities"))
    elements_before = lines(reetool(project, "elements"))
    shutil.copy(project / "seeds" / SEED_NAMES[0], project / "copy.txt")
    assert reetool(project, "extract", "copy.txt", "-f", "jsonl").returncode == 0
    docs = {r["doc"]: r for r in lines(reetool(project, "docs"))}
    assert len(docs) == 6
    assert docs["seeds/" + SEED_NAMES[0]]["same_as"] == "copy.txt"
    assert docs["copy.txt"]["same_as"] is None
    assert lines(reetool(project, "entities")) == before
    totals = [{k: v for k, v in r.items() if k != "per_doc"} for r in lines(reetool(project, "elements"))]
    assert totals == [{k: v for k, v in r.items() if k != "per_doc"} for r in elements_before]


@pytest.mark.parametrize(
    "spelling",
    ["./seeds/{name}", "{abs}", "seeds//{name}", "{name}", "{stem}", "{stem_prefix}"],
)
def test_show_finds_a_document_by_any_spelling(project: Path, spelling: str) -> None:
    name = SEED_NAMES[2]
    arg = spelling.format(
        name=name, abs=project / "seeds" / name, stem=Path(name).stem, stem_prefix=name[:5]
    )
    proc = reetool(project, "show", arg, "-f", "jsonl")
    assert {r["doc"] for r in lines(proc)} == {f"seeds/{name}"}


def test_show_lists_the_candidates_of_an_ambiguous_name(project: Path) -> None:
    proc = reetool(project, "show", "00")
    assert proc.returncode == 1 and proc.stdout == ""
    assert "matches 5 documents" in proc.stderr
    assert all(f"seeds/{n}" in proc.stderr for n in SEED_NAMES)
    proc = reetool(project, "show", "nothing-like-it")
    assert proc.returncode == 1 and "not in the store" in proc.stderr


def test_a_store_written_by_the_previous_release_is_migrated(tmp_path: Path) -> None:
    """``tests/data/store-v5-main.db`` was written by reetool at schema 5 (the release
    before document identity) run in its project folder: ``extract seeds/``, then
    ``extract ./seeds/002_….txt``, ``extract seeds//004_….txt``, and one text from stdin."""
    (tmp_path / ".reetool").mkdir()
    shutil.copy(DATA / "store-v5-main.db", tmp_path / ".reetool" / "reetool.db")
    shutil.copytree(SEEDS, tmp_path / "seeds")
    with sqlite3.connect(tmp_path / ".reetool" / "reetool.db") as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 5
        assert conn.execute("SELECT count(*) FROM documents").fetchone()[0] == 8
        old_reex_docs = conn.execute(
            "SELECT count(DISTINCT doc_id) FROM mentions WHERE canonical IN ('Rare Earth Exchanges', 'REEx')"
        ).fetchone()[0]
    assert old_reex_docs == 7  # the double count this migration ends
    # the first corpus command (it may write) upgrades the store in place, merging rows
    docs = lines(reetool(tmp_path, "docs"))
    assert [d["doc"] for d in docs if not d["doc"].startswith("stdin:")] == [f"seeds/{n}" for n in SEED_NAMES]
    assert len(docs) == 6 and docs[-1]["doc"].startswith("stdin:")
    after = {r["canonical"]: r for r in lines(reetool(tmp_path, "entities"))}
    assert after["Rare Earth Exchanges"]["docs"] == 5
    with sqlite3.connect(tmp_path / ".reetool" / "reetool.db") as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] >= 6
        keys = [k for (k,) in conn.execute("SELECT doc FROM documents")]
        orphans = conn.execute(
            "SELECT count(*) FROM mentions WHERE doc_id NOT IN (SELECT id FROM documents)"
        ).fetchone()[0]
    assert orphans == 0
    # the full-text index of the release follows the merge: one hit per file, named from here
    hits = lines(reetool(tmp_path, "search", "Ningbo", "-f", "jsonl"))
    assert [h["doc"] for h in hits] == ["seeds/002_f349e353b77cb023.txt"]
    assert sorted(k for k in keys if not k.startswith("stdin:")) == [f"seeds/{n}" for n in SEED_NAMES]
    # the piped text now has the name a new pipe of the same text gets: stored, not extracted again
    text = "Lynas Rare Earths said on Monday that neodymium prices rose.\n"
    again = reetool(tmp_path, "extract", "-", "-f", "jsonl", stdin=text)
    assert {r["doc"] for r in lines(again)} == {docs[-1]["doc"]}
    assert len(lines(reetool(tmp_path, "docs"))) == 6


# -- the identity rules themselves ----------------------------------------------------------


def test_doc_key_and_shown_doc(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "x.json").write_text("[]")
    (tmp_path / "link").symlink_to(tmp_path / "a")
    full = str((tmp_path / "a" / "x.json").resolve())
    base = str(tmp_path)
    assert doc_key("a/x.json", base) == doc_key("./a//x.json", base) == doc_key("link/x.json", base) == full
    assert doc_key("a/x.json#3", base) == full + "#3"
    assert doc_key("stdin:0123456789ab") == "stdin:0123456789ab"
    root = store_root(tmp_path / ".reetool" / "reetool.db")
    assert root == str(tmp_path.resolve()) == store_root(tmp_path / "corpus.db")
    assert doc_key("link/x.json#3", base, root) == "a/x.json#3"  # below the root: relative
    assert doc_key("/etc/hostname", base, root) == os.path.realpath("/etc/hostname")
    assert shown_doc(full, str(tmp_path)) == "a/x.json"
    assert shown_doc("a/x.json", str(tmp_path / "a"), root) == "x.json"
    assert shown_doc(full, str(tmp_path / "b")) == "../a/x.json"
    assert shown_doc(full, str(tmp_path / "b" / "c" / "d")) == full  # far away: absolute
    assert stdin_name("ab" * 32) == "stdin:" + "ab" * 6


def test_match_names_prefers_the_most_exact_rule() -> None:
    keys = ["/p/seeds/002_f3.txt", "/p/seeds/002_f3.txt.bak", "/p/x/a.json#1", "stdin:0a1b2c3d4e5f"]
    assert match_names("002_f3.txt", keys) == ["/p/seeds/002_f3.txt"]  # not also the .bak
    assert match_names("seeds/002_f3.txt", keys) == ["/p/seeds/002_f3.txt"]
    assert match_names("002_f3", keys) == ["/p/seeds/002_f3.txt"]
    assert match_names("002", keys) == keys[:2]
    assert match_names("a.json#1", keys) == ["/p/x/a.json#1"]
    assert match_names("stdin:0a1b", keys) == ["stdin:0a1b2c3d4e5f"]
    assert match_names("zzz", keys) == []
