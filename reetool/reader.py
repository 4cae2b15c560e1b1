"""Reader stage: turn paths (files, folders, ``-`` for stdin) into :class:`Source` records.

Inputs are recognised by content, not by extension, because scrapers save WordPress
JSON as ``.txt`` and HTML without a suffix. Anything unusable becomes a
:class:`Failure` in the same stream, with a short reason a user can act on, so one bad
file never stops the run.

Memory stays bounded: files are read one at a time, directories are walked lazily, and
a file over the size limit (``max_bytes``, else ``$REETOOL_MAX_BYTES``, else 100 MB) is
refused from its size alone, before any of it is read.
"""

from __future__ import annotations

import errno
import json
import os
import re
import stat
import sys
from collections.abc import Iterable, Iterator
from itertools import islice
from typing import Any, BinaryIO

import orjson

try:
    import fcntl
except ImportError:  # Windows: no FIFOs to guard against
    fcntl = None  # type: ignore[assignment]

from reetool.decode import BinaryFile, Decoded, decode
from reetool.document import Failure, Source

DEFAULT_MAX_BYTES = 100_000_000
ENV_MAX_BYTES = "REETOOL_MAX_BYTES"
_LIMIT_HINT = f"set {ENV_MAX_BYTES} or --max-bytes"
_CHUNK = 8 << 20
_NOT_A_POST = "JSON is not a WordPress post"

Item = Source | Failure


# --------------------------------------------------------------------------- sizes


def parse_size(text: str) -> int:
    """Parse ``"250000"``, ``"200MB"``, ``"1.5G"`` (decimal units); ``0`` means no limit."""
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kmgt]?)b?\s*", text, re.I)
    if not m:
        raise ValueError(f"{ENV_MAX_BYTES}={text!r} is not a size (use bytes, or e.g. 200MB)")
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
        env = os.environ.get(ENV_MAX_BYTES, "").strip()
        max_bytes = parse_size(env) if env else DEFAULT_MAX_BYTES
    return max_bytes if max_bytes > 0 else None


def _too_big(what: str, size: int | None, limit: int) -> str:
    if size is None:
        return f"{what} is over the {human_size(limit)} limit ({_LIMIT_HINT})"
    return f"{what} is {human_size(size)}, over the {human_size(limit)} limit ({_LIMIT_HINT})"


# --------------------------------------------------------------------------- paths


def read_paths(
    paths: Iterable[str], *, stdin: BinaryIO | None = None, max_bytes: int | None = None
) -> Iterator[Item]:
    """Yield a Source per document (a file may hold several) and a Failure per bad input.

    ``max_bytes`` caps each file (0 = no cap); None defers to ``$REETOOL_MAX_BYTES``,
    then to 100 MB. A bad ``$REETOOL_MAX_BYTES`` is reported as a Failure, not raised.
    """
    if isinstance(paths, str):  # read_paths("seeds") means one path, not five letters
        paths = [paths]
    try:
        limit = resolve_max_bytes(max_bytes)
    except ValueError as exc:
        yield Failure(ENV_MAX_BYTES, str(exc))
        limit = DEFAULT_MAX_BYTES
    for path in paths:
        if path == "-":
            yield from _read_stdin(stdin, limit)
        else:
            yield from _read_path(path, limit)


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


def _read_stdin(stdin: BinaryIO | None, limit: int | None) -> Iterator[Item]:
    if stdin is None:
        if sys.stdin is None:
            yield Failure("-", "no standard input")
            return
        stdin = getattr(sys.stdin, "buffer", sys.stdin)
    try:
        data = _read_limited(stdin, limit)
    except (OSError, ValueError) as exc:  # ValueError: stdin already closed
        yield Failure("-", _os_reason(exc, "-") if isinstance(exc, OSError) else "standard input is closed")
        return
    if data is None:
        yield Failure("-", _too_big("input", None, limit or 0))
        return
    yield from parse_bytes("-", data)


# --------------------------------------------------------------------------- content


# A JSON document must open with `{"`/`{}` or `[` + a value: "[Updated] Lynas ..." stays text.
_JSON_START = re.compile(r'\s*(?:\{\s*["}]|\[\s*(?:[\[\]{"\-0-9]|true\b|false\b|null\b))')
_HTML_START = re.compile(r"\s*<(?:!doctype\s+html|!--|\?xml|[a-z][a-z0-9]*[\s/>])", re.I)
_HTML_HINT = re.compile(
    r"<(?:!doctype\s+html|html|body|p|div|br|article|h[1-6]|li|span|a\s)\b[^<>]{0,500}>", re.I
)
_SNIFF_CHARS = 65536


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
    if _JSON_START.match(text):
        yield from _parse_json(doc, data, decoded, text)
    elif looks_like_html(text):
        yield html_source(doc, text)
    else:
        yield Source(doc=doc, body=text, markup="text")


def looks_like_html(text: str) -> bool:
    """Markup at the start, or several common tags early on (an HTML fragment)."""
    if _HTML_START.match(text):
        return True
    third = next(islice(_HTML_HINT.finditer(text, 0, _SNIFF_CHARS), 2, None), None)
    return third is not None


# --------------------------------------------------------------------------- HTML pages

# A whole page announces itself within its first few kilobytes; a snippet never does.
_WHOLE_PAGE = re.compile(r"<(?:!doctype\s+html|html|head|body)[\s/>]", re.I)
_PAGE_SNIFF_CHARS = 65536


def html_source(doc: str, text: str) -> Source:
    """A whole page (its article and metadata are found by the cleaner, from one parse)
    or an HTML snippet, which is already all article."""
    whole = _WHOLE_PAGE.search(text, 0, _PAGE_SNIFF_CHARS) is not None
    return Source(doc=doc, body=text, markup="page" if whole else "html")


# --------------------------------------------------------------------------- JSON


class _BadJSON(Exception):
    """Why a JSON text could not be parsed; ``kind`` is "deep", "truncated" or "invalid"."""

    def __init__(self, kind: str, msg: str = "", pos: int = 0, lineno: int = 0, colno: int = 0) -> None:
        super().__init__(kind, msg)
        self.kind, self.msg, self.pos, self.lineno, self.colno = kind, msg, pos, lineno, colno


def _loads(raw: bytes | str) -> Any:
    """orjson first (fast, depth-limited); the stdlib only for what orjson refuses but JSON allows.

    orjson stops at 1024 levels, so 100,000 nested brackets are a clean error, not a
    RecursionError. It rejects lone surrogate escapes and numbers beyond a double,
    which the stdlib reads; its RecursionError is caught for the same reason.
    """
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        if exc.msg.startswith("depth limit"):
            raise _BadJSON("deep") from None
        if exc.msg.startswith("unexpected end of data"):
            raise _BadJSON("truncated", exc.msg, exc.pos, exc.lineno, exc.colno) from None
        first = exc
    try:
        return json.loads(raw)
    except RecursionError:
        raise _BadJSON("deep") from None
    except (ValueError, TypeError):
        raise _BadJSON("invalid", first.msg, first.pos, first.lineno, first.colno) from None


def _json_reason(err: _BadJSON, unit: str, offset: int = 0, *, line: bool = True) -> str:
    if err.kind == "deep":
        return "JSON nested too deeply (over 1024 levels)"
    if err.kind == "truncated":
        where = f"{unit} {err.pos + offset}" if line else f"column {err.colno}"
        return f"truncated JSON (unexpected end at {where})"
    where = f"line {err.lineno} column {err.colno}" if line else f"column {err.colno}"
    return f"invalid JSON ({_oneline(err.msg)} at {where})"


def _parse_json(doc: str, data: bytes, decoded: Decoded, text: str) -> Iterator[Item]:
    # Valid UTF-8 goes to the parser as bytes so that error positions are byte offsets.
    if decoded.encoding == "utf-8":
        raw: bytes | str = data[decoded.bom :]
        unit, offset = "byte", decoded.bom
    else:
        raw, unit, offset = text, "character", 0
    try:
        value = _loads(raw)
    except _BadJSON as err:
        if _looks_like_jsonl(text):
            yield from _parse_jsonl(doc, text)
        else:
            yield Failure(doc, _json_reason(err, unit, offset))
        return
    yield from _from_json_value(doc, value)


def _looks_like_jsonl(text: str) -> bool:
    """Several lines, the first an object, and one of the first few a complete object by itself."""
    lines: list[str] = []
    start, size = 0, len(text)
    while start < size and len(lines) < 10:
        end = text.find("\n", start)
        end = size if end < 0 else end
        if line := text[start:end].strip():
            lines.append(line)
        start = end + 1
    if len(lines) < 2 or not lines[0].startswith("{"):
        return False
    for line in lines:
        try:
            if isinstance(orjson.loads(line), dict):
                return True
        except orjson.JSONDecodeError:
            continue
    return False


def _parse_jsonl(doc: str, text: str) -> Iterator[Item]:
    """One record per line; a bad line is a Failure named ``path:LINE`` and the rest go on."""
    # split("\n"), not splitlines(): U+2028 and friends are legal inside JSON strings.
    for lineno, line in enumerate(text.split("\n"), 1):
        line = line.strip()
        if not line:
            continue
        where = f"{doc}:{lineno}"
        try:
            value = _loads(line)
        except _BadJSON as err:
            yield Failure(where, _json_reason(err, "column", line=False))
            continue
        if not isinstance(value, dict):
            yield Failure(where, f"not a JSON object (got {_kind(value)})")
            continue
        ident = value.get("id")
        if isinstance(ident, (str, int)) and not isinstance(ident, bool) and str(ident).strip():
            name = f"{doc}#{_oneline(str(ident))}"
        else:
            name = f"{doc}#{lineno}"
        record = _record(name, value)
        yield record if isinstance(record, Source) else Failure(where, record)


def _from_json_value(doc: str, value: Any) -> Iterator[Item]:
    if isinstance(value, dict):
        record = _record(doc, value)
        yield record if isinstance(record, Source) else Failure(doc, record)
        return
    if not isinstance(value, list):
        yield Failure(doc, f"{_NOT_A_POST}: got {_kind(value)}")
        return
    if not value:
        yield Failure(doc, f"{_NOT_A_POST}: got an empty array")
        return
    if not any(isinstance(v, dict) for v in value):
        kinds = sorted({_kind(v, article=False) for v in value})
        yield Failure(doc, f"{_NOT_A_POST}: got an array of {', '.join(kinds)}")
        return
    if len(value) == 1:
        yield from _from_json_value(doc, value[0])
        return
    for i, item in enumerate(value, 1):
        name = f"{doc}#{i}"
        if not isinstance(item, dict):
            yield Failure(name, f"{_NOT_A_POST}: item is {_kind(item)}")
            continue
        if "content" not in item and "id" in item and "text" in item:
            ident = item["id"]
            if isinstance(ident, (str, int)) and not isinstance(ident, bool) and str(ident).strip():
                name = f"{doc}#{_oneline(str(ident))}"
        record = _record(name, item)
        yield record if isinstance(record, Source) else Failure(name, record)


def _record(name: str, obj: dict[str, Any]) -> Source | str:
    """A WordPress post or a ``{"text": ...}`` record as a Source, else the reason it is neither."""
    if "content" in obj:
        content = obj["content"]
        body = content.get("rendered") if isinstance(content, dict) else content
        if not isinstance(body, str):
            return f'{_NOT_A_POST}: "content.rendered" is not a string'
        title = obj.get("title")
        if isinstance(title, dict):
            title = title.get("rendered")
        return Source(
            doc=name,
            body=_text(body) or "",
            markup="html",
            title=_text(title),
            published=_text(obj.get("date")),
            url=_text(obj.get("link")),
        )
    if "text" in obj:
        body = obj["text"]
        if not isinstance(body, str):
            return f'"text" is not a string (got {_kind(body)})'
        body = _text(body) or ""
        return Source(
            doc=name,
            body=body,
            markup="html" if looks_like_html(body) else "text",
            title=_text(obj.get("title")),
            published=_text(obj.get("date")),
            url=_text(obj.get("url")),
        )
    if isinstance(obj.get("code"), str) and "message" in obj:
        return f"{_NOT_A_POST}: WordPress API error {_oneline(obj['code'])}: {_oneline(str(obj['message']))}"
    keys = ", ".join(_oneline(str(k), 30) for k in list(obj)[:6])
    more = ", ..." if len(obj) > 6 else ""
    if not obj:
        return f'{_NOT_A_POST}: empty object (no "content" or "text" field)'
    return f'{_NOT_A_POST}: no "content" or "text" field (keys: {keys}{more})'


_SURROGATE = re.compile("[\ud800-\udfff]")
_CONTROL_CHARS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


def _text(value: Any) -> str | None:
    """A string field, with lone surrogates (legal JSON escapes, unencodable text) replaced."""
    if not isinstance(value, str):
        return None
    return _SURROGATE.sub("\ufffd", value)


def _oneline(text: str, width: int = 80) -> str:
    """Keep a reason on one short line even when it quotes hostile input."""
    text = _SURROGATE.sub("\ufffd", _CONTROL_CHARS.sub(" ", text)).strip()
    return text if len(text) <= width else text[: width - 3] + "..."


def _kind(value: Any, *, article: bool = True) -> str:
    if value is None:
        return "null" if article else "nulls"
    if isinstance(value, bool):
        name = "boolean"
    elif isinstance(value, (int, float)):
        name = "number"
    elif isinstance(value, str):
        name = "string"
    elif isinstance(value, list):
        name = "array"
    elif isinstance(value, dict):
        name = "object"
    else:
        name = type(value).__name__
    if not article:
        return name + "s"
    return ("an " if name[0] in "aeiou" else "a ") + name
