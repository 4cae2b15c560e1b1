"""Several processes at once: two writers on one store, and ``--workers 2``."""

from __future__ import annotations

import collections
import subprocess

import orjson
import pytest

from tests.test_interrupt import CLI, env, extract, integrity, make_corpus, per_doc

pytestmark = pytest.mark.slow


def test_two_writers_on_one_new_store_lose_nothing(tmp_path):
    corpus = make_corpus(tmp_path / "corpus", 48)
    docs = sorted(str(p) for p in corpus.iterdir())
    first, second = docs[:32], docs[16:]  # 16 documents both write
    db = tmp_path / "shared" / "s.db"  # neither process finds a store: both race to create it
    procs = [
        subprocess.Popen(
            [*CLI, "extract", *part, "--format", "jsonl", "--db", str(db), "--batch-size", "2"],
            cwd=tmp_path,
            env=env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for part in (first, second)
    ]
    outputs = [p.communicate(timeout=600) for p in procs]
    for proc, (_, err) in zip(procs, outputs, strict=True):
        assert proc.returncode == 0 and err == b"", err.decode()
    printed: list[collections.Counter[str]] = [
        collections.Counter(orjson.loads(line)["doc"] for line in out.splitlines()) for out, _ in outputs
    ]
    assert integrity(db) == "ok"
    stored = per_doc(db)
    assert sorted(stored) == docs
    for doc, n in stored.items():
        for seen in printed:
            if doc in seen:
                assert seen[doc] == n, f"{doc}: a writer printed {seen[doc]} mentions, the store has {n}"
    assert sum(stored.values()) == sum(
        n for i, seen in enumerate(printed) for doc, n in seen.items() if i == 0 or doc not in printed[0]
    )


def test_workers_two_prints_the_same_bytes_and_stores_everything(tmp_path):
    corpus = make_corpus(tmp_path / "corpus", 40)
    one = extract(str(corpus), "--format", "jsonl", "--no-store", "--batch-size", "4", cwd=tmp_path)
    db = tmp_path / "w.db"
    two = extract(
        str(corpus), "--format", "jsonl", "--db", str(db), "--workers", "2", "--batch-size", "4", cwd=tmp_path
    )
    assert one.returncode == 0 and two.returncode == 0, two.stderr.decode()
    assert two.stderr == b""
    assert len(one.stdout.splitlines()) > 40
    assert two.stdout == one.stdout
    assert not (tmp_path / ".reetool").exists()  # --no-store wrote nothing
    stored = per_doc(db)
    assert len(stored) == 40
    assert sum(stored.values()) == len(one.stdout.splitlines())
    assert integrity(db) == "ok"


def _writer(db: str, worker: int, rounds: int) -> None:
    from reetool.document import Document, Entity, Extraction
    from reetool.store import Store

    with Store.open(db) as st:  # every writer races to create and migrate the store
        for r in range(rounds):
            batch = []
            for k in range(5):
                doc = f"doc{(r * 5 + k) % 60:03d}"  # writers overlap on the same 60 names
                ents = [Entity("ORG", f"o{j}", j, j + 1, f"O{j}") for j in range(3)]
                batch.append(Extraction(Document(doc, "text " * 50, digest=f"{doc}-{worker}"), ents))
            st.save(batch, f"writer{worker}")


def test_many_writers_hammering_one_store(tmp_path):
    """Store-level race without spaCy: no "database is locked", no lost or doubled rows."""
    import multiprocessing

    db = str(tmp_path / "new" / "s.db")
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_writer, args=(db, w, 40)) for w in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
    assert [p.exitcode for p in procs] == [0, 0, 0, 0]
    assert integrity(db) == "ok"
    counts = per_doc(db)
    assert len(counts) == 60 and set(counts.values()) == {3}
