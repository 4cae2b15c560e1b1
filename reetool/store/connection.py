"""Connections to a store file, and SQLite's errors as one-line :class:`StoreError` messages.

Every read and write of the store goes through :func:`mapped` (or :func:`fetch` for a
cursor stepped lazily), so that a full disk, a locked or corrupt file, or a file that is
not SQLite at all reaches the user as ``reetool: <path>: <reason>``, never a traceback.

WAL mode plus a busy timeout lets two reetool processes write to one store at once:
writers queue on ``BEGIN IMMEDIATE`` instead of failing with "database is locked".
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

BUSY_TIMEOUT_S = 60.0


class StoreError(Exception):
    """A store problem a user can act on; the CLI prints ``reetool: <path>: <reason>``."""

    def __init__(self, path: str | Path, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = str(path)
        self.reason = reason


def connect(p: Path, readonly: bool) -> sqlite3.Connection:
    """A connection in autocommit mode (transactions are explicit), with foreign keys on;
    ``readonly`` opens the file read-only, so that nothing can write through it."""
    if readonly:
        uri = p.resolve().as_uri() + "?mode=ro"
        conn = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_S, isolation_level=None)
    else:
        conn = sqlite3.connect(p, timeout=BUSY_TIMEOUT_S, isolation_level=None)
    conn.execute("PRAGMA foreign_keys = ON")
    return conn


@contextmanager
def snapshot(path: Path) -> Iterator[sqlite3.Connection]:
    """A read-only connection of its own inside one read transaction: a consistent view
    of the store even while this or another process writes; closed on leaving."""
    with mapped(path):
        conn = connect(path, readonly=True)
    try:
        with mapped(path):
            conn.execute("BEGIN")
        yield conn
    finally:
        conn.close()


@contextmanager
def write_transaction(conn: sqlite3.Connection) -> Iterator[None]:
    """One write transaction; anything raised (even Ctrl-C) rolls it back whole."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def fetch(path: Path, cur: sqlite3.Cursor) -> Iterator[Any]:
    """Iterate a cursor, mapping SQLite errors met while stepping it."""
    while True:
        with mapped(path):
            rows = cur.fetchmany(256)
        if not rows:
            return
        yield from rows


@contextmanager
def mapped(path: Path) -> Iterator[None]:
    """Re-raise SQLite and OS errors as one-line :class:`StoreError` messages."""
    try:
        yield
    except (sqlite3.Error, OSError) as exc:
        raise StoreError(path, reason(exc)) from exc


def reason(exc: BaseException) -> str:
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
