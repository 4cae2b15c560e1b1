"""Reader stage: turn paths (files, folders, ``-`` for stdin) into :class:`Source` records.

Inputs are recognised by content, not by extension (:mod:`reetool.sniff`), then parsed
as WordPress JSON (:mod:`reetool.wordpress`), an HTML page (:mod:`reetool.pagemeta`) or
plain text. Anything unusable becomes a
:class:`Failure` in the same stream, with a short reason a user can act on, so one bad
file never stops the run.

Memory stays bounded: files are read one at a time, directories are walked lazily, and
a file over the size limit (``max_bytes``, else ``$REETOOL_MAX_BYTES``, else 100 MB) is
refused from its size alone, before any of it is read.
"""

from __future__ import annotations

import errno
import os
import re
import stat
import sys
from collections.abc import Iterable, Iterator
from dataclasses import replace
from typing import BinaryIO, cast

try:
    import fcntl
except ImportError:  # Windows: no FIFOs to guard against
    fcntl = None  # type: ignore[assignment]

from reetool.decode import BinaryFile, decode, decode_html
from reetool.document import Failure, Source
from reetool.identity import stdin_name as content_name
from reetool.pagemeta import html_source
from reetool.settings import MAX_BYTES_ENV, env_max_bytes
from reetool.sniff import looks_like_html, looks_like_json
from reetool.wordpress import parse_json

DEFAULT_MAX_BYTES = 100_000_000
_LIMIT_HINT = f"set {MAX_BYTES_ENV} or --max-bytes"
_CHUNK = 8 << 20

Item = Source | Failure


# --------------------------------------------------------------------------- sizes


def parse_size(text: str) -> int:
    """Parse ``"250000"``, ``"200MB"``, ``"1.5G"`` (decimal units); ``0`` means no limit."""
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kmgt]?)b?\s*", text, re.I)
    if not m:
        raise ValueError(f"{MAX_BYTES_ENV}={text!r} is not a size (use bytes, or e.g. 200MB)")
    scale = {"": 1, "k": 10**3, "m": 10**6, "g": 10**9, "t": 10**12}[m.group(2).lower()]
    return int(float(m.group(1)) * scale)


def human_size(n: int) -> str:
    """``250_000_000`` -> ``"250 MB"``: the unit users set the limit in."""
    for unit, scale in (("GB", 10**9), ("MB", 10**6), ("KB", 10**3)):
        if n >= scale:
            return f"{n / scale:.1f}".removesuffix(".0") + f" {unit}"
    return f"{n} bytes"


def resolve_max_bytes(max_bytes: int | None) -> int | None:
    """The effective limit: the argument, else the environment, else the default; None = no limit."""
    if max_bytes is None:
        env = env_max_bytes()
        max_bytes = parse_size(env) if env else DEFAULT_MAX_BYTES
    return max_bytes if max_bytes > 0 else None


def _too_big(what: str, size: int | None, limit: int) -> str:
    if size is None:
        return f"{what} is over the {human_size(limit)} limit ({_LIMIT_HINT})"
    return f"{what} is {human_size(size)}, over the {human_size(limit)} limit ({_LIMIT_HINT})"


# --------------------------------------------------------------------------- paths


def read_paths(
    paths: Iterable[str],
    *,
    stdin: BinaryIO | None = None,
    max_bytes: int | None = None,
    stdin_name: str | None = None,
) -> Iterator[Item]:
    """Yield a Source per document (a file may hold several) and a Failure per bad input.

    ``max_bytes`` caps each file (0 = no cap); None defers to ``$REETOOL_MAX_BYTES``,
    then to 100 MB. A bad ``$REETOOL_MAX_BYTES`` is reported as a Failure, not raised.
    A document read from stdin (``-``) is named ``stdin_name`` if given, else by its
    content (:func:`reetool.identity.stdin_name`), so that different texts piped in
    are different documents.
    """
    if isinstance(paths, str):  # read_paths("seeds") means one path, not five letters
        paths = [paths]
    try:
        limit = resolve_max_bytes(max_bytes)
    except ValueError as exc:
        yield Failure(MAX_BYTES_ENV, str(exc))
        limit = DEFAULT_MAX_BYTES
    for path in paths:
        if path == "-":
            yield from _read_stdin(stdin, limit, stdin_name)
        else:
            yield from _read_path(path, limit)


def count_inputs(paths: Iterable[str]) -> int:
    """How many files ``read_paths`` will open, counted from directory listings alone
    (nothing is read), so that a progress bar can show a total and the time left.

    An estimate where the walk would differ (symlinked folders are not followed here),
    never an error: an unreadable path counts as one input, like the failure it becomes.
    """
    if isinstance(paths, str):
        paths = [paths]
    total = 0
    for path in paths:
        if path == "-" or not os.path.isdir(path):
            total += 1
            continue
        for _, dirs, files in os.walk(path):
            dirs[:] = [d for d in dirs if not d.startswith(".")]
            total += sum(1 for f in files if not f.startswith("."))
    return total


def _os_reason(exc: OSError, path: str) -> str:
    """A short, lower-case reason instead of ``[Errno 2] No such file or directory: 'x'``."""
    code = exc.errno
    if code == errno.ENOENT:
        return "broken symlink" if os.path.islink(path) else "no such file"
    if code == errno.ELOOP:
        return "symlink loop"
    if code in (errno.EACCES, errno.EPERM):
        return "permission denied"
    if code == errno.ENOTDIR:
        return "no such file (a parent is not a directory)"
    if code == errno.ENAMETOOLONG:
        return "file name too long"
    if code == errno.EISDIR:
        return "is a directory"
    reason = exc.strerror or str(exc) or type(exc).__name__
    return reason[:1].lower() + reason[1:]


def _read_path(path: str, limit: int | None) -> Iterator[Item]:
    try:
        st = os.stat(path)
    except (OSError, ValueError) as exc:  # ValueError: NUL in the path
        yield Failure(path, _os_reason(exc, path) if isinstance(exc, OSError) else "invalid path")
        return
    if stat.S_ISDIR(st.st_mode):
        found = False
        for item in _walk(path, (st.st_dev, st.st_ino), limit):
            found = True
            yield item
        if not found:
            yield Failure(path, "directory has no readable files")
    else:
        yield from _read_file(path, limit)


def _listdir(path: str) -> list[str] | Failure:
    """Visible entries of ``path`` in a stable order; hidden ones (.git, .reetool) are skipped."""
    try:
        with os.scandir(path) as it:
            names = sorted(entry.name for entry in it if not entry.name.startswith("."))
    except OSError as exc:
        return Failure(path, _os_reason(exc, path))
    return [os.path.join(path, name) for name in names]


def _walk(top: str, top_key: tuple[int, int], limit: int | None) -> Iterator[Item]:
    """Depth-first, sorted, following symlinks; an explicit stack so depth cannot overflow."""
    listing = _listdir(top)
    if isinstance(listing, Failure):
        yield listing
        return
    stack: list[tuple[Iterator[str], frozenset[tuple[int, int]]]] = [(iter(listing), frozenset([top_key]))]
    while stack:
        entries, ancestors = stack[-1]
        path = next(entries, None)
        if path is None:
            stack.pop()
            continue
        try:
            st = os.stat(path)
        except OSError as exc:
            yield Failure(path, _os_reason(exc, path))
            continue
        if stat.S_ISDIR(st.st_mode):
            key = (st.st_dev, st.st_ino)
            if key in ancestors:  # a link back to a folder we are inside
                yield Failure(path, "symlink loop")
                continue
            listing = _listdir(path)
            if isinstance(listing, Failure):
                yield listing
                continue
            stack.append((iter(listing), ancestors | {key}))
        elif stat.S_ISREG(st.st_mode):
            yield from _read_file(path, limit)
        else:
            # Opening a FIFO found in a folder would block the run forever.
            yield Failure(path, "not a regular file")


def _read_limited(fh: BinaryIO, limit: int | None, hint: int = 0) -> bytes | None:
    """Read everything, or return None as soon as more than ``limit`` bytes arrive."""
    chunks: list[bytes] = []
    total = 0
    want = hint + 1 if hint else _CHUNK
    while True:
        if limit is not None:
            want = min(want, limit + 1 - total)
        chunk = fh.read(want)
        if not chunk:
            break
        if isinstance(chunk, str):  # a text stream handed in by mistake
            chunk = chunk.encode("utf-8", "surrogateescape")
        chunks.append(chunk)
        total += len(chunk)
        if limit is not None and total > limit:
            return None
        # A regular file is normally done after its size hint: probe small, not 8 MB.
        want = 65536 if hint else _CHUNK
    return b"".join(chunks)


def _open(path: str) -> BinaryIO:
    """Open for reading without ever blocking on open.

    A FIFO named on the command line with no writer would block ``open()`` forever;
    O_NONBLOCK makes the open return at once, then blocking reads are restored so a pipe
    that does have a writer is read to its end (and one without reads as empty).
    """
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    try:
        if fcntl is not None and not stat.S_ISREG(os.fstat(fd).st_mode):
            flags = fcntl.fcntl(fd, fcntl.F_GETFL)
            fcntl.fcntl(fd, fcntl.F_SETFL, flags & ~os.O_NONBLOCK)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def _read_file(path: str, limit: int | None) -> Iterator[Item]:
    size: int | None = None
    try:
        with _open(path) as fh:
            st = os.fstat(fh.fileno())
            regular = stat.S_ISREG(st.st_mode)
            if limit is not None and regular and st.st_size > limit:
                data, size = None, st.st_size  # refused on its size alone, nothing read
            else:
                data = _read_limited(fh, limit, st.st_size if regular else 0)
    except OSError as exc:
        yield Failure(path, _os_reason(exc, path))
        return
    if data is None:
        yield Failure(path, _too_big("file", size, limit or 0))
        return
    if not data and stat.S_ISFIFO(st.st_mode):
        yield Failure(path, "no data (a FIFO with no writer)")
        return
    yield from parse_bytes(path, data)


def _read_stdin(stdin: BinaryIO | None, limit: int | None, name: str | None = None) -> Iterator[Item]:
    if stdin is None:
        if sys.stdin is None:
            yield Failure("-", "no standard input")
            return
        stdin = cast(BinaryIO, getattr(sys.stdin, "buffer", sys.stdin))
    try:
        data = _read_limited(stdin, limit)
    except (OSError, ValueError) as exc:  # ValueError: stdin already closed
        yield Failure("-", _os_reason(exc, "-") if isinstance(exc, OSError) else "standard input is closed")
        return
    if data is None:
        yield Failure("-", _too_big("input", None, limit or 0))
        return
    for item in parse_bytes(name or "-", data):
        if name or isinstance(item, Failure):
            yield item
        else:  # "-", or "-#N" for the N-th post: named by content instead
            yield replace(item, doc=content_name(item.digest))


# --------------------------------------------------------------------------- content


def parse_bytes(doc: str, data: bytes) -> Iterator[Item]:
    """Yield the documents held in ``data`` (named after ``doc``), or Failures saying why not.

    Never raises: whatever the bytes, the caller gets records.
    """
    if not data:
        yield Failure(doc, "empty input" if doc == "-" else "empty file")
        return
    try:
        decoded = decode(data)
    except BinaryFile as exc:
        yield Failure(doc, str(exc))
        return
    text = decoded.text.removeprefix("\ufeff")
    if not text or text.isspace():
        yield Failure(doc, "empty file (only whitespace)")
        return
    if looks_like_json(text):
        yield from parse_json(doc, data, decoded, text)
    elif looks_like_html(text):
        yield html_source(doc, decode_html(data, decoded).text.removeprefix("\ufeff"))
    else:
        yield Source(doc=doc, body=text, markup="text")
