"""The embedded store: extraction results that persist between runs, in one SQLite file.

The package's parts, each with its own job:

- :mod:`~reetool.store.database`: :class:`Store`, opening a store and reading and writing
  documents in it;
- :mod:`~reetool.store.statistics`: corpus-wide reads (names, roles, document summaries);
- :mod:`~reetool.store.schema`: the migrations, append-only, and how they are applied;
- :mod:`~reetool.store.rows`: how records map to the tables' columns;
- :mod:`~reetool.store.connection`: connections, transactions, SQLite errors as
  :class:`StoreError`;
- :mod:`~reetool.store.location`: where the store file is when the user names none.

Callers import what they need from here: ``from reetool.store import Store``.
"""

from reetool.store.connection import StoreError
from reetool.store.database import Store
from reetool.store.location import DEFAULT_RELATIVE, default_store_path, find_store, not_found_message
from reetool.store.schema import MIGRATIONS, SCHEMA_VERSION
from reetool.store.statistics import DocumentSummary, NameStats, StoredDocuments

__all__ = [
    "DEFAULT_RELATIVE",
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "DocumentSummary",
    "NameStats",
    "Store",
    "StoreError",
    "StoredDocuments",
    "default_store_path",
    "find_store",
    "not_found_message",
]
