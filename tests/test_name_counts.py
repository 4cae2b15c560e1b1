"""The counts a store keeps per written name and month (migration 9) stay equal to what
its mentions say, through every way rows come and go, and answer a timeline exactly as
the mentions themselves do (an older store, read without upgrading, uses those)."""

from __future__ import annotations

import sqlite3
import tempfile
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from reetool.document import Document, Entity, Extraction
from reetool.search import search
from reetool.store import Store
from reetool.store import schema as store_module
from reetool.timeline import build_timeline
from tests.trend_corpus import build

#: What the kept tables must hold, recomputed from the mentions.
_TOTALS = "SELECT label, canonical, text, count(*) FROM mentions GROUP BY 1, 2, 3 ORDER BY 1, 2, 3"
_MONTHS = (
    "SELECT m.label, m.canonical, m.text, "
    f"{store_module.month_sql('d.published')} AS month, count(*), count(DISTINCT m.doc_id) "
    "FROM mentions m JOIN documents d ON d.id = m.doc_id GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4"
)


def _assert_kept_counts_match(conn: sqlite3.Connection) -> None:
    assert (
        conn.execute("SELECT * FROM name_totals ORDER BY 1, 2, 3").fetchall()
        == conn.execute(_TOTALS).fetchall()
    )
    assert (
        conn.execute("SELECT * FROM name_months ORDER BY 1, 2, 3, 4").fetchall()
        == conn.execute(_MONTHS).fetchall()
    )


NAMES = [("ELEMENT", "Dy", "dysprosium"), ("ELEMENT", "dysprosium", "dysprosium"), ("ORG", "Lynas", "Lynas")]
DATES = [None, "n.d.", "2025-01-05", "2025-01-31T10:00", "2025-02", "2024-13-01", "2026"]


def _extraction(doc: str, published: str | None, picks: list[int]) -> Extraction:
    text, entities = "", []
    for i in picks:
        label, written, canonical = NAMES[i]
        entities.append(Entity(label, written, len(text), len(text) + len(written), canonical))
        text += written + ". "
    title = Path(doc).name  # how the test finds the row again, whatever key the store gave it
    return Extraction(
        Document(doc, text or "nothing", title, published, None, {}, f"d-{doc}-{picks}"), entities
    )


_OPS = st.lists(
    st.one_of(
        st.tuples(
            st.just("save"),
            st.sampled_from("abc"),
            st.sampled_from(DATES),
            st.lists(st.integers(0, len(NAMES) - 1), max_size=5),
        ),
        st.tuples(st.just("delete"), st.sampled_from("abc"), st.none(), st.none()),
        st.tuples(st.just("redate"), st.sampled_from("abc"), st.sampled_from(DATES), st.none()),
    ),
    max_size=12,
)


@settings(max_examples=60, deadline=None)
@given(_OPS)
@example(  # a document moves out of a month another document keeps
    [
        ("save", "a", "2025-01-05", [0, 0]),
        ("save", "b", "2025-01-31T10:00", [0]),
        ("redate", "a", "2025-02", None),
    ]
)
def test_kept_counts_follow_saves_replacements_deletions_and_new_dates(ops: list) -> None:
    with tempfile.TemporaryDirectory() as tmp, Store.open(Path(tmp) / "s.db") as store:
        for op, doc, published, picks in ops:
            key = str(Path(tmp) / doc)
            if op == "save":
                store.save([_extraction(key, published, picks)], model="test")
            elif op == "delete":
                store.conn.execute("DELETE FROM documents WHERE title = ?", (doc,))
            else:
                store.conn.execute("UPDATE documents SET published = ? WHERE title = ?", (published, doc))
            _assert_kept_counts_match(store.conn)


_BATCHES = st.lists(
    st.lists(
        st.tuples(
            st.sampled_from("abc"),
            st.sampled_from(DATES),
            st.lists(st.integers(0, len(NAMES) - 1), max_size=5),
        ),
        min_size=1,
        max_size=5,
    ),
    max_size=4,
)


@settings(max_examples=60, deadline=None)
@given(_BATCHES)
@example([[("a", "2025-01-05", [0, 2]), ("b", None, [1]), ("a", "2025-02", [2])]])  # a batch replaces its own
def test_kept_counts_follow_batches_that_replace_their_own_documents(batches: list) -> None:
    """The counts are added once per batch, so a batch that names a document twice (the
    same file given twice) must not lose either version's counts."""
    with tempfile.TemporaryDirectory() as tmp, Store.open(Path(tmp) / "s.db") as store:
        for batch in batches:
            store.save([_extraction(str(Path(tmp) / d), when, picks) for d, when, picks in batch], "m")
            _assert_kept_counts_match(store.conn)


def _store_at_version_8(path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The trend corpus written by a reetool whose store stops at migration 8."""
    with monkeypatch.context() as m:
        m.setattr(store_module, "MIGRATIONS", store_module.MIGRATIONS[:8])
        build(path)
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 8
    return path


def _timelines(store: Store) -> list[list[dict]]:
    runs = [
        {"by": "month"},
        {"by": "quarter", "label": "ORG", "measure": "docs"},
        {"by": "year", "label": None, "names": ("Dy", "Lynas Rare Earths"), "measure": "docs"},
        {"by": "month", "label": None, "names": ("Dy", "Lynas Rare Earths"), "since": "2025-02"},
    ]
    return [list(build_timeline(store, **kw).records()) for kw in runs]  # type: ignore[arg-type]


def test_an_older_store_gets_the_counts_and_answers_as_before(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _store_at_version_8(tmp_path / "v8.db", monkeypatch)
    with Store.open(path, readonly=True) as old:  # not upgraded: answers from the mentions
        assert old.conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'name_months'").fetchone() is None
        before = _timelines(old)
        hits_before = [h.record() for h in search(old, None, with_=[("ELEMENT", "Dy")])]
    assert Store.upgrade(path)
    with Store.open(path) as new:
        _assert_kept_counts_match(new.conn)
        assert new.conn.execute("SELECT count(*) FROM name_months").fetchone()[0] > 0
        assert _timelines(new) == before
        assert [h.record() for h in search(new, None, with_=[("ELEMENT", "Dy")])] == hits_before
    assert any(r["period"] is None for r in before[0])  # the undated documents are in both
