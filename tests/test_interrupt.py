"""Failure injection on a real ``reetool extract`` process: SIGKILL and SIGINT part-way,
and a reader that goes away (``| head -1``). The store must hold only complete
documents, and a rerun must finish with exactly the totals (and output) of a run that
was never interrupted."""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import SEEDS

pytestmark = pytest.mark.slow

CLI = [sys.executable, "-c", "from reetool.cli import main; main()"]
N_DOCS = 100
BATCH = ["--batch-size", "4"]


def make_corpus(root: Path, n: int) -> Path:
    """Small distinct documents built from the text seeds (mojibake included)."""
    texts = [p.read_text(encoding="utf-8")[:700] for p in sorted(SEEDS.iterdir())[1:]]
    root.mkdir(parents=True)
    for i in range(n):
        body = (
            f"{texts[i % len(texts)]}\n\nNote {i}: Lynas Rare Earths said in Perth on March {i % 28 + 1}.\n"
        )
        (root / f"doc{i:04d}.txt").write_text(body, encoding="utf-8")
    return root


def env() -> dict[str, str]:
    e = {k: v for k, v in os.environ.items() if k != "REETOOL_DB"}
    e["NO_COLOR"] = "1"
    return e


def extract(*args: str, cwd: Path, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*CLI, "extract", *args], cwd=cwd, env=env(), capture_output=True, timeout=600, **kw
    )


def per_doc(db: Path) -> dict[str, int]:
    with sqlite3.connect(db) as conn:
        rows = conn.execute(
            "SELECT d.doc, count(m.id) FROM documents d LEFT JOIN mentions m ON m.doc_id = d.id GROUP BY d.id"
        )
        return dict(rows.fetchall())


def integrity(db: Path) -> str:
    with sqlite3.connect(db) as conn:
        orphans = conn.execute(
            "SELECT count(*) FROM mentions WHERE doc_id NOT IN (SELECT id FROM documents)"
        ).fetchone()[0]
        assert orphans == 0
        return conn.execute("PRAGMA integrity_check").fetchone()[0]


def stored(db: Path) -> int:
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as conn:
            return conn.execute("SELECT count(*) FROM documents").fetchone()[0]
    except sqlite3.OperationalError:  # not created yet
        return 0


def start_and_wait(db: Path, cwd: Path, corpus: Path, at_least: int) -> subprocess.Popen:
    proc = subprocess.Popen(
        [*CLI, "extract", str(corpus), "--format", "jsonl", "--db", str(db), *BATCH],
        cwd=cwd,
        env=env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 300
    while stored(db) < at_least:
        assert proc.poll() is None, proc.stderr.read().decode()
        assert time.monotonic() < deadline, "extract never stored anything"
        time.sleep(0.05)
    return proc


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """The corpus and the reference: one uninterrupted run over it."""
    root = tmp_path_factory.mktemp("interrupt")
    corpus = make_corpus(root / "corpus", N_DOCS)
    ref_db = root / "ref.db"
    ref = extract(str(corpus), "--format", "jsonl", "--db", str(ref_db), *BATCH, cwd=root)
    assert ref.returncode == 0, ref.stderr.decode()
    counts = per_doc(ref_db)
    assert len(counts) == N_DOCS and sum(counts.values()) > N_DOCS
    return root, corpus, ref.stdout, counts


def check_partial(db: Path, counts: dict[str, int]) -> dict[str, int]:
    assert integrity(db) == "ok"
    got = per_doc(db)
    assert 0 < len(got) < N_DOCS, "the run was not stopped part-way"
    for doc, n in got.items():
        assert n == counts[doc], f"{doc}: {n} mentions stored, a full run stores {counts[doc]}"
    return got


def check_resume(db: Path, root: Path, corpus: Path, ref_out: bytes, counts: dict[str, int]) -> None:
    again = extract(str(corpus), "--format", "jsonl", "--db", str(db), *BATCH, cwd=root)
    assert again.returncode == 0 and again.stderr == b""
    assert again.stdout == ref_out  # stored documents print exactly what extraction printed
    assert per_doc(db) == counts
    assert integrity(db) == "ok"


def test_sigkill_part_way_then_resume(world):
    root, corpus, ref_out, counts = world
    db = root / "killed.db"
    proc = start_and_wait(db, root, corpus, at_least=8)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    proc.stderr.close()
    assert proc.returncode == -signal.SIGKILL
    check_partial(db, counts)
    check_resume(db, root, corpus, ref_out, counts)


def test_sigint_part_way_exits_130_then_resume(world):
    root, corpus, ref_out, counts = world
    db = root / "interrupted.db"
    proc = start_and_wait(db, root, corpus, at_least=8)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err.decode()
    message = re.fullmatch(rb"reetool: interrupted; (\d+) documents stored, run again to resume\n", err)
    assert message, err.decode()
    got = check_partial(db, counts)
    assert int(message.group(1)) == len(got)
    check_resume(db, root, corpus, ref_out, counts)


def test_reader_going_away_leaves_no_noise_and_whole_documents(world):
    root, corpus, _, counts = world
    db = root / "piped.db"
    proc = subprocess.Popen(
        [*CLI, "extract", str(corpus), "--format", "jsonl", "--db", str(db), *BATCH],
        cwd=root,
        env=env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    first = proc.stdout.readline()
    proc.stdout.close()  # what `| head -1` does
    err = proc.stderr.read()
    proc.wait(timeout=120)
    assert first.startswith(b'{"doc":')
    assert err == b"", err.decode()
    got = check_partial(db, counts)
    assert len(got) < N_DOCS


def test_seeds_into_head_has_clean_stderr(tmp_path):
    cmd = f"{sys.executable} -c 'from reetool.cli import main; main()' extract {SEEDS} --format jsonl"
    res = subprocess.run(
        ["bash", "-c", f"{cmd} --db {tmp_path / 's.db'} 2>{tmp_path / 'err'} | head -1"],
        cwd=tmp_path,
        env=env(),
        capture_output=True,
        timeout=300,
    )
    assert res.returncode == 0
    assert res.stdout.count(b"\n") == 1 and res.stdout.startswith(b'{"doc":')
    assert (tmp_path / "err").read_bytes() == b""
    assert integrity(tmp_path / "s.db") == "ok"
    for doc, n in per_doc(tmp_path / "s.db").items():
        assert n > 0, doc
