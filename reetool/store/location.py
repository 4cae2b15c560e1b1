"""Where the store is: found like git finds its repository, unless the user names one.

The store lives in ``.reetool/reetool.db`` in the current folder or the nearest parent
holding one (:func:`find_store`); ``--db`` and ``$REETOOL_DB`` win.
"""

from __future__ import annotations

from pathlib import Path

from reetool.settings import env_db

DEFAULT_RELATIVE = Path(".reetool") / "reetool.db"


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
    env = env_db()
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
