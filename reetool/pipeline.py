"""The whole chain as one library call: read -> clean -> (store lookup) -> extract -> store.

The input is cut into chunks of at most ``batch_size`` documents that need spaCy. A
chunk is extracted (here, or in a worker process), then saved in ONE transaction, and
only then are its results yielded. Hence:

- output order is input order, with or without ``--workers``;
- a run killed at any moment leaves only whole documents in the store, and a rerun
  skips them (their digest is stored), so totals equal those of an uninterrupted run;
- memory is bounded by a few chunks, never by the corpus.

spaCy is loaded only when the first chunk actually needs it, so a rerun over a stored
corpus starts instantly and prints the same output from the store. "Stored" means the
same doc, the same content digest, and the same extractor build (:func:`fingerprint`):
after an upgrade or a vocab edit, documents are extracted again rather than served stale.
"""

from __future__ import annotations

import signal
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from reetool.cleaner import CleanRules, clean_all, load_rules
from reetool.document import Document, Extraction, Failure
from reetool.reader import read_paths
from reetool.settings import Settings, env_model
from reetool.tally import Tally, count_reads
from reetool.vocab import Vocab
from reetool.webpage import PageOptions

if TYPE_CHECKING:
    from multiprocessing.pool import AsyncResult, Pool

    from reetool.store import Store

#: Documents per spaCy batch and store transaction. spaCy's recognizer costs least per
#: document on batches of about 32 (CPU time of ``ner`` alone on 200 benchmark documents:
#: 21.6 s at 32, 25.0 at 16, 25.1 at 64, 26.6 at 1,000); and on a cluster, smaller
#: batches leave less for one worker to finish alone when the corpus runs out.
DEFAULT_BATCH_SIZE = 32
Vocabs = Sequence[str] | str | None
Batch = tuple[str, list[Extraction | Failure]]  # (model name, one result per document, in order)


def _vocab_dirs(vocab: Vocabs) -> list[str]:
    return [vocab] if isinstance(vocab, str) else list(vocab or ())


def resolve_vocab(vocab: Vocab | Vocabs) -> Vocab:
    """A loaded :class:`Vocab` as is; folder names on top of the built-in vocab."""
    return vocab if isinstance(vocab, Vocab) else Vocab.load(_vocab_dirs(vocab))


class ExtractorLoadError(RuntimeError):
    """The spaCy pipeline, the vocab or the cleaning rules could not be loaded: nothing
    can be extracted."""


class ClusterError(RuntimeError):
    """The workers of ``--dask`` cannot be reached, refuse this extractor, or went away.
    Batches already stored stay stored; a rerun resumes."""


DASK_MISSING = 'extract --dask needs Dask: pip install "reetool[dask]"'


def build_extractor(model: str | None = None, vocab: Vocab | Vocabs = None) -> Any:
    """The extractor the rest of reetool uses; imported late so spaCy loads only when needed."""
    from reetool.extractor import load_extractor

    try:
        return load_extractor(model=model, vocab=vocab)
    except (OSError, ImportError, ValueError) as exc:
        raise ExtractorLoadError(f"cannot load the extractor ({model or 'default model'}): {exc}") from exc


def model_name(extractor: Any, fallback: str | None = None) -> str:
    """``lang_name-version`` of the spaCy pipeline, recorded with each stored document."""
    nlp = getattr(extractor, "nlp", None)
    meta = getattr(nlp, "meta", None) or {}
    if meta.get("name"):
        return f"{meta.get('lang', 'xx')}_{meta['name']}-{meta.get('version', '?')}"
    return fallback or "unknown"


def fingerprint(
    model: str | None = None, vocab: Vocab | Vocabs = None, page: PageOptions | None = None
) -> str:
    """What decides an extraction besides the text: reetool's code, the vocab files,
    the requested model and how much of a web page is kept. Stored with each document so
    that a rerun after any of them changed extracts again instead of serving stale
    results. Costs a few milliseconds."""
    import hashlib
    from pathlib import Path

    h = hashlib.sha256((model or env_model() or "").encode())
    h.update((page or PageOptions()).key.encode())
    package = Path(__file__).resolve().parent
    files = sorted(package.glob("*.py"))
    for folder in resolve_vocab(vocab).dirs:
        if folder.is_dir():
            files.extend(sorted(p for p in folder.rglob("*") if p.is_file()))
    for path in files:
        h.update(path.name.encode() + b"\0")
        h.update(path.read_bytes())
    return h.hexdigest()[:16]


class _Engine:
    """Extracts batches with one extractor, built on first use, in whichever process owns it
    (this one, a worker process of ``--workers``, or a Dask worker)."""

    def __init__(self, model: str | None, vocab: Vocab | Vocabs, batch_size: int) -> None:
        self.model, self.vocab, self.batch_size = model, vocab, batch_size
        self._extractor: Any = None
        self.name = ""

    def run(self, docs: list[Document]) -> Batch:
        if self._extractor is None:
            self._extractor = build_extractor(self.model, self.vocab)
            self.name = model_name(self._extractor, self.model)
        try:
            out: list[Extraction | Failure] = list(self._extractor.extract(docs, batch_size=self.batch_size))
        except Exception:
            # One document the extractor chokes on must not sink its whole batch:
            # redo the batch one by one and report only the culprit.
            out = [self._one(d) for d in docs]
        if len(out) != len(docs):
            raise RuntimeError(f"extractor returned {len(out)} results for {len(docs)} documents")
        return self.name, out

    def _one(self, doc: Document) -> Extraction | Failure:
        try:
            return next(iter(self._extractor.extract([doc], batch_size=1)))
        except Exception as exc:
            return Failure(doc.doc, f"extraction failed: {type(exc).__name__}: {exc}")


class Executor(Protocol):
    """Where batches of documents are extracted: here, in local processes, or on a cluster.

    :func:`run_extract` owns reading, ordering and storing; an executor only turns a
    batch into ``(model name, results)``, possibly later and elsewhere. ``ahead`` is how
    many submitted batches may wait beyond the one being collected, which bounds memory.
    """

    @property
    def ahead(self) -> int: ...

    def submit(self, docs: list[Document]) -> Any: ...

    def result(self, handle: Any) -> Batch: ...

    def end_of_input(self) -> None:
        """No batch will be submitted after this; the ones not yet started may be
        rearranged to finish sooner."""

    def close(self) -> None:
        """All results were collected: release the workers."""

    def abort(self) -> None:
        """Interrupted, or the consumer stopped reading: stop the workers now."""


class _InProcess:
    """Extracts each batch here, when its result is asked for: nothing runs ahead."""

    ahead = 0

    def __init__(self, engine: _Engine) -> None:
        self.engine = engine

    def submit(self, docs: list[Document]) -> list[Document]:
        return docs

    def result(self, handle: list[Document]) -> Batch:
        return self.engine.run(handle)

    def end_of_input(self) -> None:
        pass

    def close(self) -> None:
        pass

    def abort(self) -> None:
        pass


# Per worker process only (set by the pool initializer): each worker owns one engine.
_worker_engine: _Engine | None = None
_worker_error: BaseException | None = None


def _init_worker(model: str | None, vocab: Vocabs, batch_size: int) -> None:
    global _worker_engine, _worker_error
    # Ctrl-C reaches the whole process group; only the parent decides what to do.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _worker_engine = _Engine(model, vocab, batch_size)
    try:
        _worker_engine.run([])  # load spaCy now, while the parent reads and cleans
    except BaseException as exc:  # raising here would make the pool respawn workers forever
        _worker_error = exc


def _work(docs: list[Document]) -> Batch:
    if _worker_error is not None:
        raise _worker_error
    assert _worker_engine is not None
    return _worker_engine.run(docs)


class _ProcessPool:
    """``--workers N``: batches go to N spawned processes on this machine, each with its
    own extractor. The pool starts with the first batch, so a rerun over a stored
    corpus never pays for it."""

    def __init__(self, workers: int, model: str | None, vocab: Vocabs, batch_size: int) -> None:
        self.workers, self.args = workers, (model, vocab, batch_size)
        self.pool: Pool | None = None

    @property
    def ahead(self) -> int:
        return 2 * self.workers if self.pool is not None else 0

    def submit(self, docs: list[Document]) -> AsyncResult[Batch]:
        if self.pool is None:
            import multiprocessing

            # spawn, not fork: each worker starts clean and loads its own spaCy pipeline.
            ctx = multiprocessing.get_context("spawn")
            self.pool = ctx.Pool(self.workers, initializer=_init_worker, initargs=self.args)
        return self.pool.apply_async(_work, (docs,))

    def result(self, handle: AsyncResult[Batch]) -> Batch:
        return handle.get()

    def end_of_input(self) -> None:
        pass

    def close(self) -> None:
        if self.pool is not None:
            self.pool.close()
            self.pool.join()
            self.pool = None

    def abort(self) -> None:
        if self.pool is not None:
            self.pool.terminate()
            self.pool = None


@dataclass(slots=True)
class _Chunk:
    """A stretch of the input, in order: finished items, and documents still to extract."""

    slots: list[Extraction | Failure | Document] = field(default_factory=list)
    todo: list[Document] = field(default_factory=list)
    reused: list[tuple[Extraction, str]] = field(default_factory=list)  # (extraction, model) to save


def _chunks(
    paths: Iterable[str],
    store: Store | None,
    opts: ExtractOptions,
    build: str | None,
    rules: CleanRules,
    tally: Tally | None = None,
) -> Iterator[_Chunk]:
    chunk = _Chunk()
    batch_size = opts.batch_size
    use_store = store is not None and not opts.force
    count = tally if tally is not None else Tally()  # stored and failed ones count now, not when yielded
    read = read_paths(paths, max_bytes=opts.max_bytes, stdin_name=opts.stdin_name)
    for item in count_reads(read, tally):
        if isinstance(item, Failure):
            chunk.slots.append(item)
        else:
            hit = store.lookup(item.doc, item.digest, build) if use_store else None  # type: ignore[union-attr]
            if hit is not None:
                chunk.slots.append(hit)  # stored: skip cleaning and spaCy
                count.stored += 1
            else:
                for cleaned in clean_all((item,), rules):
                    if isinstance(cleaned, Failure):
                        chunk.slots.append(cleaned)
                        count.failed += 1
                        continue
                    copy = store.entities_for(cleaned.digest, build) if use_store else None  # type: ignore[union-attr]
                    if copy is not None:
                        ext = Extraction(cleaned, copy[0])
                        chunk.slots.append(ext)
                        chunk.reused.append((ext, copy[1]))
                        count.stored += 1
                    else:
                        chunk.slots.append(cleaned)
                        chunk.todo.append(cleaned)
        if len(chunk.todo) >= batch_size or len(chunk.slots) >= 4 * batch_size:
            yield chunk
            chunk = _Chunk()
    if chunk.slots:
        yield chunk


@dataclass(frozen=True, slots=True)
class ExtractOptions:
    """How a run extracts, besides what it reads and where it stores: built once at the
    edge (the CLI) from the parsed options and the run's :class:`Settings`, then passed
    down whole, so that a new option is one field here rather than a keyword threaded
    through every caller.

    Without ``settings`` (a library call), the model, the vocab and the size limit fall
    back on the environment, as :mod:`reetool.settings` describes. ``force`` extracts
    stored documents again; ``workers > 1`` extracts in that many processes; ``dask``
    (a scheduler address, or ``local:N``) on a Dask cluster; ``stdin_name`` names a
    document read from stdin; ``page`` says how much of a web page is kept.
    """

    settings: Settings | None = None
    force: bool = False
    workers: int = 1
    dask: str | None = None
    batch_size: int = DEFAULT_BATCH_SIZE
    stdin_name: str | None = None
    page: PageOptions | None = None

    @property
    def model(self) -> str | None:
        return self.settings.model if self.settings is not None else None

    @property
    def vocab(self) -> Vocabs:
        """The vocab folders as strings: they travel to worker processes and into the
        store's fingerprint."""
        return self.settings.vocab_dirs if self.settings is not None else None

    @property
    def max_bytes(self) -> int | None:
        return self.settings.max_bytes if self.settings is not None else None


def run_extract(
    paths: Iterable[str],
    options: ExtractOptions | None = None,
    *,
    store: Store | None = None,
    on_notice: Callable[[str], None] | None = None,
    tally: Tally | None = None,
) -> Iterator[Extraction | Failure]:
    """Yield each document's extraction, or the failure that stopped it, in input order.

    ``tally`` counts documents read, served from the store, extracted and failed as that
    happens (a stored document before the batch it waits in comes back).

    With ``store``, stored documents are not extracted again (unless ``options.force``)
    and new results are saved, one transaction per chunk, before they are yielded.
    Chunks are extracted here, in worker processes or on a Dask cluster as ``options``
    say (see :mod:`reetool.distributed`; ``on_notice`` hears about Dask workers it
    refuses). Store writes always stay here.
    """
    opts = options if options is not None else ExtractOptions()
    model, vocab, workers, dask, batch_size = opts.model, opts.vocab, opts.workers, opts.dask, opts.batch_size
    page = opts.page
    if workers < 1:
        raise ValueError("workers must be at least 1")
    build = fingerprint(model, vocab, page) if store is not None or dask else None
    try:
        rules = load_rules(resolve_vocab(vocab), page)
    except ValueError as exc:
        raise ExtractorLoadError(f"vocab: {exc}") from exc
    executor: Executor
    if dask:
        try:
            from reetool.distributed import DaskExecutor
        except ImportError:
            raise ClusterError(DASK_MISSING) from None
        assert build is not None
        executor = DaskExecutor(dask, model, vocab, batch_size, build, on_notice, page)
    elif workers > 1:
        executor = _ProcessPool(workers, model, vocab, batch_size)
    else:
        executor = _InProcess(_Engine(model, vocab, batch_size))
    pending: deque[tuple[_Chunk, Any]] = deque()
    try:
        for chunk in _chunks(paths, store, opts, build, rules, tally):
            pending.append((chunk, executor.submit(chunk.todo) if chunk.todo else None))
            # Bounded: never read far ahead of the workers (and not at all without them).
            while len(pending) > executor.ahead:
                yield from _finish(*pending.popleft(), executor, store, build, tally)
        executor.end_of_input()
        while pending:
            yield from _finish(*pending.popleft(), executor, store, build, tally)
        executor.close()
    finally:
        executor.abort()  # a no-op after close(); else interrupted, or the consumer stopped reading


def _finish(
    chunk: _Chunk,
    handle: Any,
    executor: Executor,
    store: Store | None,
    build: str | None,
    tally: Tally | None = None,
) -> Iterator[Extraction | Failure]:
    """Collect a chunk's extractions, store them in one transaction, then yield in order."""
    extracted: Iterator[Extraction | Failure] = iter(())
    name = ""
    if chunk.todo:
        name, results = executor.result(handle)
        extracted = iter(results)
    done: list[Extraction | Failure] = []
    fresh: list[Extraction] = []
    for slot in chunk.slots:
        if isinstance(slot, Document):
            out = next(extracted)
            if isinstance(out, Extraction):
                fresh.append(out)
            done.append(out)
        else:
            done.append(slot)
    if store is not None:
        _save(store, fresh, name, chunk.reused, build or "")
    if tally is not None:  # counted once stored: a document done is a document kept
        tally.extracted += len(fresh)
        tally.failed += len(chunk.todo) - len(fresh)
    yield from done


def _save(
    store: Store, fresh: list[Extraction], name: str, reused: list[tuple[Extraction, str]], build: str
) -> None:
    """All of a chunk in one transaction when it has one model (the usual case)."""
    groups: dict[str, list[Extraction]] = {}
    if fresh:
        groups[name] = list(fresh)  # a copy: the reused ones of the same model join it
    for ext, model in reused:
        groups.setdefault(model, []).append(ext)
    for model, exts in groups.items():
        store.save(exts, model, build)
