"""The store handle: open a store file (creating and migrating it), save extraction
results, and read documents back.

Why SQLite from the standard library: no server to run, one file to copy, and its
atomic commits give us the guarantee the pipeline relies on: a run killed at any
moment leaves only complete documents behind, because each batch of documents is
written in one transaction (a document and all its mentions, or nothing).

A read-only open never migrates (an older schema reads fine, since migrations only add);
corpus commands call :meth:`Store.upgrade` first, which migrates only if it may write, so
an old store gets the indexes that make ``reetool entities`` fast once, not only at the
next ``extract``.

Documents are keyed by their resolved path (:mod:`reetool.identity`), so every spelling
of a file is one row; keys are shown back relative to the current folder. The same
content under two names is two rows (one per name) but one document in corpus
statistics (:meth:`Store.name_stats`, :meth:`Store.extractions` with ``unique``).
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import orjson

from reetool.document import Entity, Extraction
from reetool.identity import doc_key, key_path, match_names, shown_doc, store_root
from reetool.store import schema
from reetool.store.connection import (
    BUSY_TIMEOUT_S,
    StoreError,
    connect,
    fetch,
    mapped,
    snapshot,
    write_transaction,
)
from reetool.store.location import default_store_path
from reetool.store.rows import DOC_COLUMNS, INSERT_MENTION, IS_COPY, document, mention_row
from reetool.store.rows import entities as stored_entities
from reetool.store.schema import ADD_NAME_COUNTS
from reetool.store.statistics import CorpusStatistics

#: How long :meth:`Store.upgrade` waits for a writer before leaving the store as it is.
UPGRADE_TIMEOUT_S = 2.0


class Store(CorpusStatistics):
    """A reetool store; open with :meth:`Store.open`, use as a context manager.

    ``conn`` is public for read-only SQL by corpus commands (aggregations are much
    faster in SQL than over :meth:`extractions`); writes go through :meth:`save`.
    """

    def __init__(self, path: Path, conn: sqlite3.Connection, readonly: bool) -> None:
        self.path = path
        self.conn = conn
        self.readonly = readonly
        #: Keys of files below this folder are stored relative to it (:func:`store_root`).
        self.root = store_root(path)
        #: Documents written by this object: what an interrupted run reports.
        self.saved = 0
        #: Whether the mentions table has the roles' columns (set when the store is opened).
        self.has_roles = True
        #: Whether :meth:`save` adds the per-name counts (schema migration 9).
        self.counts_per_document = True

    # -- opening -----------------------------------------------------------------

    @classmethod
    def open(cls, path: str | Path | None = None, *, readonly: bool = False) -> Store:
        """Open (and if needed create and migrate) the store at ``path``.

        ``readonly`` opens an existing store for reading and never creates one.
        """
        p = Path(path) if path is not None else default_store_path()
        if readonly and not p.exists():
            raise StoreError(p, f"no store at {p}; run `reetool extract PATH...` first")
        if p.is_dir():
            raise StoreError(p, "is a directory, not a store file")
        with mapped(p):
            if not readonly:
                try:
                    p.parent.mkdir(parents=True, exist_ok=True)
                except OSError as exc:
                    raise StoreError(p, f"cannot create the store folder: {exc.strerror or exc}") from None
            conn = connect(p, readonly)
            store = cls(p, conn, readonly)
            try:
                store._prepare()
            except BaseException:
                conn.close()
                raise
            return store

    @classmethod
    def upgrade(cls, path: str | Path | None = None, *, timeout: float = UPGRADE_TIMEOUT_S) -> bool:
        """Bring a store made by an older reetool to the current schema, if we may write it.

        A read-only :meth:`open` never changes a store. Corpus commands call this first so
        that an old store gets the indexes they rely on once, instead of being slow until
        the next ``reetool extract``. Migrations only add indexes and columns, so this never
        changes what a reader sees. Returns ``False`` and changes nothing when the store is
        missing, current, newer, not ours, not writable, or locked for longer than
        ``timeout``: the reader then reads the old schema, correctly but more slowly.
        """
        p = Path(path) if path is not None else default_store_path()
        try:
            if not p.is_file() or not os.access(p, os.W_OK) or not os.access(p.parent, os.W_OK):
                return False
            conn = sqlite3.connect(p, timeout=timeout, isolation_level=None)
        except (sqlite3.Error, OSError):
            return False
        try:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if not 0 < version < schema.latest():
                return False
            cls(p, conn, readonly=False)._migrate()
            return True
        except (sqlite3.Error, StoreError, OSError):
            return False
        finally:
            conn.close()

    def _prepare(self) -> None:
        version = self.conn.execute("PRAGMA user_version").fetchone()[0]  # NOTADB surfaces here
        schema.check_version(version, self.path)
        self.has_roles = schema.has_roles(version)
        self.counts_per_document = schema.counts_per_document(version)
        if self.readonly:
            if version == 0:
                raise StoreError(self.path, f"no store at {self.path}; run `reetool extract PATH...` first")
            return  # migrations only add, so an older store reads fine; the next extract upgrades it
        self._set_wal()
        if version < schema.latest():
            self._migrate()
            self.has_roles = schema.has_roles(schema.latest())
            self.counts_per_document = schema.counts_per_document(schema.latest())
        # WAL + NORMAL is still atomic and consistent after a crash or kill -9;
        # only the last commits may be lost on power failure.
        self.conn.execute("PRAGMA synchronous = NORMAL")

    def _set_wal(self) -> None:
        """WAL lets readers and one writer work at once; it persists in the file.

        Two processes creating the same store may race to switch it; the loser sees
        "locked" once, and then finds WAL already set.
        """
        deadline = time.monotonic() + BUSY_TIMEOUT_S
        while True:
            try:
                mode = self.conn.execute("PRAGMA journal_mode").fetchone()[0]
                if str(mode).lower() != "wal":
                    self.conn.execute("PRAGMA journal_mode = WAL")
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc).lower() or time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def _migrate(self) -> None:
        """Apply missing migrations in one write transaction (:func:`schema.apply_migrations`)."""
        with write_transaction(self.conn):
            schema.apply_migrations(self.conn, self.path)

    # -- context management -------------------------------------------------------

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- writing ------------------------------------------------------------------

    def save(self, extractions: Sequence[Extraction], model: str, extractor: str = "") -> None:
        """Store a batch in one transaction; a document already stored under the same
        ``doc`` is replaced (its content changed, or ``--force``). ``doc`` may be any
        spelling of the file's path: rows are keyed by :func:`reetool.identity.doc_key`.

        ``extractor`` is the fingerprint of the extractor build that produced the batch."""
        if not extractions:
            return
        if self.readonly:
            raise StoreError(self.path, "store was opened read-only")
        now = datetime.now(timezone.utc).isoformat(timespec="seconds")
        width = 10 if self.has_roles else 8
        with mapped(self.path), write_transaction(self.conn):
            first = last = None  # ids of the batch's documents whose counts are not added yet
            keys: set[str] = set()
            for ext in extractions:
                d = ext.document
                key = self._key(d.doc)
                if key in keys and first is not None:  # replaces one of this batch: its counts
                    self._add_name_counts(first, last)  # must be there before it goes
                    first = None
                keys.add(key)
                self.conn.execute("DELETE FROM documents WHERE doc = ?", (key,))  # cascades to mentions
                cur = self.conn.execute(
                    "INSERT INTO documents (doc, digest, title, published, url, text, fixes, "
                    "extracted_at, model, extractor) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        key,
                        d.digest,
                        d.title,
                        d.published,
                        d.url,
                        d.text,
                        orjson.dumps(d.fixes).decode(),
                        now,
                        model,
                        extractor,
                    ),
                )
                last = cur.lastrowid
                first = last if first is None else first
                self.conn.executemany(
                    INSERT_MENTION[self.has_roles],
                    [(last, *mention_row(e)[:width]) for e in ext.entities],
                )
            if first is not None:
                self._add_name_counts(first, last)
        self.saved += len(extractions)

    def _add_name_counts(self, first: int | None, last: int | None) -> None:
        """Add the counts timelines read for documents ``first``..``last``, all at once."""
        if self.counts_per_document:
            for statement in ADD_NAME_COUNTS:
                self.conn.execute(statement, (first, last))

    # -- reading ------------------------------------------------------------------

    def known(self, digest: str, doc: str | None = None) -> bool:
        """Whether content with this digest is stored (under ``doc``, if given)."""
        with mapped(self.path):
            if doc is None:
                row = self.conn.execute("SELECT 1 FROM documents WHERE digest = ? LIMIT 1", (digest,))
            else:
                args = (self._key(doc), digest)
                row = self.conn.execute("SELECT 1 FROM documents WHERE doc = ? AND digest = ?", args)
            return row.fetchone() is not None

    def lookup(self, doc: str, digest: str, extractor: str | None = None) -> Extraction | None:
        """The stored result when ``doc`` is stored with exactly this content digest
        (and, if given, made by this extractor build), named as the caller named it."""
        sql = f"SELECT {DOC_COLUMNS} FROM documents WHERE doc = ? AND digest = ?"
        args: tuple[str, ...] = (self._key(doc), digest)
        if extractor is not None:
            sql, args = sql + " AND extractor = ?", (*args, extractor)
        with mapped(self.path):
            row = self.conn.execute(sql, args).fetchone()
            if row is None:
                return None
            found = document(row, self.shown)
            found.doc = doc
            return Extraction(found, self._entities(row[0]))

    def entities_for(self, digest: str, extractor: str | None = None) -> tuple[list[Entity], str] | None:
        """Entities and model of any stored document with this content (a copied file),
        so the same text is never sent through spaCy twice."""
        sql = "SELECT id, model FROM documents WHERE digest = ?"
        args: tuple[str, ...] = (digest,)
        if extractor is not None:
            sql, args = sql + " AND extractor = ?", (*args, extractor)
        with mapped(self.path):
            row = self.conn.execute(sql + " LIMIT 1", args).fetchone()
            return None if row is None else (self._entities(row[0]), row[1])

    def get(self, doc: str) -> Extraction | None:
        """The stored document (with its cleaned text) and its entities, or ``None``;
        ``doc`` is any spelling of its path, or a name :meth:`find` returned."""
        with mapped(self.path):
            row = self.conn.execute(
                f"SELECT {DOC_COLUMNS} FROM documents WHERE doc = ?", (self._key(doc),)
            ).fetchone()
            if row is None:
                return None
            return Extraction(document(row, self.shown), self._entities(row[0]))

    def find(self, name: str) -> list[str]:
        """The stored documents a user may mean by ``name``, as they are shown here.

        Tried in order, the first rule that matches anything wins: a path spelling that
        resolves to a stored file (``./seeds/x.txt``, an absolute path, ``../x.txt``);
        the file name (or a post's ``name#N``); the file name without its extension;
        a prefix of the file name. More than one result means ``name`` is ambiguous.
        """
        with mapped(self.path):
            key = self._key(name)
            if self.conn.execute("SELECT 1 FROM documents WHERE doc = ?", (key,)).fetchone():
                return [self.shown(key)]
            paths = [key_path(k, self.root) for (k,) in self.conn.execute("SELECT doc FROM documents")]
        return sorted(shown_doc(k) for k in match_names(name, paths))

    def count(self) -> int:
        with mapped(self.path):
            return self.conn.execute("SELECT count(*) FROM documents").fetchone()[0]

    def extractions(self, docs: Iterable[str] | None = None, *, unique: bool = False) -> Iterator[Extraction]:
        """Stream stored extractions ordered by doc path, one document in memory at a time.

        ``unique`` skips a document whose content is stored under an earlier name, as
        corpus statistics must. Reads run in one transaction on their own connection: a
        consistent snapshot even while this or another process writes.
        """
        with snapshot(self.path) as conn:
            if docs is None:
                sql = f"SELECT {DOC_COLUMNS} FROM documents ORDER BY doc"
                if unique:
                    sql = f"SELECT {DOC_COLUMNS} FROM documents WHERE NOT {IS_COPY} ORDER BY doc"
                found: Iterable[Any] = fetch(self.path, conn.execute(sql))
            else:
                one = f"SELECT {DOC_COLUMNS} FROM documents WHERE doc = ?"
                keys = sorted({self._key(d) for d in docs})
                found = (row for key in keys if (row := conn.execute(one, (key,)).fetchone()) is not None)
            for row in found:
                with mapped(self.path):
                    entities = stored_entities(conn, row[0], self.has_roles)
                yield Extraction(document(row, self.shown), entities)

    def _key(self, doc: str) -> str:
        """The key of a document as the user names it (:func:`reetool.identity.doc_key`)."""
        return doc_key(doc, root=self.root)

    def shown(self, key: str) -> str:
        """A key as the user, standing where they stand, names the document."""
        return shown_doc(key, root=self.root)

    def _entities(self, doc_id: int) -> list[Entity]:
        return stored_entities(self.conn, doc_id, self.has_roles)
