"""``extract --dask``: batches of documents extracted on a Dask cluster.

Dask distributed does the scheduling, the transport and the fault tolerance; this module
only adapts it to :class:`reetool.pipeline.Executor`, so reading, ordering, skipping
stored documents and storing stay in :func:`reetool.pipeline.run_extract`, on the client.

- Workers need no access to the client's files: the documents travel with each batch,
  and the user's vocab folders (``--vocab``, ``REETOOL_VOCAB``) travel, as file contents,
  inside a worker plugin that loads the spaCy pipeline once per worker.
- A worker whose extractor fingerprint (reetool's code, vocab, model name) differs from
  the client's is refused: it never receives the resource that batches require, and the
  client is told in one line. So no batch can come back different from a local run.
- A worker that dies mid-batch loses nothing: the scheduler runs the batch again on
  another worker, and the client stores each batch once, when its result arrives.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import os
import shutil
import signal
import tempfile
import threading
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import Any

import dask
from distributed import Client, Future, LocalCluster, WorkerPlugin, get_worker

from reetool.document import Document
from reetool.pipeline import Batch, ClusterError, Vocabs, _Engine, fingerprint, resolve_vocab
from reetool.settings import env_model
from reetool.vocab import Vocab, builtin_dir
from reetool.webpage import PageOptions

LOCAL = "local:"
# Per user vocab folder, in order: its path, for workers on this machine, or else its
# contents (relative path -> bytes), for workers that cannot read the client's files.
VocabFiles = tuple[str | dict[str, bytes], ...]

# A local cluster lives for one run, on the cores its workers need, and nobody reads its
# diagnostics. Dask's defaults poll for them: the statistical profiler samples each worker
# every 10 ms, and every server ticks every 20 ms, checks system load every 0.5 s and
# memory every 0.1 s. Idle, on the 2-core benchmark machine, that took 8% of a core in
# the client (which hosts the scheduler) and 7% in two workers; with these settings, 1.3%
# and 1%. That CPU goes to spaCy instead. A cluster of your own keeps your configuration.
#
# A Dask worker runs tasks in a thread, and glibc gives each thread its own memory arena,
# which returns freed memory to the kernel on its own terms: the recognizer's arrays were
# faulted in again for every batch (:mod:`reetool.allocator` settles that for the main
# arena only). One arena, as in a single process, took the system time of two workers
# on 153 documents from 2.6 to 1.4-1.8 s. Dask's own variables for new workers (one BLAS
# thread; its trim threshold, which reetool's allocator settings replace) stay.
LOCAL_CLUSTER_CONFIG = {
    "distributed.worker.profile.enabled": False,
    "distributed.admin.tick.interval": "1s",
    "distributed.admin.system-monitor.interval": "5s",
    "distributed.worker.memory.monitor-interval": "1s",
    "distributed.nanny.pre-spawn-environ": {
        **dask.config.get("distributed.nanny.pre-spawn-environ", {}),
        "MALLOC_ARENA_MAX": 1,
    },
}


class ExtractorPlugin(WorkerPlugin):
    """Loads reetool's extractor once on each worker, or records why the worker is refused.

    ``name`` is derived from the whole configuration, and the plugin is idempotent: a
    second run with the same settings on a long-lived cluster reuses the loaded pipelines.
    """

    idempotent = True

    def __init__(
        self, model: str | None, vocab_files: VocabFiles, batch_size: int, expected: str, page: PageOptions
    ) -> None:
        self.model, self.vocab_files = model, vocab_files
        # The page options change only the client's cleaning, but they are part of the
        # fingerprint the worker must reproduce.
        self.batch_size, self.expected, self.page = batch_size, expected, page
        digest = hashlib.sha256(repr((model, vocab_files, batch_size, expected)).encode()).hexdigest()
        self.name = f"reetool-{digest[:16]}"
        self.engine: _Engine | None = None
        self.refusal: str | None = None
        self._tmp: str | None = None

    async def setup(self, worker: Any) -> None:
        # Loading spaCy takes seconds: off the worker's event loop, so heartbeats go on.
        await asyncio.get_running_loop().run_in_executor(None, self._load)
        if self.refusal is None:
            await worker.set_resources(**{self.name: 1})

    def teardown(self, worker: Any) -> None:
        if self._tmp is not None:
            shutil.rmtree(self._tmp, ignore_errors=True)

    def _load(self) -> None:
        try:
            vocab = Vocab((builtin_dir(), *self._vocab_dirs()))
            found = fingerprint(self.model, vocab, self.page)
            if found != self.expected:
                self.refusal = (
                    f"extractor fingerprint {found} differs from the client's {self.expected} "
                    "(another reetool version, vocab or model)"
                )
                return
            engine = _Engine(self.model, vocab, self.batch_size)
            engine.run([])
            self.engine = engine
        except Exception as exc:
            self.refusal = f"cannot load the extractor: {exc}"

    def _vocab_dirs(self) -> list[Path]:
        """The user's vocab folders: as given, or written from their contents into a
        temporary folder that :meth:`teardown` removes."""
        dirs = []
        for i, files in enumerate(self.vocab_files):
            if isinstance(files, str):
                dirs.append(Path(files))
                continue
            if self._tmp is None:
                self._tmp = tempfile.mkdtemp(prefix="reetool-vocab-")
            folder = Path(self._tmp) / str(i)
            folder.mkdir()
            for rel, data in files.items():
                path = folder / rel
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(data)
            dirs.append(folder)
        return dirs


def _pack(vocab: Vocab, local: bool) -> VocabFiles:
    """The user's vocab folders (all but the built-in one): their paths for local
    workers, else their contents."""
    if local:
        return tuple(str(folder.resolve()) for folder in vocab.dirs[1:])
    packed = []
    for folder in vocab.dirs[1:]:
        files = sorted(p for p in folder.rglob("*") if p.is_file()) if folder.is_dir() else []
        packed.append({p.relative_to(folder).as_posix(): p.read_bytes() for p in files})
    return tuple(packed)


def _extract_batch(plugin: str, docs: list[Document]) -> Batch:
    """The task: runs on a worker that holds the resource, hence a loaded engine."""
    engine = get_worker().plugins[plugin].engine  # type: ignore[attr-defined]
    if engine is None:
        raise RuntimeError("reetool's extractor is not loaded on this worker")
    result: Batch = engine.run(docs)
    return result


def _refusal(plugin: str, dask_worker: Any) -> str | None:
    """Runs on every worker (``Client.run`` passes ``dask_worker``): why it cannot take
    batches, or None."""
    loaded = dask_worker.plugins.get(plugin)
    if loaded is None:
        return "reetool's plugin did not load (is reetool installed on this worker?)"
    refusal: str | None = loaded.refusal
    return refusal


class _Submitted:
    """A submitted batch. It waits on the client until a worker is free, then goes out
    whole; at the end of the input, it may go out as several pieces (see
    :meth:`DaskExecutor.end_of_input`). ``futures`` has one entry per piece sent."""

    __slots__ = ("futures", "pieces")

    def __init__(self, docs: list[Document]) -> None:
        self.pieces = [docs]
        self.futures: list[Future] = []

    @property
    def sent(self) -> bool:
        return len(self.futures) == len(self.pieces)


class DaskExecutor:
    """Sends batches to a Dask cluster: ``tcp://host:port`` of a running scheduler, or
    ``local:N`` for N worker processes started here for the length of the run.

    Connects on the first batch (a rerun over a stored corpus needs no cluster). A batch
    is sent only when a worker is free (a finished task sends the next one, from Dask's
    callback thread), and at most three batches per accepted worker are submitted, so
    memory stays flat on both sides. Holding batches back on the client until a worker
    is free is what lets the last ones be cut small at the end of the input: sent ahead,
    Dask would already have queued each on a worker. (With two per worker, often only
    the final batch was still waiting when the input ran out.)
    """

    def __init__(
        self,
        address: str,
        model: str | None,
        vocab: Vocabs,
        batch_size: int,
        build: str,
        on_notice: Callable[[str], None] | None = None,
        page: PageOptions | None = None,
    ) -> None:
        self.address = address
        loaded = resolve_vocab(vocab)
        self.plugin = ExtractorPlugin(
            model or env_model(),
            _pack(loaded, local=address.startswith(LOCAL)),
            batch_size,
            build,
            page or PageOptions(),
        )
        self.on_notice = on_notice or (lambda message: None)
        self.client: Client | None = None
        self.cluster: LocalCluster | None = None
        self.workers = 0
        self._waiting: deque[_Submitted] = deque()  # submitted, not all pieces sent yet
        self._running = 0  # pieces sent and not finished
        self._error: BaseException | None = None  # a send that failed in the callback thread
        self._lock = threading.Condition()

    @property
    def ahead(self) -> int:
        return 3 * self.workers

    def submit(self, docs: list[Document]) -> _Submitted:
        if self.client is None:
            self._connect()
        batch = _Submitted(docs)
        with self._lock:
            self._waiting.append(batch)
            self._send()
        return batch

    def end_of_input(self) -> None:
        """No batch will follow: the documents still waiting are cut into pieces that
        shrink towards the end, so the workers run out of work together instead of one
        finishing a whole batch alone. Each document's entities do not depend on which
        others share its spaCy batch, so the output is unchanged."""
        with self._lock:
            # Waiting batches were never sent: until now, a batch goes out whole.
            left = sum(len(batch.pieces[0]) for batch in self._waiting)
            for batch in self._waiting:
                docs = batch.pieces[0]
                batch.pieces = _shrinking(docs, left, self.workers, self.plugin.batch_size)
                left -= len(docs)
            self._send()

    def result(self, handle: _Submitted) -> Batch:
        with self._lock:
            while not handle.sent and self._error is None and self.client is not None:
                self._lock.wait(1.0)
            error = self._error
        if error is not None or not handle.sent:
            raise self._lost(error or RuntimeError("the client was closed"))
        name, out = "", []
        for future in handle.futures:
            try:
                name, results = future.result()
            except Exception as exc:
                raise self._lost(exc) from None
            future.release()
            out.extend(results)
        return name, out

    def close(self) -> None:
        self._shutdown()

    def abort(self) -> None:
        self._shutdown()

    def _send(self) -> None:
        """Send pieces while workers are free; called with the lock held."""
        while self._waiting and self._running < self.workers and self.client is not None:
            batch = self._waiting[0]
            piece = batch.pieces[len(batch.futures)]
            try:
                future = self.client.submit(
                    _extract_batch, self.plugin.name, piece, resources={self.plugin.name: 1}, pure=False
                )
            except Exception as exc:
                self._error = exc
                break
            batch.futures.append(future)
            if batch.sent:
                self._waiting.popleft()
            self._running += 1
            future.add_done_callback(self._finished)
        self._lock.notify_all()

    def _finished(self, future: Future) -> None:
        """Dask's callback thread: a worker is free for the next piece."""
        with self._lock:
            self._running -= 1
            self._send()

    def _connect(self) -> None:
        _quiet_dask_logs()
        timeout = dask.config.get("distributed.comm.timeouts.connect")
        try:
            if self.address.startswith(LOCAL):
                with dask.config.set(LOCAL_CLUSTER_CONFIG):
                    self.cluster = LocalCluster(
                        n_workers=int(self.address[len(LOCAL) :]),
                        threads_per_worker=1,
                        processes=True,
                        dashboard_address=":0",  # any free port: several runs may share a machine
                        silence_logs=logging.CRITICAL,
                    )
                    self.client = Client(self.cluster, timeout=timeout)
            else:
                self.client = Client(self.address, timeout=timeout)
            self.client.wait_for_workers(1, timeout=timeout)
            self.client.register_plugin(self.plugin)
            refusals = self.client.run(_refusal, self.plugin.name, on_error="return")
        except Exception as exc:
            self._shutdown()
            raise ClusterError(f"Dask cluster at {self.address}: {_reason(exc)}") from None
        for worker, why in sorted(refusals.items()):
            if isinstance(why, BaseException):
                why = f"cannot check its extractor: {_reason(why)}"
            if why is not None:
                self.on_notice(f"Dask worker {worker} refused: {why}")
        self.workers = sum(1 for why in refusals.values() if why is None)
        if not self.workers:
            self._shutdown()
            raise ClusterError(f"Dask cluster at {self.address}: no worker can run this extractor")

    def _lost(self, exc: BaseException) -> ClusterError:
        self._shutdown()
        return ClusterError(f"lost the Dask cluster at {self.address}: {_reason(exc)}")

    def _shutdown(self) -> None:
        with self._lock:
            client, cluster, self.client, self.cluster = self.client, self.cluster, None, None
            self._waiting.clear()
            self._lock.notify_all()
        if cluster is not None:
            _stop_workers(cluster)
        for closable in (client, cluster):
            if closable is not None:
                with contextlib.suppress(Exception):  # already gone; nothing stored depends on it
                    closable.close()


def _stop_workers(cluster: LocalCluster) -> None:
    """Kills the worker processes of our own local cluster, once the client has what it
    needs from them (all results, or the decision to stop). They hold nothing else:
    nothing is lost, and they are gone in milliseconds, where Dask's orderly shutdown
    (each worker closes its comms and runs its teardowns, then its interpreter frees a
    spaCy pipeline) added 0.3 s to every run. Each nanny is told first, so that it does
    not start a replacement; ``cluster.close()`` then finds the processes gone."""
    kill = getattr(signal, "SIGKILL", signal.SIGTERM)
    for nanny in list(cluster.workers.values()):
        pid = getattr(nanny, "pid", None)
        if pid is None:
            continue
        with contextlib.suppress(Exception):  # exited on its own meanwhile
            nanny.close_gracefully(reason="reetool-done")
            os.kill(pid, kill)


def _shrinking(docs: list[Document], left: int, workers: int, batch_size: int) -> list[list[Document]]:
    """``docs`` cut into pieces of ``left / (2 * workers)`` documents as ``left`` (the
    documents still to send, these included) runs down, never below an eighth of a
    batch: guided self-scheduling, which ends all workers within a small piece of each
    other while keeping most pieces large (spaCy costs more per document in small
    batches)."""
    floor = max(1, batch_size // 8)
    pieces, start = [], 0
    while start < len(docs):
        size = max(floor, -(-left // (2 * workers)))
        pieces.append(docs[start : start + size])
        start += size
        left -= size
    return pieces


def _quiet_dask_logs() -> None:
    """Dask's own log lines (reconnect attempts and their tracebacks, a worker's death)
    would interleave with reetool's one-line errors on stderr; those say what matters.
    Dask configures levels per logger, so each of its loggers is raised, not just the root."""
    names = [n for n in logging.Logger.manager.loggerDict if n.split(".")[0] == "distributed"]
    for name in names:
        logging.getLogger(name).setLevel(logging.CRITICAL)


def _reason(exc: BaseException) -> str:
    """One line: Dask's cancellations carry a short ``reason`` (scheduler-connection-lost)."""
    text = getattr(exc, "reason", None) or " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
