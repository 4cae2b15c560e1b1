"""``extract --dask`` on a real local Dask cluster of 2 worker processes, started here.

The claims are about processes, so the runs are real ``reetool`` subprocesses talking to
the cluster over TCP, compared byte for byte with a single-process run, and the fault is
a real SIGKILL of a worker process while it holds a batch.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.conftest import SEEDS
from tests.test_interrupt import CLI, env, integrity, stored

pytestmark = pytest.mark.slow
distributed = pytest.importorskip("distributed")

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
import corpus as bench_corpus  # noqa: E402

BATCH = ["--batch-size", "2"]


@pytest.fixture(scope="module")
def cluster():
    """A scheduler and 2 worker processes (with nannies, as ``dask worker`` runs them)."""
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
        ) as local,
        distributed.Client(local) as client,
    ):
        yield local.scheduler_address, client


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """The seeds plus a small generated corpus of every input shape the reader takes."""
    generated = tmp_path_factory.mktemp("dask") / "corpus"
    bench_corpus.build(12, generated)
    return [str(SEEDS), str(generated)]


@pytest.fixture(scope="module")
def single(inputs: list[str], tmp_path_factory: pytest.TempPathFactory) -> tuple[bytes, Path]:
    """The reference: one process, no Dask."""
    db = tmp_path_factory.mktemp("single") / "single.db"
    out = run(*inputs, "--db", str(db), *BATCH)
    return out.stdout, db


def run(*args: str, extra_env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    proc = subprocess.run(
        [*CLI, "extract", *args, "--format", "jsonl"],
        env={**env(), **(extra_env or {})},
        capture_output=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr.decode()
    return proc


def start(inputs: list[str], db: Path, address: str) -> subprocess.Popen:
    """A dask run in the background, to be hurt while it works; its stdout goes to a file
    next to the store (a pipe nobody reads would stall it)."""
    with db.with_suffix(".out").open("wb") as out:
        return subprocess.Popen(
            [*CLI, "extract", *inputs, "--format", "jsonl", "--db", str(db), *BATCH, "--dask", address],
            env=env(),
            stdout=out,
            stderr=subprocess.PIPE,
        )


def store_rows(db: Path) -> tuple[list[tuple], list[tuple]]:
    """Everything stored except the wall-clock time of each save."""
    with sqlite3.connect(db) as conn:
        cols = [r[1] for r in conn.execute("PRAGMA table_info(documents)") if r[1] != "extracted_at"]
        docs = conn.execute(f"SELECT {', '.join(cols)} FROM documents ORDER BY id").fetchall()
        mentions = conn.execute("SELECT * FROM mentions ORDER BY id").fetchall()
    return docs, mentions


def wait_until_stored(proc: subprocess.Popen, db: Path, documents: int = 2) -> None:
    """Until the run has stored whole batches holding ``documents``, so it can be hurt mid-run."""
    deadline = time.monotonic() + 300
    while stored(db) < documents:
        assert proc.poll() is None, proc.stderr.read().decode()
        assert time.monotonic() < deadline, "extract never stored anything"
        time.sleep(0.05)


def assert_whole_batches_kept_and_a_rerun_resumes(
    inputs: list[str], single: tuple[bytes, Path], db: Path, address: str
) -> None:
    """A run stopped mid-way left the first batches, whole; a rerun on ``address`` ends
    with the single-process run's output and store."""
    assert integrity(db) == "ok"
    docs, mentions = store_rows(db)
    ref_docs, ref_mentions = store_rows(single[1])
    assert 2 <= len(docs) < len(ref_docs)
    assert docs == ref_docs[: len(docs)] and mentions == ref_mentions[: len(mentions)]
    again = run(*inputs, "--db", str(db), *BATCH, "--dask", address)
    assert again.stdout == single[0]
    assert store_rows(db) == (ref_docs, ref_mentions)


def test_dask_output_and_store_equal_a_single_process_run(cluster, inputs, single, tmp_path):
    address, _ = cluster
    db = tmp_path / "dask.db"
    out = run(*inputs, "--db", str(db), *BATCH, "--dask", address)
    assert out.stderr == b""
    assert out.stdout == single[0]
    assert len(out.stdout.splitlines()) > 17
    assert store_rows(db) == store_rows(single[1])
    # A rerun finds everything stored: same output, and it never needs the cluster.
    again = run(*inputs, "--db", str(db), *BATCH, "--dask", "tcp://127.0.0.1:9")
    assert again.stdout == single[0]


def test_the_summary_counts_what_the_cluster_extracted(cluster, inputs, single, tmp_path):
    """On a terminal, the last line counts the documents the workers extracted, and on a
    rerun the ones served from the store (which never reach the cluster)."""
    from tests.conftest import run_on_terminal

    address, _ = cluster
    with sqlite3.connect(single[1]) as conn:
        (n,) = conn.execute("SELECT count(*) FROM documents").fetchone()
    args = ["extract", *inputs, "--db", str(tmp_path / "d.db"), *BATCH, "--format", "jsonl"]
    for extra, counts in (
        (address, f"{n} extracted, 0 from the store, 0 failed"),
        ("tcp://127.0.0.1:9", f"0 extracted, {n} from the store, 0 failed"),
    ):
        shown, out, status = run_on_terminal([*args, "--dask", extra], env(), stdout_too=False)
        assert status == 0 and out == single[0]
        assert f"reetool: {n} documents: {counts} in ".encode() in shown


def test_a_worker_killed_mid_batch_loses_nothing(cluster, inputs, single, tmp_path):
    address, client = cluster
    pids = client.run(os.getpid)
    db = tmp_path / "dask.db"
    proc = start(inputs, db, address)
    victim = None
    deadline = time.monotonic() + 300
    while victim is None and proc.poll() is None and time.monotonic() < deadline:
        # A worker the scheduler counts as running one of our batches right now.
        busy = [w for w, tasks in client.processing().items() if tasks and w in pids]
        if busy:
            victim = busy[0]
            os.kill(pids[victim], signal.SIGKILL)
        else:
            time.sleep(0.05)
    _, err = proc.communicate(timeout=600)
    assert victim is not None, "no batch was ever seen running"
    assert proc.returncode == 0, err.decode()
    assert db.with_suffix(".out").read_bytes() == single[0]
    assert store_rows(db) == store_rows(single[1])


def test_a_client_killed_mid_run_keeps_whole_batches_and_a_rerun_resumes(cluster, inputs, single, tmp_path):
    address, _ = cluster
    db = tmp_path / "dask.db"
    proc = start(inputs, db, address)
    wait_until_stored(proc, db)
    proc.kill()
    proc.wait()
    assert_whole_batches_kept_and_a_rerun_resumes(inputs, single, db, address)


def test_unreachable_cluster_is_a_one_line_error(tmp_path):
    address = "tcp://127.0.0.1:9"  # the discard port: nothing listens there
    proc = subprocess.run(
        [*CLI, "extract", str(SEEDS), "--db", str(tmp_path / "s.db"), "--dask", address],
        env={**env(), "DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT": "2s"},
        capture_output=True,
        timeout=120,
    )
    assert proc.returncode == 1
    lines = proc.stderr.decode().splitlines()
    assert len(lines) == 1 and address in lines[0] and lines[0].startswith("reetool: "), lines
    assert proc.stdout == b""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_a_cluster_that_goes_away_mid_run_is_a_one_line_error_and_keeps_what_was_stored(
    cluster, inputs, single, tmp_path
):
    """A scheduler of its own, with one worker, SIGKILLed once the run has stored a batch."""
    address = f"tcp://127.0.0.1:{free_port()}"
    port = address.rsplit(":", 1)[1]
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL, "env": env()}
    scheduler = subprocess.Popen(
        [sys.executable, "-m", "distributed.cli.dask_scheduler", "--port", port, "--no-dashboard"], **quiet
    )
    worker = subprocess.Popen(
        [sys.executable, "-m", "distributed.cli.dask_worker", address, "--nthreads", "1", "--no-nanny"],
        **quiet,
    )
    db = tmp_path / "dask.db"
    try:
        proc = start(inputs, db, address)
        wait_until_stored(proc, db)
        scheduler.kill()
        worker.kill()
        _, err = proc.communicate(timeout=300)
    finally:
        for server in (scheduler, worker):
            server.kill()
            server.wait(timeout=60)
    lines = err.decode().splitlines()
    assert proc.returncode == 1, lines
    assert len(lines) == 1 and lines[0].startswith(f"reetool: lost the Dask cluster at {address}: "), lines
    assert_whole_batches_kept_and_a_rerun_resumes(inputs, single, db, cluster[0])


def test_a_worker_with_another_reetool_is_refused(cluster, single, tmp_path):
    """A third worker runs a copy of reetool one comment apart: it must get no batch."""
    address, client = cluster
    root = Path(__file__).resolve().parent.parent
    other = tmp_path / "other"
    shutil.copytree(root / "reetool", other / "reetool", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(root / "vocab", other / "vocab")
    with (other / "reetool" / "__init__.py").open("a") as fh:
        fh.write("# another build\n")
    worker = subprocess.Popen(
        [sys.executable, "-m", "distributed.cli.dask_worker", address, "--nthreads", "1", "--no-nanny"],
        env={**env(), "PYTHONPATH": str(other)},
        cwd=other,  # python -m puts the working directory first on sys.path
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 300
        while worker.pid not in client.run(os.getpid).values():  # it has joined
            assert worker.poll() is None and time.monotonic() < deadline, "the other worker never joined"
            time.sleep(0.2)
        out = run(str(SEEDS), "--no-store", *BATCH, "--dask", address)
    finally:
        worker.terminate()
        worker.wait(timeout=60)
    refused = out.stderr.decode().splitlines()
    assert len(refused) == 1, refused
    assert refused[0].startswith("reetool: Dask worker tcp://")
    assert "refused: extractor fingerprint" in refused[0]
    seeds_lines = [line for line in single[0].splitlines(keepends=True) if str(SEEDS).encode() in line]
    assert out.stdout == b"".join(seeds_lines) != b""


def test_without_dask_installed_the_option_says_how_to_get_it(tmp_path):
    code = (
        "import sys\n"
        "sys.modules['distributed'] = None  # import distributed -> ImportError, as when not installed\n"
        "from reetool.cli import main\n"
        f"sys.argv = ['reetool', 'extract', {str(SEEDS)!r}, '--no-store', '--dask', 'local:2']\n"
        "main()\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], env=env(), capture_output=True, timeout=120)
    assert proc.returncode == 1
    assert proc.stderr.decode().strip() == 'reetool: extract --dask needs Dask: pip install "reetool[dask]"'


def test_local_workers_get_one_memory_arena_and_keep_dasks_own_settings():
    """``--dask local:N`` workers start with MALLOC_ARENA_MAX=1 (spaCy's freed arrays are
    then reused as in one process) and with what Dask itself sets for new workers."""
    import dask

    from reetool.distributed import LOCAL_CLUSTER_CONFIG

    with (
        dask.config.set(LOCAL_CLUSTER_CONFIG),
        distributed.LocalCluster(
            n_workers=1, threads_per_worker=1, processes=True, dashboard_address=":0"
        ) as local,
        distributed.Client(local) as client,
    ):
        seen = next(iter(client.run(lambda: dict(os.environ)).values()))
    assert seen["MALLOC_ARENA_MAX"] == "1"
    assert seen["OMP_NUM_THREADS"] == "1"


def test_local_workers_read_the_users_vocab_and_are_gone_when_the_run_ends(tmp_path):
    """``--dask local:2 --vocab DIR``: the workers read DIR where it is (no copy left in a
    temporary folder), extract as one process with DIR does, and none outlives the run."""
    psutil = pytest.importorskip("psutil")
    vocab = tmp_path / "my-vocab"
    vocab.mkdir()
    (vocab / "not_entities.txt").write_text("Society\nAssociation\n")  # short forms the seeds use
    plain = run(str(SEEDS), "--no-store").stdout
    single = run(str(SEEDS), "--no-store", "--vocab", str(vocab)).stdout
    assert single != plain  # the vocab changes what the workers must find
    temp = Path(tempfile.gettempdir())
    copies = set(temp.glob("reetool-vocab-*"))
    cmd = [*CLI, "extract", str(SEEDS), "--no-store", "--format", "jsonl", "--vocab", str(vocab)]
    with (tmp_path / "out").open("wb") as out:
        proc = subprocess.Popen([*cmd, "--dask", "local:2"], env=env(), stdout=out, stderr=subprocess.PIPE)
    workers: set = set()
    while proc.poll() is None:
        with contextlib.suppress(psutil.Error):
            workers |= set(psutil.Process(proc.pid).children(recursive=True))
        time.sleep(0.05)
    assert proc.returncode == 0, proc.stderr.read().decode()
    assert (tmp_path / "out").read_bytes() == single
    assert len(workers) >= 2

    def alive() -> list:
        running = []
        for w in workers:
            with contextlib.suppress(psutil.Error):  # gone meanwhile
                if w.is_running() and w.status() != psutil.STATUS_ZOMBIE:
                    running.append(w)
        return running

    # multiprocessing's resource tracker ends on its own once the run has exited
    deadline = time.monotonic() + 10
    while alive() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert alive() == []
    assert set(temp.glob("reetool-vocab-*")) == copies


def test_batches_waiting_at_the_end_of_the_input_go_out_in_shrinking_pieces(cluster):
    """The last batches are cut smaller, so the workers finish together; each comes back
    whole and in order, with what one process finds in it."""
    from reetool.cleaner import clean_all, load_rules
    from reetool.distributed import DaskExecutor
    from reetool.pipeline import _Engine, fingerprint
    from reetool.reader import read_paths
    from reetool.vocab import Vocab

    address, _ = cluster
    docs = list(clean_all(read_paths([str(SEEDS)]), load_rules(Vocab.load([]), None)))
    batches = [docs[0:2], docs[2:4], docs[3:5]]
    executor = DaskExecutor(address, None, None, 4, fingerprint())
    try:
        handles = [executor.submit(batch) for batch in batches]
        executor.end_of_input()
        results = [executor.result(handle) for handle in handles]
    finally:
        executor.close()
    assert len(handles[-1].pieces) > 1  # two workers were busy: the last batch waited
    for handle, batch in zip(handles, batches, strict=True):
        assert [d for piece in handle.pieces for d in piece] == batch
    engine = _Engine(None, None, 4)
    assert results == [engine.run(batch) for batch in batches]


@given(
    docs=st.integers(1, 64),
    left_extra=st.integers(0, 200),
    workers=st.integers(1, 8),
    batch_size=st.integers(1, 64),
)
def test_shrinking_pieces_cover_the_batch_in_order_and_never_grow(docs, left_extra, workers, batch_size):
    from reetool.distributed import _shrinking

    batch = list(range(docs))
    pieces = _shrinking(batch, docs + left_extra, workers, batch_size)  # type: ignore[arg-type]
    assert [d for piece in pieces for d in piece] == batch
    assert all(pieces)
    sizes = [len(p) for p in pieces]
    assert sizes[:-1] == sorted(sizes[:-1], reverse=True)
    assert all(size >= max(1, batch_size // 8) for size in sizes[:-1])
    if docs + left_extra >= 2 * workers * docs:
        assert len(pieces) == 1  # far from the end, a batch goes out whole
