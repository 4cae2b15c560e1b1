"""Reader stage: turn paths (files, folders, ``-`` for stdin) into :class:`Source` records.

Inputs are recognised by content, not by extension, because scrapers save WordPress
JSON as ``.txt`` and HTML without a suffix. Anything unusable becomes a
:class:`Failure` in the same stream, so the run goes on.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Iterator

import orjson

from reetool.document import Failure, Source

# FIRST DRAFT: minimal reader so the other stages can be built; to be completed.


def read_paths(paths: Iterable[str]) -> Iterator[Source | Failure]:
    for path in paths:
        if path == "-":
            yield from parse_bytes("-", sys.stdin.buffer.read())
        elif os.path.isdir(path):
            for root, dirs, files in os.walk(path):
                dirs.sort()
                for name in sorted(files):
                    yield from _read_file(os.path.join(root, name))
        else:
            yield from _read_file(path)


def _read_file(path: str) -> Iterator[Source | Failure]:
    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except OSError as exc:
        yield Failure(path, exc.strerror or str(exc))
        return
    yield from parse_bytes(path, data)


def parse_bytes(doc: str, data: bytes) -> Iterator[Source | Failure]:
    text = data.decode("utf-8", errors="replace")
    stripped = text.lstrip()
    if stripped.startswith(("{", "[")):
        try:
            obj = orjson.loads(data)
        except orjson.JSONDecodeError as exc:
            yield Failure(doc, f"invalid JSON: {exc}")
            return
        posts = obj if isinstance(obj, list) else [obj]
        for i, post in enumerate(posts):
            name = doc if len(posts) == 1 else f"{doc}#{i}"
            yield Source(
                doc=name,
                body=post["content"]["rendered"],
                markup="html",
                title=post.get("title", {}).get("rendered"),
                published=post.get("date"),
                url=post.get("link"),
            )
        return
    markup = "html" if stripped[:1] == "<" else "text"
    yield Source(doc=doc, body=text, markup=markup)
