"""The embedded store: extraction results that persist between runs, in one SQLite file.

Why SQLite from the standard library: no server to run, one file to copy, and its
atomic commits give us the guarantee the pipeline relies on: a run killed at any
moment leaves only complete documents behind, because each batch of documents is
written in one transaction (a document and all its mentions, or nothing).

The schema is versioned with ``PRAGMA user_version`` and grown only by appending to
:data:`MIGRATIONS`, so a store made by any earlier reetool upgrades in place, and one
made by a newer reetool is refused instead of being misread. A read-only open never
migrates (an older schema reads fine, since migrations only add); corpus commands call
:meth:`Store.upgrade` first, which migrates only if it may write, so an old store gets
the indexes that make ``reetool entities`` fast once, not only at the next ``extract``.

WAL mode plus a busy timeout lets two reetool processes write to one store at once:
writers queue on ``BEGIN IMMEDIATE`` instead of failing with "database is locked".

Documents are keyed by their resolved path (:mod:`reetool.identity`), so every spelling
of a file is one row; keys are shown back relative to the current folder. The same
content under two names is two rows (one per name) but one document in corpus
statistics (:meth:`Store.name_stats`, :meth:`Store.extractions` with ``unique``).

The store is found like git finds its repository (:func:`find_store`): in the current
folder or the nearest parent holding ``.reetool/reetool.db``; ``--db`` and
``$REETOOL_DB`` win.

Column note for SQL readers: ``mentions."end"`` must be quoted (``END`` is a keyword).
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import orjson

from reetool.document import Document, Entity, Extraction
from reetool.identity import doc_key, key_path, match_names, shown_doc, stdin_name, store_root
from reetool.roles import sentence_of

DB_ENV = "REETOOL_DB"
DEFAULT_RELATIVE = Path(".reetool") / "reetool.db"
BUSY_TIMEOUT_S = 60.0
#: How long :meth:`Store.upgrade` waits for a writer before leaving the store as it is.
UPGRADE_TIMEOUT_S = 2.0

#: A migration that SQL alone cannot express: called with the connection (inside the
#: migration's transaction) and the store's path.
PyMigration = Callable[[sqlite3.Connection, Path], None]


def _rekey_documents(conn: sqlite3.Connection, store_path: Path) -> None:
    """Migration 6: key documents by resolved path, merging rows that name one file.

    Stores written before it keyed a document by the path as typed, relative to the
    folder reetool ran in. That folder was not recorded; the best evidence is where the
    store lives: ``X/.reetool/reetool.db`` was made by a run in ``X`` (the default),
    and a store elsewhere (``--db``) is taken relative to the current folder. Rows that
    now name the same file are merged keeping the one extracted last. Documents read
    from stdin (``-``) are renamed by their content, as new ones are.
    """
    root = store_root(store_path)
    base = root if store_path.parent.name == ".reetool" else str(Path.cwd())
    rows = conn.execute("SELECT id, doc, digest, extracted_at FROM documents").fetchall()
    keep: dict[str, tuple[str, int]] = {}
    new_key: dict[int, str] = {}
    old_key = {row_id: doc for row_id, doc, _, _ in rows}
    for row_id, doc, digest, at in rows:
        key = stdin_name(digest) if doc == "-" or doc.startswith("-#") else doc_key(doc, base, root)
        new_key[row_id] = key
        best = keep.get(key)
        if best is None or (at, row_id) > best:
            keep[key] = (at, row_id)
    winners = {row_id for _, row_id in keep.values()}
    losers = [(row_id,) for row_id in new_key if row_id not in winners]
    conn.executemany("DELETE FROM mentions WHERE doc_id = ?", losers)
    conn.executemany("DELETE FROM documents WHERE id = ?", losers)
    # Two passes so that a key moving onto another row's old name never collides.
    moved = sorted((new_key[i], i) for i in winners if old_key[i] != new_key[i])
    conn.executemany("UPDATE documents SET doc = 'moving:' || id WHERE id = ?", [(i,) for _, i in moved])
    conn.executemany("UPDATE documents SET doc = ? WHERE id = ?", moved)


#: Characters of text read on each side of a role for its evidence sentence.
_CONTEXT = 300

#: Roles keep their title and organization; the person is the row's canonical name.
_ROLE_MIGRATION = """
    ALTER TABLE mentions ADD COLUMN title TEXT;
    ALTER TABLE mentions ADD COLUMN org TEXT
    """

#: Applied in order from the start; ``user_version`` = number applied. Append only.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE documents (
        id           INTEGER PRIMARY KEY,
        doc          TEXT NOT NULL UNIQUE,
        digest       TEXT NOT NULL,
        title        TEXT,
        published    TEXT,
        url          TEXT,
        text         TEXT NOT NULL,
        fixes        TEXT NOT NULL DEFAULT '{}',
        extracted_at TEXT NOT NULL,
        model        TEXT NOT NULL
    );
    CREATE INDEX documents_digest ON documents (digest);
    CREATE TABLE mentions (
        id        INTEGER PRIMARY KEY,
        doc_id    INTEGER NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
        label     TEXT NOT NULL,
        text      TEXT NOT NULL,
        start     INTEGER NOT NULL,
        "end"     INTEGER NOT NULL,
        canonical TEXT NOT NULL,
        value     TEXT,
        inferred  INTEGER NOT NULL DEFAULT 0,
        symbol    TEXT
    );
    CREATE INDEX mentions_doc ON mentions (doc_id);
    CREATE INDEX mentions_label_canonical ON mentions (label, canonical);
    """,
    # 2: which extractor build (code, vocab, model) made each row, so that a changed
    # extractor re-extracts instead of serving stale results.
    """
    ALTER TABLE documents ADD COLUMN extractor TEXT NOT NULL DEFAULT ''
    """,
    # 3: covering indexes for the corpus aggregate (:meth:`Store.name_stats`), so that
    # `reetool entities` reads index pages only, never the mentions table or document
    # texts. The new mentions index starts with (label, canonical), so it replaces
    # mentions_label_canonical and a write still updates two mentions indexes.
    """
    CREATE INDEX mentions_corpus ON mentions (label, canonical, text, doc_id);
    DROP INDEX IF EXISTS mentions_label_canonical;
    CREATE INDEX documents_published ON documents (published)
    """,
    # 4: a full-text index of each document's title and cleaned text for `reetool search`
    # (SQLite FTS5: ranked bm25 matches and snippets, no server; English stemming, so
    # "magnet" finds "magnets"). External content: the
    # text is stored once, in documents; triggers keep the index in step with every
    # insert, replace and delete, and the last statement back-fills an existing store.
    """
    CREATE VIRTUAL TABLE documents_fts USING fts5 (
        title, text, content = 'documents', content_rowid = 'id',
        tokenize = 'porter unicode61 remove_diacritics 2'
    );
    CREATE TRIGGER documents_fts_insert AFTER INSERT ON documents BEGIN
        INSERT INTO documents_fts (rowid, title, text) VALUES (new.id, new.title, new.text);
    END;
    CREATE TRIGGER documents_fts_delete AFTER DELETE ON documents BEGIN
        INSERT INTO documents_fts (documents_fts, rowid, title, text)
        VALUES ('delete', old.id, old.title, old.text);
    END;
    CREATE TRIGGER documents_fts_update AFTER UPDATE OF title, text ON documents BEGIN
        INSERT INTO documents_fts (documents_fts, rowid, title, text)
        VALUES ('delete', old.id, old.title, old.text);
        INSERT INTO documents_fts (rowid, title, text) VALUES (new.id, new.title, new.text);
    END;
    INSERT INTO documents_fts (documents_fts) VALUES ('rebuild')
    """,
    # 5: each document's date in a small index of its own (timelines look it up once per
    # document and entity, and a lookup in the table reads a row holding the whole text),
    # and views for people who open the store in Datasette or any SQLite browser: each
    # reads on its own, with document paths and dates instead of row ids. Names are
    # grouped as the extractor wrote them (``reetool entities`` merges variants further).
    """
    CREATE INDEX documents_dates ON documents (id, published);
    CREATE VIEW document_overview AS
    SELECT d.id, d.doc, d.title, d.published, d.url,
        (SELECT count(*) FROM mentions m WHERE m.doc_id = d.id) AS mentions,
        (SELECT count(*) FROM mentions m WHERE m.doc_id = d.id AND m.label = 'PERSON') AS people,
        (SELECT count(*) FROM mentions m WHERE m.doc_id = d.id AND m.label = 'ORG') AS organizations,
        (SELECT count(*) FROM mentions m WHERE m.doc_id = d.id AND m.label = 'GPE') AS places,
        (SELECT count(*) FROM mentions m WHERE m.doc_id = d.id AND m.label = 'ELEMENT') AS elements,
        d.extracted_at
    FROM documents d;
    CREATE VIEW mention_context AS
    SELECT m.id, d.doc, d.title, d.published, m.label, m.text, m.canonical, m.symbol, m.value,
        m.inferred, m.start, m."end",
        substr(d.text, max(1, m.start - 59), min(m.start, 60) + (m."end" - m.start) + 60) AS context
    FROM mentions m JOIN documents d ON d.id = m.doc_id;
    CREATE VIEW entity_totals AS
    SELECT m.label, m.canonical, count(*) AS mentions, count(DISTINCT m.doc_id) AS docs,
        min(nullif(d.published, '')) AS first_published, max(nullif(d.published, '')) AS last_published
    FROM mentions m JOIN documents d ON d.id = m.doc_id
    GROUP BY m.label, m.canonical;
    CREATE VIEW element_months AS
    SELECT m.canonical AS element, m.symbol,
        coalesce(substr(nullif(d.published, ''), 1, 7), 'undated') AS month,
        count(*) AS mentions, count(DISTINCT m.doc_id) AS docs
    FROM mentions m JOIN documents d ON d.id = m.doc_id
    WHERE m.label = 'ELEMENT'
    GROUP BY m.canonical, month
    """,
    # 6: a document is its resolved file (or its content, from stdin), not the path as typed:
    # rows are re-keyed first by MIGRATION_HOOKS[5]. Copies of one content are then found
    # by content and name from this index alone (it replaces documents_digest).
    """
    CREATE INDEX documents_digest_doc ON documents (digest, doc);
    DROP INDEX IF EXISTS documents_digest
    """,
    # 7: roles (label ROLE, :mod:`reetool.roles`) keep their title and organization.
    _ROLE_MIGRATION,
    # 8: roles as a view of their own for SQLite browsers; entity_totals counts names only
    # (a role is not a name, as in `reetool entities`).
    """
    CREATE VIEW document_roles AS
    SELECT m.id, d.doc, d.published, m.canonical AS person, m.title, m.org, m.text AS evidence,
        m.start, m."end"
    FROM mentions m JOIN documents d ON d.id = m.doc_id
    WHERE m.label = 'ROLE';
    DROP VIEW entity_totals;
    CREATE VIEW entity_totals AS
    SELECT m.label, m.canonical, count(*) AS mentions, count(DISTINCT m.doc_id) AS docs,
        min(nullif(d.published, '')) AS first_published, max(nullif(d.published, '')) AS last_published
    FROM mentions m JOIN documents d ON d.id = m.doc_id
    WHERE m.label <> 'ROLE'
    GROUP BY m.label, m.canonical
    """,
)
#: Python run just before the SQL of the migration at the same index (0-based), for
#: what SQL alone cannot express. Kept apart so that MIGRATIONS stays constant SQL text.
MIGRATION_HOOKS: dict[int, PyMigration] = {5: _rekey_documents}
SCHEMA_VERSION = len(MIGRATIONS)


def _latest() -> int:
    """Looked up at call time so that tests can append a migration."""
    return len(MIGRATIONS)


_DOC_COLUMNS = "id, doc, digest, title, published, url, text, fixes"
_MENTION_COLUMNS = 'label, text, start, "end", canonical, value, inferred, symbol, title, org'
#: A store older than the roles migration has no title and org columns: it reads as NULL.
_OLD_MENTION_COLUMNS = 'label, text, start, "end", canonical, value, inferred, symbol'
#: Indexed by whether the store has the roles' columns.
_INSERT_MENTION = (
    f"INSERT INTO mentions (doc_id, {_OLD_MENTION_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
    f"INSERT INTO mentions (doc_id, {_MENTION_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
)
_SELECT_MENTIONS = (
    f"SELECT {_OLD_MENTION_COLUMNS}, NULL, NULL FROM mentions WHERE doc_id = ? ORDER BY id",
    f"SELECT {_MENTION_COLUMNS} FROM mentions WHERE doc_id = ? ORDER BY id",
)
#: Rows whose content is stored under an alphabetically earlier name: corpus statistics
#: skip them. An empty digest (a document built without one) is never a copy.
_IS_COPY = (
    "(digest > '' AND EXISTS (SELECT 1 FROM documents AS e WHERE e.digest = documents.digest "
    "AND e.doc < documents.doc))"
)
_NAME_STATS = "SELECT label, canonical, text, count(*), group_concat(doc_id), NULL FROM mentions"
#: Dates are told apart by their normalised value too: ``reetool entities`` lists a date
#: by value ("2025-12"), with its wordings ("last month", "December") as aliases.
_DATE_STATS = (
    "SELECT label, canonical, text, count(*), group_concat(doc_id), value FROM mentions "
    "WHERE label = 'DATE' GROUP BY label, canonical, text, value"
)


class StoreError(Exception):
    """A store problem a user can act on; the CLI prints ``reetool: <path>: <reason>``."""

    def __init__(self, path: str | Path, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = str(path)
        self.reason = reason


@dataclass(slots=True)
class DocumentSummary:
    """One stored document without its text: what ``reetool docs`` lists."""

    doc: str
    title: str | None
    published: str | None
    url: str | None
    digest: str
    counts: dict[str, int] = field(default_factory=dict)
    extracted_at: str = ""
    #: The document stored first with the same content, if this one is a copy.
    same_as: str | None = None


@dataclass(slots=True)
class NameStats:
    """One way a name was written, over the whole store (:meth:`Store.name_stats`).

    ``docs`` are opaque document keys (row ids as text): only their union across merged
    names matters, and ids are much cheaper to fetch than paths.
    """

    label: str
    canonical: str
    text: str
    mentions: int
    docs: set[str]
    first: str | None
    last: str | None
    value: str | None = None  # a DATE's normalised value; None for other labels


def find_store(start: Path | None = None) -> Path | None:
    """The nearest ``.reetool/reetool.db`` in ``start`` (default: the current folder) or
    a parent, as git finds its repository; ``None`` if there is none up to the root."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        candidate = folder / DEFAULT_RELATIVE
        if candidate.is_file():
            return candidate
    return None


def default_store_path() -> Path:
    """``$REETOOL_DB`` if set, else the store found by :func:`find_store`, else where
    a new one is made: ``.reetool/reetool.db`` under the current folder."""
    env = os.environ.get(DB_ENV)
    if env:
        return Path(env)
    return find_store() or Path.cwd() / DEFAULT_RELATIVE


def not_found_message(path: Path | None = None) -> str:
    """What to tell a user when there is no store: where it was looked for, and how to
    make one."""
    hint = "run `reetool extract PATH...` first, or give --db / REETOOL_DB"
    if path is not None:
        return f"no store at {path}; {hint}"
    here = Path.cwd()
    where = f"{here}" if here == Path(here.anchor) else f"{here} or any folder above it"
    return f"no store found (looked for {DEFAULT_RELATIVE} in {where}); {hint}"


def _reason(exc: BaseException) -> str:
    """Turn SQLite's terse errors into reasons that say what to do."""
    name = getattr(exc, "sqlite_errorname", "") or ""
    msg = str(exc)
    low = msg.lower()
    if name == "SQLITE_FULL" or "disk is full" in low or "database or disk is full" in low:
        return "disk full; the last batch was not stored (free space and run again to resume)"
    if name == "SQLITE_NOTADB" or "file is not a database" in low:
        return "not a reetool store (the file is not a SQLite database)"
    if name.startswith("SQLITE_READONLY") or "readonly database" in low or "read-only" in low:
        return "store is read-only (no write permission for the file or its folder)"
    if name.startswith("SQLITE_CANTOPEN") or "unable to open database" in low:
        return "cannot open the store (folder missing, not writable, or not a file)"
    if name.startswith("SQLITE_BUSY") or "database is locked" in low:
        return "store is locked by another process for too long; try again"
    if name.startswith("SQLITE_CORRUPT") or "malformed" in low:
        return "store is corrupt (database disk image is malformed)"
    if name.startswith("SQLITE_IOERR") or "disk i/o error" in low:
        return f"I/O error writing the store ({msg})"
    if isinstance(exc, OSError):
        return exc.strerror or msg
    return msg


class Store:
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
        with _mapped(p):
            if not readonly:
                try:
                    p.parent.mkdir(parents=True, exist_ok=True)
                except OSError as exc:
                    raise StoreError(p, f"cannot create the store folder: {exc.strerror or exc}") from None
            conn = cls._connect(p, readonly)
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
            if not 0 < version < _latest():
                return False
            cls(p, conn, readonly=False)._migrate()
            return True
        except (sqlite3.Error, StoreError, OSError):
            return False
        finally:
            conn.close()

    @staticmethod
    def _connect(p: Path, readonly: bool) -> sqlite3.Connection:
        if readonly:
            uri = p.resolve().as_uri() + "?mode=ro"
            conn = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_S, isolation_level=None)
        else:
            conn = sqlite3.connect(p, timeout=BUSY_TIMEOUT_S, isolation_level=None)
        conn.execute("PRAGMA foreign_keys = ON")
        return conn

    def _prepare(self) -> None:
        version = self.conn.execute("PRAGMA user_version").fetchone()[0]  # NOTADB surfaces here
        self._check_version(version)
        self.has_roles = _ROLE_MIGRATION in MIGRATIONS[:version]
        if self.readonly:
            if version == 0:
                raise StoreError(self.path, f"no store at {self.path}; run `reetool extract PATH...` first")
            return  # migrations only add, so an older store reads fine; the next extract upgrades it
        self._set_wal()
        if version < _latest():
            self._migrate()
            self.has_roles = _ROLE_MIGRATION in MIGRATIONS
        # WAL + NORMAL is still atomic and consistent after a crash or kill -9;
        # only the last commits may be lost on power failure.
        self.conn.execute("PRAGMA synchronous = NORMAL")

    def _check_version(self, version: int) -> None:
        if version > _latest():
            raise StoreError(
                self.path,
                f"store schema version {version} is newer than this reetool supports "
                f"({_latest()}); upgrade reetool",
            )

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
        """Apply missing migrations in one write transaction.

        The version is re-read inside the transaction because another process may have
        migrated the same new store a moment ago.
        """
        with self._write():
            version = self.conn.execute("PRAGMA user_version").fetchone()[0]
            self._check_version(version)
            if version == 0:
                foreign = self.conn.execute(
                    "SELECT count(*) FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'"
                ).fetchone()[0]
                if foreign:
                    raise StoreError(self.path, "not a reetool store (a SQLite database with other tables)")
            for number in range(version, _latest()):
                hook = MIGRATION_HOOKS.get(number)
                if hook is not None:
                    hook(self.conn, self.path)
                for statement in _statements(MIGRATIONS[number]):
                    self.conn.execute(statement)
            # PRAGMA does not take parameters; the value is our own integer.
            self.conn.execute(f"PRAGMA user_version = {int(_latest())}")

    # -- context management -------------------------------------------------------

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _write(self) -> Iterator[None]:
        """One write transaction; anything raised (even Ctrl-C) rolls it back whole."""
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

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
        with _mapped(self.path), self._write():
            for ext in extractions:
                d = ext.document
                key = self._key(d.doc)
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
                doc_id = cur.lastrowid
                self.conn.executemany(
                    _INSERT_MENTION[self.has_roles],
                    [(doc_id, *_mention_row(e)[:width]) for e in ext.entities],
                )
        self.saved += len(extractions)

    # -- reading ------------------------------------------------------------------

    def known(self, digest: str, doc: str | None = None) -> bool:
        """Whether content with this digest is stored (under ``doc``, if given)."""
        with _mapped(self.path):
            if doc is None:
                row = self.conn.execute("SELECT 1 FROM documents WHERE digest = ? LIMIT 1", (digest,))
            else:
                args = (self._key(doc), digest)
                row = self.conn.execute("SELECT 1 FROM documents WHERE doc = ? AND digest = ?", args)
            return row.fetchone() is not None

    def lookup(self, doc: str, digest: str, extractor: str | None = None) -> Extraction | None:
        """The stored result when ``doc`` is stored with exactly this content digest
        (and, if given, made by this extractor build), named as the caller named it."""
        sql = f"SELECT {_DOC_COLUMNS} FROM documents WHERE doc = ? AND digest = ?"
        args: tuple[str, ...] = (self._key(doc), digest)
        if extractor is not None:
            sql, args = sql + " AND extractor = ?", (*args, extractor)
        with _mapped(self.path):
            row = self.conn.execute(sql, args).fetchone()
            if row is None:
                return None
            found = _document(row, self.shown)
            found.doc = doc
            return Extraction(found, self._entities(row[0]))

    def entities_for(self, digest: str, extractor: str | None = None) -> tuple[list[Entity], str] | None:
        """Entities and model of any stored document with this content (a copied file),
        so the same text is never sent through spaCy twice."""
        sql = "SELECT id, model FROM documents WHERE digest = ?"
        args: tuple[str, ...] = (digest,)
        if extractor is not None:
            sql, args = sql + " AND extractor = ?", (*args, extractor)
        with _mapped(self.path):
            row = self.conn.execute(sql + " LIMIT 1", args).fetchone()
            return None if row is None else (self._entities(row[0]), row[1])

    def get(self, doc: str) -> Extraction | None:
        """The stored document (with its cleaned text) and its entities, or ``None``;
        ``doc`` is any spelling of its path, or a name :meth:`find` returned."""
        with _mapped(self.path):
            row = self.conn.execute(
                f"SELECT {_DOC_COLUMNS} FROM documents WHERE doc = ?", (self._key(doc),)
            ).fetchone()
            if row is None:
                return None
            return Extraction(_document(row, self.shown), self._entities(row[0]))

    def find(self, name: str) -> list[str]:
        """The stored documents a user may mean by ``name``, as they are shown here.

        Tried in order, the first rule that matches anything wins: a path spelling that
        resolves to a stored file (``./seeds/x.txt``, an absolute path, ``../x.txt``);
        the file name (or a post's ``name#N``); the file name without its extension;
        a prefix of the file name. More than one result means ``name`` is ambiguous.
        """
        with _mapped(self.path):
            key = self._key(name)
            if self.conn.execute("SELECT 1 FROM documents WHERE doc = ?", (key,)).fetchone():
                return [self.shown(key)]
            paths = [key_path(k, self.root) for (k,) in self.conn.execute("SELECT doc FROM documents")]
        return sorted(shown_doc(k) for k in match_names(name, paths))

    def count(self) -> int:
        with _mapped(self.path):
            return self.conn.execute("SELECT count(*) FROM documents").fetchone()[0]

    def extractions(self, docs: Iterable[str] | None = None, *, unique: bool = False) -> Iterator[Extraction]:
        """Stream stored extractions ordered by doc path, one document in memory at a time.

        ``unique`` skips a document whose content is stored under an earlier name, as
        corpus statistics must. Reads run in one transaction on their own connection: a
        consistent snapshot even while this or another process writes.
        """
        with _mapped(self.path):
            conn = self._connect(self.path, readonly=True)
        try:
            with _mapped(self.path):
                conn.execute("BEGIN")
            if docs is None:
                sql = f"SELECT {_DOC_COLUMNS} FROM documents ORDER BY doc"
                if unique:
                    sql = f"SELECT {_DOC_COLUMNS} FROM documents WHERE NOT {_IS_COPY} ORDER BY doc"
                rows: Iterable[Any] = _fetch(self.path, conn.execute(sql))
            else:
                rows = (
                    row
                    for name in sorted({self._key(d) for d in docs})
                    if (
                        row := conn.execute(
                            f"SELECT {_DOC_COLUMNS} FROM documents WHERE doc = ?", (name,)
                        ).fetchone()
                    )
                    is not None
                )
            for row in rows:
                with _mapped(self.path):
                    entities = _entities(conn, row[0], self.has_roles)
                yield Extraction(_document(row, self.shown), entities)
        finally:
            conn.close()

    def name_stats(self, labels: Iterable[str] | None = None) -> Iterator[NameStats]:
        """Per (label, canonical, text) (only ``labels`` if given): mentions, documents,
        first and last publication date, aggregated in SQL.

        This is all ``reetool entities`` needs, and it reads neither a document's text
        nor a mention row: on a current store the query is answered from the covering
        indexes of migration 3, in their order, with no sort (on an older store opened
        read-only the same query scans the tables: same answer, slower). Rows stream; what
        a caller keeps grows with the distinct (name, document) pairs, never with the text.
        The queries run in one read transaction: a consistent snapshot while others write.
        """
        with _mapped(self.path):
            conn = self._connect(self.path, readonly=True)
        try:
            with _mapped(self.path):
                conn.execute("BEGIN")
                published = {
                    str(i): p
                    for i, p in conn.execute("SELECT id, published FROM documents WHERE published > ''")
                }
                # The same content under several names counts once: only its first row.
                copies = {str(i) for (i,) in conn.execute(f"SELECT id FROM documents WHERE {_IS_COPY}")}
            # group_concat without DISTINCT: one id per mention, so a list's length is the
            # mention count once the copies' ids are dropped.
            # One constant query per label (an index range each) instead of a built IN list.
            for wanted in ["", "DATE"] if labels is None else sorted(set(labels)):
                with _mapped(self.path):
                    if wanted == "":  # all labels but DATE, then DATE with its values
                        cur = conn.execute(
                            f"{_NAME_STATS} WHERE label != 'DATE' GROUP BY label, canonical, text"
                        )
                    elif wanted == "DATE":
                        cur = conn.execute(_DATE_STATS)
                    else:
                        cur = conn.execute(
                            f"{_NAME_STATS} WHERE label = ? GROUP BY label, canonical, text", (wanted,)
                        )
                for label, canonical, text, mentions, doc_ids, value in _fetch(self.path, cur):
                    ids = doc_ids.split(",")
                    if copies:
                        ids = [i for i in ids if i not in copies]
                        if not ids:
                            continue
                        mentions = len(ids)
                    docs = set(ids)
                    dates = {d for d in map(published.get, docs) if d is not None}
                    first, last = (min(dates), max(dates)) if dates else (None, None)
                    yield NameStats(label, canonical, text, mentions, docs, first, last, value)
        finally:
            conn.close()

    def roles(self) -> Iterator[tuple[str, str | None, Entity, str]]:
        """Every stored ROLE as (doc, published, role, text around it), for ``reetool
        people``: the role's own rows and a window of its document's text, never a whole
        text; copies of a stored content are skipped, as in the other corpus statistics."""
        if not self.has_roles:
            return
        sql = (
            'SELECT documents.doc, documents.published, m.text, m.start, m."end", m.canonical, m.title, '
            f"m.org, substr(documents.text, max(1, m.start - {_CONTEXT} + 1), "
            f'm."end" - m.start + 2 * {_CONTEXT}), max(0, m.start - {_CONTEXT}) '
            "FROM mentions m JOIN documents ON documents.id = m.doc_id "
            f"WHERE m.label = 'ROLE' AND NOT {_IS_COPY} ORDER BY documents.id, m.id"
        )
        with _mapped(self.path):
            cur = self.conn.execute(sql)
        for doc, published, text, start, end, person, title, org, window, offset in _fetch(self.path, cur):
            role = Entity("ROLE", text, start, end, person, title=title, org=org)
            yield self.shown(doc), published, role, sentence_of(window, start - offset, end - offset)

    def documents(self) -> Iterator[DocumentSummary]:
        """Stream one summary per stored document, ordered by doc path; a document whose
        content is stored under an earlier name says which (``same_as``)."""
        with _mapped(self.path):
            first = dict(
                self.conn.execute(
                    "SELECT digest, min(doc) FROM documents WHERE digest > '' "
                    "GROUP BY digest HAVING count(*) > 1"
                )
            )
            cur = self.conn.execute(
                "SELECT d.doc, d.title, d.published, d.url, d.digest, d.extracted_at, m.label, count(m.id) "
                "FROM documents d LEFT JOIN mentions m ON m.doc_id = d.id "
                "GROUP BY d.id, m.label ORDER BY d.doc, m.label"
            )
        current: DocumentSummary | None = None
        current_key = None
        for doc, title, published, url, digest, at, label, n in _fetch(self.path, cur):
            if current is None or current_key != doc:
                current_key = doc
                if current is not None:
                    yield current
                same = first.get(digest)
                same_as = self.shown(same) if same is not None and same != doc else None
                current = DocumentSummary(self.shown(doc), title, published, url, digest, {}, at, same_as)
            if label is not None:
                current.counts[label] = n
        if current is not None:
            yield current

    def _key(self, doc: str) -> str:
        """The key of a document as the user names it (:func:`reetool.identity.doc_key`)."""
        return doc_key(doc, root=self.root)

    def shown(self, key: str) -> str:
        """A key as the user, standing where they stand, names the document."""
        return shown_doc(key, root=self.root)

    def _entities(self, doc_id: int) -> list[Entity]:
        return _entities(self.conn, doc_id, self.has_roles)


def _entities(conn: sqlite3.Connection, doc_id: int, has_roles: bool = True) -> list[Entity]:
    rows = conn.execute(_SELECT_MENTIONS[has_roles], (doc_id,))
    return [
        Entity(lb, tx, s, e, c, v, bool(inf), sym, ti, org) for lb, tx, s, e, c, v, inf, sym, ti, org in rows
    ]


def _mention_row(e: Entity) -> tuple[Any, ...]:
    return (e.label, e.text, e.start, e.end, e.canonical, e.value, int(e.inferred), e.symbol, e.title, e.org)


def _document(row: Sequence[Any], shown: Callable[[str], str]) -> Document:
    _id, doc, digest, title, published, url, text, fixes = row
    return Document(shown(doc), text, title, published, url, orjson.loads(fixes or "{}"), digest)


def _fetch(path: Path, cur: sqlite3.Cursor) -> Iterator[Any]:
    """Iterate a cursor, mapping SQLite errors met while stepping it."""
    while True:
        with _mapped(path):
            rows = cur.fetchmany(256)
        if not rows:
            return
        yield from rows


def _statements(script: str) -> list[str]:
    """Split a migration into statements; a trigger's body (``BEGIN ...; ... END``) holds
    semicolons of its own, so a piece ends only where SQLite says a statement is complete."""
    out: list[str] = []
    pending = ""
    for piece in script.split(";"):
        pending += piece + ";"
        if sqlite3.complete_statement(pending):
            if pending.strip(" \n;"):
                out.append(pending.strip().removesuffix(";"))
            pending = ""
    if pending.strip(" \n;"):
        out.append(pending.strip().removesuffix(";"))
    return out


@contextmanager
def _mapped(path: Path) -> Iterator[None]:
    """Re-raise SQLite and OS errors as one-line :class:`StoreError` messages."""
    try:
        yield
    except (sqlite3.Error, OSError) as exc:
        raise StoreError(path, _reason(exc)) from exc
