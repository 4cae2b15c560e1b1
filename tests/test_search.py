"""``reetool search``: the full-text index kept in step with the documents, ranking,
entity and date filters, snippets escaped, every output format, and the seeds."""

from __future__ import annotations

import csv
import io
import sqlite3
import subprocess
import sys
from pathlib import Path

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from reetool.cli import app
from reetool.search import SearchError, parse_filter, search, snippet_html, split_snippet
from reetool.store import Store
from reetool.store import schema as store_module
from reetool.store.schema import statements
from tests.conftest import ROOT, SEEDS
from tests.trend_corpus import DOCS, build, extraction


@pytest.fixture(autouse=True)
def _beside_the_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run where the stores are: the documents ``a.txt``... are then files beside the
    store, stored under those names (keys are relative to the store's folder), as the
    SQL in these tests reads them."""
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    return build(tmp_path / "trend.db")


def _docs(path: Path, query: str | None, **kw) -> list[str]:
    with Store.open(path, readonly=True) as store:
        return [h.doc for h in search(store, query, **kw)]


def _fts_ok(conn: sqlite3.Connection) -> None:
    """FTS5's own check that the index matches the documents table exactly."""
    conn.execute("INSERT INTO documents_fts (documents_fts, rank) VALUES ('integrity-check', 1)")


# -- the index -----------------------------------------------------------------------------


def test_index_follows_insert_replace_and_delete(tmp_path: Path) -> None:
    path = build(tmp_path / "s.db")
    assert _docs(path, "Malaysia") == ["a.txt"]
    with Store.open(path) as store:  # a changed a.txt replaces its row
        store.save([extraction("a.txt", "2025-01-05", "Lynas", [], "Now about Texas only.")], model="test")
        _fts_ok(store.conn)
    assert _docs(path, "Malaysia") == []
    assert _docs(path, "Texas") == ["a.txt"]
    with Store.open(path) as store:
        store.conn.execute("DELETE FROM documents WHERE doc = 'a.txt'")
        store.conn.execute("UPDATE documents SET title = 'Samarium news' WHERE doc = 'b.txt'")
        _fts_ok(store.conn)
    assert _docs(path, "Texas") == []
    assert _docs(path, "samarium") == ["b.txt"]


def test_an_older_store_is_migrated_and_back_filled(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "old.db"
    monkeypatch.setattr(store_module, "MIGRATIONS", store_module.MIGRATIONS[:3])
    build(path)
    monkeypatch.undo()
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 3
    code, out, _ = _run(["search", "Malaysia", "--db", str(path), "-f", "jsonl"])
    assert code == 0 and [orjson.loads(x)["doc"] for x in out.splitlines()] == ["a.txt"]
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == len(store_module.MIGRATIONS)
        _fts_ok(conn)
        assert conn.execute("SELECT count(*) FROM documents_fts").fetchone()[0] == len(DOCS)


def test_a_read_only_old_store_says_how_to_get_the_index(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "old.db"
    monkeypatch.setattr(store_module, "MIGRATIONS", store_module.MIGRATIONS[:3])
    build(path)
    monkeypatch.undo()
    # As if the file were not ours to write (root ignores permission bits, so say it here).
    monkeypatch.setattr(Store, "upgrade", classmethod(lambda cls, *a, **k: False))
    code, _, err = _run(["search", "Malaysia", "--db", str(path)])
    assert code == 1 and "no full-text index" in err and err.count("\n") == 1


def test_trigger_bodies_are_one_statement_each() -> None:
    script = "CREATE TABLE t (a); CREATE TRIGGER x AFTER INSERT ON t BEGIN SELECT 1; SELECT 2; END; SELECT 3"
    assert statements(script) == [
        "CREATE TABLE t (a)",
        "CREATE TRIGGER x AFTER INSERT ON t BEGIN SELECT 1; SELECT 2; END",
        "SELECT 3",
    ]


def test_views_read_on_their_own(store_path: Path) -> None:
    with sqlite3.connect(store_path) as conn:
        row = conn.execute(
            "SELECT doc, published, mentions, people, organizations, elements FROM document_overview "
            "WHERE doc = 'c.txt'"
        ).fetchone()
        assert row == ("c.txt", "2025-03-02", 5, 2, 2, 1)
        text, context = conn.execute(
            "SELECT text, context FROM mention_context WHERE doc = 'a.txt' AND label = 'ELEMENT' LIMIT 1"
        ).fetchone()
        assert text == "dysprosium" and text in context
        assert conn.execute(
            "SELECT mentions, docs, first_published FROM entity_totals "
            "WHERE label = 'ELEMENT' AND canonical = 'dysprosium'"
        ).fetchone() == (7, 4, "2025-01-05T08:00:00")
        months = dict(
            conn.execute("SELECT month, mentions FROM element_months WHERE element = 'dysprosium'").fetchall()
        )
        assert months == {"2025-01": 4, "2026-02": 1, "undated": 2}


# -- ranking, filters, snippets ------------------------------------------------------------


def test_ranked_best_first_with_stemming(store_path: Path) -> None:
    # b.txt has terbium in its title and twice in its text: it must come first.
    assert _docs(store_path, "terbium")[0] == "b.txt"
    assert set(_docs(store_path, "terbium")) == {"b.txt", "c.txt", "f.txt"}
    # "magnet" finds "magnets" and "Magnet" (porter stemming, case folded)
    assert set(_docs(store_path, "magnet")) == {"b.txt", "c.txt", "f.txt"}
    assert _docs(store_path, '"heavy rare earth plant"') == ["a.txt"]
    assert _docs(store_path, "heavy NOT dysprosium") == ["d.txt"]


def test_entity_filters_combine_and_resolve_aliases(store_path: Path) -> None:
    assert set(_docs(store_path, None, with_=[("ELEMENT", "Dy")])) == {"a.txt", "b.txt", "e.txt", "g.txt"}
    assert set(_docs(store_path, None, with_=[("ORG", "Lynas")])) == {"a.txt", "c.txt", "e.txt"}
    both = _docs(store_path, None, with_=[("ORG", "Lynas Rare Earths Ltd"), ("ELEMENT", "dysprosium")])
    assert set(both) == {"a.txt", "e.txt"}
    assert _docs(store_path, "magnets", with_=[("ORG", "Lynas")]) == ["c.txt"]


def test_date_limits_are_inclusive(store_path: Path) -> None:
    assert set(_docs(store_path, None, until="2025-01")) == {"a.txt", "b.txt"}
    assert set(_docs(store_path, None, since="2025-03-02", until="2025-07-15")) == {"c.txt", "d.txt"}
    assert _docs(store_path, None, with_=[("ELEMENT", "Tb")], since="2025-02", until="2025") == ["c.txt"]
    # without words, newest first
    assert _docs(store_path, None, since="2025") == ["g.txt", "d.txt", "c.txt", "b.txt", "a.txt"]


def test_snippets_mark_matches_and_escape_as_html(store_path: Path) -> None:
    with Store.open(store_path, readonly=True) as store:
        (hit,) = search(store, "alert")
    assert hit.doc == "f.txt"
    marked = [hit.snippet[s:e] for s, e in hit.highlights]
    assert marked == ["alert"]
    html = snippet_html(hit.snippet, hit.highlights)
    assert "<script>" not in html and "&lt;script&gt;<mark>alert</mark>(1)&lt;/script&gt;" in html
    assert "&amp; ampersands" in html


@given(st.lists(st.tuples(st.text(max_size=8), st.booleans()), max_size=8))
def test_split_snippet_offsets_point_at_the_marked_words(parts: list[tuple[str, bool]]) -> None:
    parts = [(p.replace("\x02", "").replace("\x03", ""), m) for p, m in parts]
    raw = "".join(f"\x02{p}\x03" if marked else p for p, marked in parts)
    text, marks = split_snippet(raw)
    assert "\x02" not in text and "\x03" not in text
    marked = [" ".join(p.split()) for p, m in parts if m and p.strip()]
    assert [" ".join(text[s:e].split()) for s, e in marks if text[s:e].strip()] == marked


def test_bad_queries_and_filters() -> None:
    assert parse_filter('ORG="Lynas Rare Earths"') == ("ORG", "Lynas Rare Earths")
    assert parse_filter("element=Dy") == ("ELEMENT", "Dy")
    with pytest.raises(SearchError):
        parse_filter("Lynas")


def test_words_fts5_would_misread_still_work(store_path: Path) -> None:
    # "rare-earth" is a column filter to FTS5; for a user it is a word
    assert set(_docs(store_path, "heavy-rare")) == {"a.txt", "d.txt", "g.txt"}


# -- the command ---------------------------------------------------------------------------


def _run(args: list[str], **kw) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, args, **kw)
    return result.exit_code, result.stdout, result.stderr


def test_every_format(store_path: Path) -> None:
    db = ["--db", str(store_path)]
    code, out, _ = _run(["search", "terbium", *db, "-f", "jsonl"])
    rows = [orjson.loads(line) for line in out.splitlines()]
    assert code == 0 and rows[0]["doc"] == "b.txt"
    assert list(rows[0]) == ["doc", "title", "published", "url", "score", "snippet", "highlights"]
    assert rows[0]["score"] >= rows[1]["score"] >= rows[2]["score"]
    code, out, _ = _run(["search", "terbium", *db, "-f", "json"])
    assert orjson.loads(out) == rows
    code, out, _ = _run(["search", "terbium", *db, "-f", "csv"])
    table = list(csv.DictReader(io.StringIO(out)))
    assert [r["doc"] for r in table] == [r["doc"] for r in rows] and "terbium" in table[0]["snippet"].lower()
    code, out, _ = _run(["search", "alert", *db, "-f", "table"], env={"COLUMNS": "100"})
    assert (
        code == 0 and "f.txt" in out and "<script>alert(1)</script>" in out.replace("\n", "").replace("│", "")
    )


def test_command_errors_are_one_line(store_path: Path) -> None:
    db = ["--db", str(store_path)]
    code, _, err = _run(["search", "lynas OR", *db])
    assert code == 1 and err.startswith("reetool: 'lynas OR': not a valid search") and err.count("\n") == 1
    code, _, err = _run(["search", "x", "--with", "Lynas", *db])
    assert code == 2 and "LABEL=NAME" in err
    code, _, err = _run(["search", "--with", "ORG=Nobody", *db])
    assert code == 1 and "'Nobody'" in err
    code, out, err = _run(["search", "zzzunknown", *db, "-f", "jsonl"])
    assert code == 0 and out == "" and "no documents match" in err
    code, _, err = _run(["search", *db])
    assert code == 1 and "nothing to search for" in err


@pytest.mark.slow
def test_seeds_search(tmp_path: Path) -> None:
    env = {"REETOOL_DB": str(tmp_path / "seeds.db"), "PYTHONPATH": str(ROOT)}
    run = [sys.executable, "-m", "reetool"]
    subprocess.run(
        [*run, "extract", str(SEEDS), "--format", "jsonl"], env=env, check=True, capture_output=True
    )
    done = subprocess.run(
        [*run, "search", "magnet", "--with", "ORG=China Rare Earth Industry Association"],
        env=env,
        check=True,
        capture_output=True,
    )
    rows = [orjson.loads(line) for line in done.stdout.splitlines()]
    assert rows and all("magnet" in r["snippet"][s:e].lower() for r in rows for s, e in r["highlights"])
    assert {r["doc"].split("/")[-1][:3] for r in rows} <= {"000", "003"}  # the association's documents
