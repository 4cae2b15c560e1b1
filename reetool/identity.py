"""Document identity: what makes two spellings of a document the same document.

A user names files the way they like: ``seeds/``, ``./seeds``, ``$PWD/seeds``, or
``../seeds`` from a neighbouring folder. The store must see one document in all of
them, or every corpus count silently doubles. So the store keys a file by its resolved
path (:func:`doc_key`), and shows that key back relative to where the user stands
(:func:`shown_doc`). The reader and ``extract`` keep the spelling the user typed, since
users grep their output for it; only the store translates.

Text read from standard input has no path: it is named by its content
(:func:`stdin_name`), so two different texts are two documents and the same text piped
twice is one. A user who wants a readable name gives one (``extract - --name NAME``).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable

#: Prefix of the names given to documents read from stdin without ``--name``.
STDIN_PREFIX = "stdin:"
#: Hex digits of the content digest kept in a stdin document's name.
STDIN_DIGITS = 12
#: ``shown_doc`` climbs at most this many folders up before showing an absolute path.
MAX_CLIMB = 2


def stdin_name(digest: str) -> str:
    """The name of a stdin document: its content digest, shortened (``stdin:3f2a…``)."""
    return STDIN_PREFIX + digest[:STDIN_DIGITS]


def is_path_key(key: str) -> bool:
    """Whether a stored key names a file, not a stdin text."""
    return not (key.startswith(STDIN_PREFIX) or key == "-" or key.startswith("-#"))


def store_root(store_path: str | os.PathLike[str]) -> str:
    """The folder a store's keys are relative to: ``X`` for ``X/.reetool/reetool.db`` (the
    default place), else the folder holding the store file. Keys relative to it keep a
    project valid when its folder is moved or copied, as a git work tree stays valid."""
    folder = os.path.dirname(os.path.abspath(store_path))
    if os.path.basename(folder) == ".reetool":
        folder = os.path.dirname(folder)
    return os.path.realpath(folder)


def doc_key(doc: str, base: str | None = None, root: str | None = None) -> str:
    """The store's key for a document named ``doc`` (relative paths from ``base``, else cwd).

    A file's key is its resolved path (symlinks followed, ``.``/``..`` gone): relative
    to ``root`` (POSIX separators) when the file lies below it, else absolute. The N-th
    record of a file (``path#N``) keeps its ``#N``. A stdin document's name is already
    its identity and is kept as it is.
    """
    if not is_path_key(doc):
        return doc
    path, suffix = doc, ""
    joined = os.path.join(base, doc) if base else doc
    if "#" in doc and not os.path.lexists(joined):
        path, _, tail = doc.rpartition("#")
        suffix = "#" + tail
    if base:
        path = os.path.join(base, path)
    try:
        resolved = os.path.realpath(path)
    except (OSError, ValueError):  # a NUL in the name, an unreadable cwd
        resolved = os.path.abspath(path)
    if root and (resolved == root or resolved.startswith(root.rstrip(os.sep) + os.sep)):
        resolved = os.path.relpath(resolved, root).replace(os.sep, "/")
    return resolved + suffix


def key_path(key: str, root: str | None = None) -> str:
    """A stored file key as an absolute path (a stdin name as it is)."""
    if not is_path_key(key) or os.path.isabs(key) or not root:
        return key
    return os.path.join(root, key.replace("/", os.sep))


def shown_doc(key: str, cwd: str | None = None, root: str | None = None) -> str:
    """A stored key as the user standing in ``cwd`` would name it: a relative path when
    the file is below or near ``cwd``, else the absolute path; stdin names as they are."""
    if not is_path_key(key):
        return key
    full = key_path(key, root)
    if not os.path.isabs(full):
        return key
    try:
        here = cwd or os.getcwd()
        rel = os.path.relpath(full, here)
    except (OSError, ValueError):
        return full
    climbs = 0
    parts = rel.split(os.sep)
    while climbs < len(parts) and parts[climbs] == os.pardir:
        climbs += 1
    return full if climbs > MAX_CLIMB else rel


def match_names(name: str, keys: Iterable[str]) -> list[str]:
    """The ``keys`` (absolute paths or stdin names) a user may mean by ``name`` when it is
    no spelling of a stored path: the first rule that matches anything wins, so an exact file name is never
    reported ambiguous because a longer name starts with it.

    1. the file name, or a path tail (``seeds/x.txt`` from another folder);
    2. the file name without its extension (``002_f349e353b77cb023``);
    3. a prefix of the file name (``002``), or of a stdin document's name.
    """
    keys = list(keys)
    tail = name.replace(os.sep, "/").strip("/")
    rules: tuple[Callable[[str, str], bool], ...] = (
        lambda key, base: base == tail or key.replace(os.sep, "/").endswith("/" + tail),
        lambda key, base: os.path.splitext(base)[0] == tail,
        lambda key, base: base.startswith(tail),
    )
    for rule in rules:
        found = [key for key in keys if rule(key, os.path.basename(key) if is_path_key(key) else key)]
        if found:
            return found
    return []
