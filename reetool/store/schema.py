"""The store's schema: the migrations that build it, applied in order, append-only.

The schema is versioned with ``PRAGMA user_version`` and grown only by appending to
:data:`MIGRATIONS`, so a store made by any earlier reetool upgrades in place, and one
made by a newer reetool is refused instead of being misread. Migrations only add (tables,
columns, indexes, views), so an older schema still reads correctly.

Column note for SQL readers: ``mentions."end"`` must be quoted (``END`` is a keyword).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

from reetool.identity import doc_key, stdin_name, store_root
from reetool.store.connection import StoreError

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


#: Roles keep their title and organization; the person is the row's canonical name.
ROLE_MIGRATION = """
    ALTER TABLE mentions ADD COLUMN title TEXT;
    ALTER TABLE mentions ADD COLUMN org TEXT
    """


def month_sql(published: str) -> str:
    """SQL for the ``YYYY-MM`` month of a publication date, ``''`` when it has none that
    :func:`reetool.timeline.period_of` would accept."""
    return (
        f"CASE WHEN {published} GLOB '[0-9][0-9][0-9][0-9]-0[1-9]*' "
        f"OR {published} GLOB '[0-9][0-9][0-9][0-9]-1[0-2]*' THEN substr({published}, 1, 7) ELSE '' END"
    )


#: A document's publication month in SQL, ``''`` unless its date has a real one.
PUBLISHED_MONTH = month_sql("d.published")


def _same_name(left: str, right: str) -> str:
    """SQL: rows ``left`` and ``right`` are the same written name."""
    return " AND ".join(f"{left}{c} = {right}.{c}" for c in ("label", "canonical", "text"))


def _document_counts(doc_id: str, sign: str = "") -> tuple[str, str]:
    """SQL adding (``sign`` ``-``: taking away) the mentions of document ``doc_id`` to the
    counts per name and per name and month: one upsert per table, one row per name."""
    return (
        "INSERT INTO name_totals (label, canonical, text, mentions) "
        f"SELECT label, canonical, text, {sign}count(*) FROM mentions WHERE doc_id = {doc_id} "
        "GROUP BY label, canonical, text ON CONFLICT DO UPDATE SET mentions = mentions + excluded.mentions",
        "INSERT INTO name_months (label, canonical, text, month, mentions, documents) "
        f"SELECT m.label, m.canonical, m.text, {month_sql('d.published')}, {sign}count(*), {sign}1 "
        f"FROM documents d JOIN mentions m ON m.doc_id = d.id WHERE d.id = {doc_id} "
        "GROUP BY m.label, m.canonical, m.text ON CONFLICT DO UPDATE SET "
        "mentions = mentions + excluded.mentions, documents = documents + excluded.documents",
    )


#: Add the counts of the documents whose ids lie between the two parameters: the ones a
#: batch just saved with their mentions. Once per batch rather than per document (a
#: statement per document cost half of the store's time in ``extract``). The range holds
#: no other document: a new row's id is above every id in the table.
ADD_NAME_COUNTS = (
    "INSERT INTO name_totals (label, canonical, text, mentions) "
    "SELECT label, canonical, text, count(*) FROM mentions WHERE doc_id BETWEEN ?1 AND ?2 "
    "GROUP BY label, canonical, text ON CONFLICT DO UPDATE SET mentions = mentions + excluded.mentions",
    "INSERT INTO name_months (label, canonical, text, month, mentions, documents) "
    f"SELECT m.label, m.canonical, m.text, {month_sql('d.published')}, count(*), count(DISTINCT d.id) "
    "FROM documents d JOIN mentions m ON m.doc_id = d.id WHERE d.id BETWEEN ?1 AND ?2 "
    f"GROUP BY m.label, m.canonical, m.text, {month_sql('d.published')} ON CONFLICT DO UPDATE SET "
    "mentions = mentions + excluded.mentions, documents = documents + excluded.documents",
)

#: Migration 9: mentions counted per written name, and per name and publication month,
#: so that a timeline or the merge behind ``--with`` reads a few rows per name instead of
#: every mention of it. Kept per document, set-based (a trigger per mention cost 30-50 µs
#: of CPU for each one stored, a few percent of ``extract``): :meth:`reetool.store.Store.save`
#: adds a saved document's counts (:data:`ADD_NAME_COUNTS`); deleting a document, however
#: it is done, takes them away first (a cascade would run too late to read its month);
#: changing its date moves them; a row whose count drops to zero goes. Mentions inserted
#: or deleted one by one outside reetool are not counted. The last two statements fill
#: the tables for the mentions already stored.
NAME_COUNTS_MIGRATION = f"""
    CREATE TABLE name_totals (
        label TEXT NOT NULL, canonical TEXT NOT NULL, text TEXT NOT NULL,
        mentions INTEGER NOT NULL,
        PRIMARY KEY (label, canonical, text)
    ) WITHOUT ROWID;
    CREATE TABLE name_months (
        label TEXT NOT NULL, canonical TEXT NOT NULL, text TEXT NOT NULL,
        month TEXT NOT NULL,
        mentions INTEGER NOT NULL, documents INTEGER NOT NULL,
        PRIMARY KEY (label, canonical, text, month)
    ) WITHOUT ROWID;
    CREATE TRIGGER name_totals_forget AFTER UPDATE OF mentions ON name_totals
    WHEN new.mentions <= 0 BEGIN
        DELETE FROM name_totals WHERE {_same_name("", "new")};
    END;
    CREATE TRIGGER name_months_forget AFTER UPDATE OF mentions ON name_months
    WHEN new.mentions <= 0 BEGIN
        DELETE FROM name_months WHERE {_same_name("", "new")} AND month = new.month;
    END;
    CREATE TRIGGER name_counts_forget_document BEFORE DELETE ON documents BEGIN
        {_document_counts("old.id", "-")[0]};
        {_document_counts("old.id", "-")[1]};
    END;
    CREATE TRIGGER name_months_redate AFTER UPDATE OF published ON documents BEGIN
        UPDATE name_months SET
            mentions = mentions - (SELECT count(*) FROM mentions m
                WHERE m.doc_id = old.id AND {_same_name("m.", "name_months")}),
            documents = documents - 1
        WHERE month = {month_sql("old.published")}
            AND (label, canonical, text) IN
                (SELECT label, canonical, text FROM mentions WHERE doc_id = old.id);
        INSERT INTO name_months (label, canonical, text, month, mentions, documents)
        SELECT label, canonical, text, {month_sql("new.published")}, count(*), 1
        FROM mentions WHERE doc_id = new.id GROUP BY label, canonical, text
        ON CONFLICT DO UPDATE SET mentions = mentions + excluded.mentions, documents = documents + 1;
    END;
    INSERT INTO name_totals (label, canonical, text, mentions)
    SELECT label, canonical, text, count(*) FROM mentions GROUP BY label, canonical, text;
    INSERT INTO name_months (label, canonical, text, month, mentions, documents)
    SELECT m.label, m.canonical, m.text, {month_sql("d.published")}, count(*), count(DISTINCT m.doc_id)
    FROM mentions m JOIN documents d ON d.id = m.doc_id
    GROUP BY m.label, m.canonical, m.text, 4
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
    ROLE_MIGRATION,
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
    # 9: counts per written name, and per name and month, kept per document (timelines).
    NAME_COUNTS_MIGRATION,
)
#: Python run just before the SQL of the migration at the same index (0-based), for
#: what SQL alone cannot express. Kept apart so that MIGRATIONS stays constant SQL text.
MIGRATION_HOOKS: dict[int, PyMigration] = {5: _rekey_documents}
SCHEMA_VERSION = len(MIGRATIONS)


def latest() -> int:
    """Looked up at call time so that tests can append a migration."""
    return len(MIGRATIONS)


def counts_per_document(version: int) -> bool:
    """Whether saving to a store at this version must add the name counts itself."""
    return NAME_COUNTS_MIGRATION in MIGRATIONS[:version]


def has_roles(version: int) -> bool:
    """Whether a store at this schema version has the roles' columns in ``mentions``."""
    return ROLE_MIGRATION in MIGRATIONS[:version]


def check_version(version: int, path: Path) -> None:
    """Refuse a store made by a newer reetool: its rows may mean what we cannot read."""
    if version > latest():
        raise StoreError(
            path,
            f"store schema version {version} is newer than this reetool supports "
            f"({latest()}); upgrade reetool",
        )


def apply_migrations(conn: sqlite3.Connection, path: Path) -> None:
    """Apply the missing migrations; the caller holds the write transaction.

    The version is read here, inside that transaction, because another process may have
    migrated the same new store a moment ago.
    """
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    check_version(version, path)
    if version == 0:
        tables = "SELECT count(*) FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'"
        if conn.execute(tables).fetchone()[0]:
            raise StoreError(path, "not a reetool store (a SQLite database with other tables)")
    for number in range(version, latest()):
        hook = MIGRATION_HOOKS.get(number)
        if hook is not None:
            hook(conn, path)
        for statement in statements(MIGRATIONS[number]):
            conn.execute(statement)
    # PRAGMA does not take parameters; the value is our own integer.
    conn.execute(f"PRAGMA user_version = {int(latest())}")


def statements(script: str) -> list[str]:
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
