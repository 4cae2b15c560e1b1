"""run_extract orchestration: order, incremental runs, batches, interruption, failures.

A tiny deterministic extractor replaces spaCy here (``build_extractor`` is the one seam),
so these tests are fast and can count exactly what got extracted. The real pipeline
runs in tests/test_interrupt.py and tests/test_concurrency.py.
"""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from reetool import pipeline
from reetool.cli import app
from reetool.document import Entity, Extraction, Failure
from reetool.pipeline import ExtractOptions, run_extract
from reetool.store import Store
from reetool.webpage import PageOptions

WORD = re.compile(r"\b[A-Z][a-z]+\b")


class FakeExtractor:
    """Every capitalised word is an ORG; records what it was asked to do."""

    def __init__(self, fail_on: str | None = None, interrupt_on: str | None = None) -> None:
        self.seen: list[str] = []
        self.batches: list[int] = []
        self.fail_on, self.interrupt_on = fail_on, interrupt_on

    def extract(self, docs, batch_size=32):
        docs = list(docs)
        self.batches.append(len(docs))
        for d in docs:
            if self.interrupt_on and self.interrupt_on in d.text:
                raise KeyboardInterrupt
            if self.fail_on and self.fail_on in d.text:
                raise ValueError("cannot digest this")
            self.seen.append(d.doc)
            ents = [
                Entity("ORG", m.group(), m.start(), m.end(), m.group().upper()) for m in WORD.finditer(d.text)
            ]
            yield Extraction(d, ents)


@pytest.fixture
def fake(monkeypatch):
    made: list[FakeExtractor] = []
    options: dict = {}

    def build(model=None, vocab=None):
        made.append(FakeExtractor(**options))
        return made[-1]

    monkeypatch.setattr(pipeline, "build_extractor", build)

    class Handle:
        def configure(self, **kw):
            options.update(kw)

        @property
        def built(self) -> int:
            return len(made)

        @property
        def seen(self) -> list[str]:
            return [d for m in made for d in m.seen]

        @property
        def batches(self) -> list[int]:
            return [b for m in made for b in m.batches]

    return Handle()


def corpus(root: Path, n: int) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        (root / f"doc{i:03d}.txt").write_text(f"Report {i} from Baotou about Lynas and Neodymium.\n")
    return root


def summary(items) -> list[tuple[str, object]]:
    out = []
    for it in items:
        if isinstance(it, Failure):
            out.append(("FAIL", it.doc))
        else:
            out.append(
                (it.document.doc, [(e.label, e.text, e.start, e.end, e.canonical) for e in it.entities])
            )
    return out


def test_order_is_input_order_with_failures_in_place(tmp_path, fake):
    c = corpus(tmp_path / "c", 5)
    missing = str(tmp_path / "missing.txt")
    paths = [str(c / "doc003.txt"), missing, str(c / "doc001.txt"), str(c / "doc004.txt")]
    got = summary(run_extract(paths, ExtractOptions(batch_size=2)))
    assert [g[0] for g in got] == [paths[0], "FAIL", paths[2], paths[3]]
    assert got[1] == ("FAIL", missing)
    assert got[0][1][0] == ("ORG", "Report", 0, 6, "REPORT")


def test_second_run_uses_the_store_and_prints_the_same(tmp_path, fake):
    c = corpus(tmp_path / "c", 7)
    with Store.open(tmp_path / "s.db") as st:
        first = summary(run_extract([str(c)], ExtractOptions(batch_size=3), store=st))
        assert fake.built == 1 and len(fake.seen) == 7 and st.saved == 7
    with Store.open(tmp_path / "s.db") as st:
        second = summary(run_extract([str(c)], ExtractOptions(batch_size=3), store=st))
        assert st.saved == 0
    assert second == first
    assert fake.built == 1, "no extractor (no spaCy) is loaded when everything is stored"
    assert len(fake.seen) == 7


def test_force_extracts_again(tmp_path, fake):
    c = corpus(tmp_path / "c", 4)
    with Store.open(tmp_path / "s.db") as st:
        list(run_extract([str(c)], store=st))
        list(run_extract([str(c)], ExtractOptions(force=True), store=st))
        assert len(fake.seen) == 8 and st.count() == 4


def test_a_changed_extractor_build_extracts_again(tmp_path, fake, monkeypatch):
    c = corpus(tmp_path / "c", 3)
    with Store.open(tmp_path / "s.db") as st:
        list(run_extract([str(c)], store=st))
        monkeypatch.setattr(pipeline, "fingerprint", lambda model=None, vocab=None, page=None: "new-build")
        list(run_extract([str(c)], store=st))
        assert len(fake.seen) == 6
        list(run_extract([str(c)], store=st))
        assert len(fake.seen) == 6 and st.count() == 3


def test_fingerprint_follows_model_and_vocab(tmp_path):
    base = pipeline.fingerprint()
    assert base == pipeline.fingerprint() and len(base) == 16
    assert pipeline.fingerprint(model="other_model") != base
    # the same page kept whole (--full) or with its comments is another text
    fp = pipeline.fingerprint
    pages = [fp(page=PageOptions(full=True)), fp(page=PageOptions(comments=True))]
    assert len({base, *pages}) == 3
    extra = tmp_path / "vocab"
    extra.mkdir()
    (extra / "org_names.tsv").write_text("name\tacronym\nLynas Rare Earths\tLYC\n")
    with_vocab = pipeline.fingerprint(vocab=[str(extra)])
    assert with_vocab != base
    (extra / "org_names.tsv").write_text("name\tacronym\nIluka Resources\tILU\n")
    assert pipeline.fingerprint(vocab=str(extra)) != with_vocab


def test_changed_file_is_extracted_again_and_replaced(tmp_path, fake):
    c = corpus(tmp_path / "c", 3)
    with Store.open(tmp_path / "s.db") as st:
        list(run_extract([str(c)], store=st))
        (c / "doc001.txt").write_text("Now only Malaysia.\n")
        got = summary(run_extract([str(c)], store=st))
        assert fake.seen[3:] == [str(c / "doc001.txt")]
        assert got[1][1] == [("ORG", "Now", 0, 3, "NOW"), ("ORG", "Malaysia", 9, 17, "MALAYSIA")]
        assert st.get(str(c / "doc001.txt")).document.text == "Now only Malaysia."
        assert st.count() == 3


def test_copied_file_reuses_stored_entities(tmp_path, fake):
    c = corpus(tmp_path / "c", 2)
    with Store.open(tmp_path / "s.db") as st:
        list(run_extract([str(c)], store=st))
        copy = tmp_path / "copy.txt"
        copy.write_bytes((c / "doc000.txt").read_bytes())
        got = summary(run_extract([str(copy)], store=st))
        assert len(fake.seen) == 2  # not extracted again
        assert got[0][0] == str(copy) and got[0][1] == summary([st.get(str(c / "doc000.txt"))])[0][1]
        assert st.get(str(copy)) is not None and st.count() == 3


def test_one_transaction_per_batch(tmp_path, fake, monkeypatch):
    c = corpus(tmp_path / "c", 10)
    commits: list[int] = []
    with Store.open(tmp_path / "s.db") as st:
        original = st.save
        monkeypatch.setattr(st, "save", lambda exts, *a: (commits.append(len(exts)), original(exts, *a)))
        list(run_extract([str(c)], ExtractOptions(batch_size=4), store=st))
    assert commits == [4, 4, 2]
    assert fake.batches == [4, 4, 2]


def test_results_are_saved_before_they_are_yielded(tmp_path, fake):
    """A consumer that stops early (| head) leaves only whole, already-yielded batches."""
    c = corpus(tmp_path / "c", 10)
    with Store.open(tmp_path / "s.db") as st:
        items = run_extract([str(c)], ExtractOptions(batch_size=3), store=st)
        first = next(items)
        assert st.count() == 3 and st.get(first.document.doc) is not None
        items.close()
        assert st.count() == 3


def test_interrupt_mid_run_keeps_complete_batches_and_resumes(tmp_path, fake):
    c = corpus(tmp_path / "c", 10)
    (c / "doc007.txt").write_text("Report seven STOPHERE Baotou.\n")
    fake.configure(interrupt_on="STOPHERE")
    db = tmp_path / "s.db"
    yielded = []
    with Store.open(db) as st, pytest.raises(KeyboardInterrupt):
        for item in run_extract([str(c)], ExtractOptions(batch_size=3), store=st):
            yielded.append(item)
    assert len(yielded) == 6
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM documents").fetchone()[0] == 6
        per_doc = conn.execute("SELECT count(*) FROM mentions GROUP BY doc_id").fetchall()
        assert [n for (n,) in per_doc] == [4] * 6  # Report, Baotou, Lynas, Neodymium: all of them
    fake.configure(interrupt_on=None)
    with Store.open(db) as st:
        resumed = summary(run_extract([str(c)], ExtractOptions(batch_size=3), store=st))
        assert st.saved == 4
    with Store.open(tmp_path / "fresh.db") as st:
        assert resumed == summary(run_extract([str(c)], ExtractOptions(batch_size=3), store=st))


def test_extractor_error_fails_only_that_document(tmp_path, fake):
    c = corpus(tmp_path / "c", 5)
    (c / "doc002.txt").write_text("Poison pill here.\n")
    fake.configure(fail_on="Poison")
    with Store.open(tmp_path / "s.db") as st:
        got = list(run_extract([str(c)], ExtractOptions(batch_size=5), store=st))
        assert [type(g).__name__ for g in got] == ["Extraction"] * 2 + ["Failure"] + ["Extraction"] * 2
        assert "extraction failed: ValueError: cannot digest this" in got[2].reason
        assert st.count() == 4 and st.get(str(c / "doc002.txt")) is None


def test_workers_must_be_positive():
    with pytest.raises(ValueError):
        list(run_extract([], ExtractOptions(workers=0)))


# -- the extract command's data flow ---------------------------------------------------


def run_cli(args, env=None):
    return CliRunner().invoke(app, args, env=env, catch_exceptions=False)


def test_cli_stores_in_db_and_reruns_identically(tmp_path, fake):
    c = corpus(tmp_path / "c", 4)
    db = tmp_path / "x" / "r.db"
    first = run_cli(["extract", str(c), "--format", "jsonl", "--db", str(db)])
    assert first.exit_code == 0 and db.is_file()
    second = run_cli(["extract", str(c), "--format", "jsonl"], env={"REETOOL_DB": str(db)})
    assert second.exit_code == 0 and second.stdout == first.stdout
    assert len(fake.seen) == 4


def test_cli_default_store_and_no_store(tmp_path, fake, monkeypatch):
    c = corpus(tmp_path / "c", 2)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("REETOOL_DB", raising=False)
    assert run_cli(["extract", str(c), "--format", "jsonl", "--no-store"]).exit_code == 0
    assert not (tmp_path / ".reetool").exists()
    assert run_cli(["extract", str(c), "--format", "jsonl"]).exit_code == 0
    assert (tmp_path / ".reetool" / "reetool.db").is_file()


def test_cli_store_error_is_one_line(tmp_path, fake):
    c = corpus(tmp_path / "c", 2)
    bad = tmp_path / "bad.db"
    bad.write_text("not sqlite at all\n" * 50)
    res = run_cli(["extract", str(c), "--db", str(bad)])
    assert res.exit_code == 1
    assert res.stderr == f"reetool: {bad}: not a reetool store (the file is not a SQLite database)\n"
    assert res.stdout == ""


def test_cli_ctrl_c_exits_130_with_resume_hint(tmp_path, fake):
    c = corpus(tmp_path / "c", 6)
    (c / "doc004.txt").write_text("STOPHERE\n")
    fake.configure(interrupt_on="STOPHERE")
    db = tmp_path / "s.db"
    res = run_cli(["extract", str(c), "--format", "jsonl", "--db", str(db), "--batch-size", "2"])
    assert res.exit_code == 130
    assert res.stderr == "reetool: interrupted; 4 documents stored, run again to resume\n"
    with Store.open(db, readonly=True) as st:
        assert st.count() == 4


def test_tally_counts_stored_documents_when_found_not_when_their_batch_is_yielded(tmp_path, fake):
    """The progress bar reads the tally while a batch is out: documents served from the
    store are done the moment they are found, before the new one's batch comes back."""
    from reetool.tally import Tally

    c = corpus(tmp_path / "c", 3)
    with Store.open(tmp_path / "s.db") as st:
        list(run_extract([str(c / "doc000.txt"), str(c / "doc001.txt")], store=st))
        tally = Tally()
        seen_when_reading_ended: list[tuple[int, int, int]] = []

        def paths():
            yield from (str(c / "doc000.txt"), str(c / "missing.txt"), str(c / "doc001.txt"))
            yield str(c / "doc002.txt")
            # The reader asks for the next path only after the previous document was dealt with.
            seen_when_reading_ended.append((tally.stored, tally.failed, tally.extracted))

        items = run_extract(paths(), store=st, tally=tally)
        first = next(items)  # the whole run is one chunk: nothing is yielded before it is read
        assert seen_when_reading_ended == [(2, 1, 0)]  # stored and failed: counted at once
        assert first.document.doc.endswith("doc000.txt")
        rest = list(items)
    assert len(rest) == 3 and fake.seen == [
        str(c / "doc000.txt"),
        str(c / "doc001.txt"),
        str(c / "doc002.txt"),
    ]
    assert (tally.read, tally.stored, tally.extracted, tally.failed, tally.done) == (4, 2, 1, 1, 4)
    assert tally.reading_done and tally.total == 4


def test_tally_counts_copies_as_stored_and_extraction_failures_as_failed(tmp_path, fake):
    from reetool.tally import Tally

    c = corpus(tmp_path / "c", 2)
    (c / "bad.txt").write_text("Poison pill here.\n")
    fake.configure(fail_on="Poison")
    with Store.open(tmp_path / "s.db") as st:
        list(run_extract([str(c / "doc000.txt")], store=st))
        copy = tmp_path / "copy.txt"
        copy.write_bytes((c / "doc000.txt").read_bytes())
        tally = Tally()
        list(run_extract([str(copy), str(c / "doc001.txt"), str(c / "bad.txt")], store=st, tally=tally))
    assert (tally.read, tally.stored, tally.extracted, tally.failed) == (3, 1, 1, 1)
