"""The embedded store: schema and migrations, round trips, replacement, and each way it
can fail (not SQLite, newer schema, read-only, full disk) as one clear StoreError."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

from reetool import store as store_mod
from reetool.document import Document, Entity, Extraction
from reetool.identity import doc_key, shown_doc
from reetool.store import (
    DocumentSummary,
    Store,
    StoredDocuments,
    StoreError,
    connection,
    default_store_path,
    schema,
    statistics,
)
from reetool.store.connection import reason


def ext(doc: str, digest: str, labels: list[str], text: str = "Baotou and Lynas agreed.", **kw) -> Extraction:
    d = Document(doc, text, digest=digest, fixes={"mojibake": 1}, **kw)
    ents = [
        Entity(lb, f"e{i}", i, i + 1, f"E{i}", value="v" if i else None, symbol="Nd")
        for i, lb in enumerate(labels)
    ]
    return Extraction(d, ents)


def mention_count(path: Path) -> int:
    with sqlite3.connect(path) as conn:
        return conn.execute("SELECT count(*) FROM mentions").fetchone()[0]


def test_default_path_is_created_under_cwd_with_schema(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("REETOOL_DB", raising=False)
    assert default_store_path() == tmp_path / ".reetool" / "reetool.db"
    with Store.open() as st:
        assert st.path == tmp_path / ".reetool" / "reetool.db"
        assert st.conn.execute("PRAGMA user_version").fetchone()[0] == store_mod.SCHEMA_VERSION
        assert st.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        tables = {r[0] for r in st.conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        assert {"documents", "mentions"} <= tables
    assert (tmp_path / ".reetool" / "reetool.db").is_file()


def test_env_var_chooses_the_store(tmp_path, monkeypatch):
    monkeypatch.setenv("REETOOL_DB", str(tmp_path / "deep" / "er" / "x.db"))
    with Store.open() as st:
        assert st.path == tmp_path / "deep" / "er" / "x.db"
    assert st.path.is_file()


def test_round_trip_keeps_every_field(tmp_path):
    e = ext("a.txt", "d1", ["ORG", "DATE", "ELEMENT"], title="T", published="2026-01-02", url="http://x")
    with Store.open(tmp_path / "s.db") as st:
        st.save([e], "en_core_web_sm-3.8.0")
        assert st.saved == 1
        got = st.get("a.txt")
        assert got == e
        assert st.get("missing.txt") is None
        row = st.conn.execute("SELECT model, extracted_at FROM documents").fetchone()
        assert row[0] == "en_core_web_sm-3.8.0" and row[1].startswith("20")


def test_known_lookup_and_copies(tmp_path):
    with Store.open(tmp_path / "s.db") as st:
        st.save([ext("a.txt", "d1", ["ORG"])], "m1")
        assert st.known("d1") and not st.known("d2")
        assert st.known("d1", "a.txt") and not st.known("d1", "b.txt")
        assert st.lookup("a.txt", "d1").document.doc == "a.txt"
        assert st.lookup("a.txt", "other") is None
        ents, model = st.entities_for("d1")
        assert [e.label for e in ents] == ["ORG"] and model == "m1"
        assert st.entities_for("nope") is None


def test_changed_document_replaces_its_rows(tmp_path):
    path = tmp_path / "s.db"
    with Store.open(path) as st:
        st.save([ext("a.txt", "old", ["ORG", "ORG", "GPE"]), ext("b.txt", "b", ["DATE"])], "m")
        st.save([ext("a.txt", "new", ["PERSON"], text="new text")], "m")
        got = st.get("a.txt")
        assert got.document.digest == "new" and got.document.text == "new text"
        assert [e.label for e in got.entities] == ["PERSON"]
        assert st.count() == 2
    assert mention_count(path) == 2  # old mentions of a.txt are gone, b.txt's stay


def test_extractions_stream_in_doc_order_and_filter(tmp_path):
    with Store.open(tmp_path / "s.db") as st:
        st.save([ext("c", "3", ["ORG"]), ext("a", "1", []), ext("b", "2", ["GPE", "GPE"])], "m")
        assert [x.document.doc for x in st.extractions()] == ["a", "b", "c"]
        assert [x.document.doc for x in st.extractions(["c", "zz", "a"])] == ["a", "c"]
        assert [len(x.entities) for x in st.extractions()] == [0, 2, 1]
        summaries = list(st.documents())
        assert [s.doc for s in summaries] == ["a", "b", "c"]
        assert isinstance(summaries[0], DocumentSummary)
        assert summaries[0].counts == {} and summaries[1].counts == {"GPE": 2}
        assert summaries[2].digest == "3" and summaries[2].extracted_at


def test_readonly_open_never_creates(tmp_path):
    path = tmp_path / "none" / "s.db"
    with pytest.raises(StoreError, match=r"no store at .*run `reetool extract PATH\.\.\.` first"):
        Store.open(path, readonly=True)
    assert not path.parent.exists()


def test_readonly_open_reads_and_refuses_writes(tmp_path):
    path = tmp_path / "s.db"
    with Store.open(path) as st:
        st.save([ext("a", "1", ["ORG"])], "m")
    with Store.open(path, readonly=True) as ro:
        assert [x.document.doc for x in ro.extractions()] == ["a"]
        with pytest.raises(StoreError, match="read-only"):
            ro.save([ext("b", "2", [])], "m")


def test_not_a_sqlite_file(tmp_path):
    path = tmp_path / "s.db"
    path.write_bytes(b"these are notes, not a database\n" * 100)
    with pytest.raises(StoreError) as err:
        Store.open(path)
    assert str(err.value) == f"{path}: not a reetool store (the file is not a SQLite database)"
    assert path.read_bytes().startswith(b"these are notes")  # untouched


def test_sqlite_file_of_another_program(tmp_path):
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE invoices (n INTEGER)")
    with pytest.raises(StoreError, match="not a reetool store"):
        Store.open(path)


def test_newer_schema_is_refused(tmp_path):
    path = tmp_path / "s.db"
    Store.open(path).close()
    with sqlite3.connect(path) as conn:
        conn.execute(f"PRAGMA user_version = {store_mod.SCHEMA_VERSION + 1}")
    for readonly in (False, True):
        with pytest.raises(
            StoreError, match=rf"schema version {store_mod.SCHEMA_VERSION + 1} is newer .*upgrade"
        ):
            Store.open(path, readonly=readonly)


def test_migrations_apply_in_order_on_an_old_store(tmp_path, monkeypatch):
    path = tmp_path / "s.db"
    with Store.open(path) as st:
        st.save([ext("a", "1", ["ORG"])], "m")
    extra = "ALTER TABLE documents ADD COLUMN language TEXT; UPDATE documents SET language = 'en'"
    monkeypatch.setattr(schema, "MIGRATIONS", (*schema.MIGRATIONS, extra))
    with Store.open(path, readonly=True) as ro:  # a reader reads the old schema, does not upgrade
        assert ro.get("a") is not None
        assert ro.conn.execute("PRAGMA user_version").fetchone()[0] == store_mod.SCHEMA_VERSION
    with Store.open(path) as st:
        assert st.conn.execute("PRAGMA user_version").fetchone()[0] == store_mod.SCHEMA_VERSION + 1
        assert st.conn.execute("SELECT doc, language FROM documents").fetchall() == [(doc_key("a"), "en")]
        assert st.get("a") is not None


def test_a_version_1_store_is_upgraded_and_its_rows_re_extracted(tmp_path, monkeypatch):
    path = tmp_path / "s.db"
    with monkeypatch.context() as m:
        m.setattr(schema, "MIGRATIONS", schema.MIGRATIONS[:1])
        with Store.open(path) as st:
            st.conn.execute(
                "INSERT INTO documents (doc, digest, text, extracted_at, model) "
                "VALUES ('a', 'd', 't', 'x', 'm')"
            )
    with Store.open(path) as st:
        assert st.conn.execute("PRAGMA user_version").fetchone()[0] == store_mod.SCHEMA_VERSION
        assert st.lookup("a", "d") is not None
        assert st.lookup("a", "d", extractor="build-1") is None  # made by an unknown build
        st.save([ext("a", "d", ["ORG"])], "m", extractor="build-1")
        assert st.lookup("a", "d", extractor="build-1") is not None
        assert st.entities_for("d", extractor="build-2") is None


def test_full_disk_keeps_earlier_batches_and_drops_the_failing_one(tmp_path):
    path = tmp_path / "s.db"
    with Store.open(path) as st:
        st.save([ext("small", "1", ["ORG"])], "m")
        pages = st.conn.execute("PRAGMA page_count").fetchone()[0]
        st.conn.execute(f"PRAGMA max_page_count = {pages + 2}")  # simulate SQLITE_FULL
        big = [ext(f"big{i}", f"b{i}", ["ORG"] * 50, text="x" * 200_000) for i in range(3)]
        with pytest.raises(StoreError, match="disk full") as err:
            st.save(big, "m")
        assert str(err.value).startswith(f"{path}: ")
        assert st.count() == 1 and st.saved == 1
    with Store.open(path) as st:
        assert [x.document.doc for x in st.extractions()] == ["small"]
        assert st.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert mention_count(path) == 1


def test_write_to_a_read_only_database_is_reported(tmp_path):
    with Store.open(tmp_path / "s.db") as st:
        st.conn.execute("PRAGMA query_only = ON")  # SQLite answers SQLITE_READONLY, as for a ro file
        with pytest.raises(StoreError, match="read-only"):
            st.save([ext("a", "1", [])], "m")


def _read_only_mount(path: str) -> bool:
    try:
        return bool(os.statvfs(path).f_flag & os.ST_RDONLY)
    except OSError:
        return False


@pytest.mark.skipif(not _read_only_mount("/sys"), reason="needs a read-only /sys mount")
def test_read_only_location(tmp_path):
    with pytest.raises(StoreError, match="cannot create the store folder"):
        Store.open("/sys/reetool-test/s.db")
    with pytest.raises(StoreError, match="cannot open the store"):
        Store.open("/sys/reetool-test.db")


def test_read_only_folder_by_permissions(tmp_path, monkeypatch):
    """Root ignores permissions, so the folder creation refusal is simulated there."""
    target = tmp_path / "locked" / "sub" / "s.db"
    if os.geteuid() == 0:

        def refuse(self, *a, **k):
            raise PermissionError(13, "Permission denied", str(self))

        monkeypatch.setattr(Path, "mkdir", refuse)
    else:
        (tmp_path / "locked").mkdir()
        (tmp_path / "locked").chmod(0o555)
    with pytest.raises(StoreError, match="cannot create the store folder: Permission denied"):
        Store.open(target)


def test_a_directory_is_not_a_store(tmp_path):
    with pytest.raises(StoreError, match="is a directory"):
        Store.open(tmp_path)


class _Boom(list):
    """Entities that blow up half-way through being written, like a Ctrl-C would."""

    def __iter__(self):
        yield from list.__iter__(self)
        raise KeyboardInterrupt


def test_interrupted_batch_leaves_nothing_partial(tmp_path):
    path = tmp_path / "s.db"
    with Store.open(path) as st:
        st.save([ext("first", "0", ["ORG"])], "m")
        good = ext("a", "1", ["ORG", "GPE"])
        bad = Extraction(ext("b", "2", []).document, _Boom(ext("b", "2", ["ORG", "ORG"]).entities))
        with pytest.raises(KeyboardInterrupt):
            st.save([good, bad], "m")
        assert st.count() == 1
        st.save([good], "m")  # the connection is usable again
        assert st.count() == 2
    assert mention_count(path) == 3


def test_sql_errors_map_to_readable_reasons():
    def err(name: str, msg: str) -> sqlite3.OperationalError:
        e = sqlite3.OperationalError(msg)
        e.sqlite_errorname = name
        return e

    assert "disk full" in reason(err("SQLITE_FULL", "database or disk is full"))
    assert "read-only" in reason(err("SQLITE_READONLY", "attempt to write a readonly database"))
    assert "cannot open" in reason(err("SQLITE_CANTOPEN", "unable to open database file"))
    assert "locked" in reason(err("SQLITE_BUSY", "database is locked"))


# -- the corpus aggregate and migration 3 (issue 5) ----------------------------------------


def _corpus_store(path: Path) -> None:
    d = {"digest": "", "fixes": {}}
    with Store.open(path) as st:
        st.save(
            [
                Extraction(
                    Document("a", "Lynas and LYNAS.", published="2025-01-02", **d),
                    [Entity("ORG", "Lynas", 0, 5, "Lynas"), Entity("ORG", "LYNAS", 10, 15, "Lynas")],
                ),
                Extraction(
                    Document("b", "Lynas in China.", published="", **d),
                    [Entity("ORG", "Lynas", 0, 5, "Lynas"), Entity("GPE", "China", 9, 14, "")],
                ),
                Extraction(
                    Document("c", "Lynas again.", published="2024-05-06", **d),
                    [Entity("ORG", "Lynas", 0, 5, "Lynas")],
                ),
            ],
            "m",
        )


def _stats(st: Store, labels=None) -> list[tuple]:
    rows = st.name_stats(labels)
    ids = {i: shown_doc(k) for i, k in st.conn.execute("SELECT CAST(id AS TEXT), doc FROM documents")}
    return sorted(
        (r.label, r.canonical, r.text, r.mentions, sorted(ids[d] for d in r.docs), r.first, r.last)
        for r in rows
    )


@pytest.mark.parametrize("few", [statistics.FEW, 0], ids=["from the mentions", "from the kept counts"])
def test_name_stats_aggregates_per_written_name(tmp_path, monkeypatch, few):
    """The same rows whether a name is aggregated from its mentions or read from the
    counts kept per name and month (every name, with ``FEW`` = 0)."""
    monkeypatch.setattr(statistics, "FEW", few)
    path = tmp_path / "s.db"
    _corpus_store(path)
    with Store.open(path, readonly=True) as st:
        assert _stats(st) == [
            ("GPE", "", "China", 1, ["b"], None, None),
            ("ORG", "Lynas", "LYNAS", 1, ["a"], "2025-01-02", "2025-01-02"),
            ("ORG", "Lynas", "Lynas", 3, ["a", "b", "c"], "2024-05-06", "2025-01-02"),
        ]
        counted = [isinstance(r.docs, StoredDocuments) for r in st.name_stats()]
        assert counted == [few == 0] * 3
        assert [r.label for r in st.name_stats(["GPE"])] == ["GPE"]
        assert list(st.name_stats([])) == []


def test_name_stats_reads_the_mentions_where_the_kept_counts_cannot_answer(tmp_path, monkeypatch):
    """The counts hold copies of one content and know dates by month: with a copy, or a
    date that names no month ("2024"), every name is aggregated from its mentions."""
    monkeypatch.setattr(statistics, "FEW", 0)
    path = tmp_path / "s.db"
    _corpus_store(path)
    lynas = [Entity("ORG", "Lynas", 0, 5, "Lynas")]
    with Store.open(path) as st:
        st.save([Extraction(Document("e", "Lynas.", published="2024", digest="x", fixes={}), lynas)], "m")
        assert all(isinstance(r.docs, set) for r in st.name_stats())
        assert _stats(st, ["ORG"])[1][3:] == (4, ["a", "b", "c", "e"], "2024", "2025-01-02")
        st.conn.execute("UPDATE documents SET published = '2024-02' WHERE doc LIKE '%e'")
        assert all(isinstance(r.docs, StoredDocuments) for r in st.name_stats())
        assert _stats(st, ["ORG"])[1][3:] == (4, ["a", "b", "c", "e"], "2024-02", "2025-01-02")
        st.save([Extraction(Document("f", "Lynas.", published="2023", digest="x", fixes={}), lynas)], "m")
        assert all(isinstance(r.docs, set) for r in st.name_stats())  # "f" is a copy of "e"
        assert _stats(st, ["ORG"])[1][3:] == (4, ["a", "b", "c", "e"], "2024-02", "2025-01-02")


def test_name_stats_reads_only_covering_indexes(tmp_path, monkeypatch):
    """The point of migration 3: no mention row and no document text is read."""
    path = tmp_path / "s.db"
    _corpus_store(path)
    seen: list[str] = []
    connect = connection.connect

    def traced(p, readonly):
        conn = connect(p, readonly)
        conn.set_trace_callback(seen.append)
        return conn

    monkeypatch.setattr(connection, "connect", traced)
    with Store.open(path, readonly=True) as st:
        assert len(list(st.name_stats(["ORG"]))) == 2
        queries = [q for q in seen if q.lstrip().upper().startswith("SELECT")]
        assert len(queries) == 5  # dates, copies of one content, odd dates, names by mentions and by counts
        for q in queries:
            plan = " ".join(
                row[-1] for row in st.conn.execute(f"EXPLAIN QUERY PLAN {q}", ("ORG",) * q.count("?"))
            )
            assert "USING COVERING INDEX" in plan, plan
            assert "TEMP B-TREE FOR GROUP BY" not in plan, plan


def test_an_older_store_is_upgraded_by_a_reader_that_may_write(tmp_path, monkeypatch):
    path = tmp_path / "s.db"
    with monkeypatch.context() as m:
        m.setattr(schema, "MIGRATIONS", schema.MIGRATIONS[:2])
        _corpus_store(path)
    with Store.open(path, readonly=True) as ro:  # without the indexes: same answer, just slower
        before = _stats(ro)
    assert Store.upgrade(tmp_path / "missing.db") is False
    assert not (tmp_path / "missing.db").exists()
    assert Store.upgrade(path) is True
    with Store.open(path, readonly=True) as ro:
        assert ro.conn.execute("PRAGMA user_version").fetchone()[0] == store_mod.SCHEMA_VERSION
        indexes = {r[0] for r in ro.conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
        assert {"mentions_corpus", "documents_published"} <= indexes
        assert "mentions_label_canonical" not in indexes
        assert _stats(ro) == before
    assert Store.upgrade(path) is False  # already current


def test_upgrade_gives_up_on_a_busy_or_newer_store(tmp_path, monkeypatch):
    path = tmp_path / "s.db"
    with monkeypatch.context() as m:
        m.setattr(schema, "MIGRATIONS", schema.MIGRATIONS[:2])
        _corpus_store(path)
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    try:
        assert Store.upgrade(path, timeout=0.05) is False
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 2
        conn.execute(f"PRAGMA user_version = {store_mod.SCHEMA_VERSION + 1}")
    assert Store.upgrade(path) is False
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == store_mod.SCHEMA_VERSION + 1
