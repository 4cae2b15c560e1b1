"""WordPress REST JSON (and ``{"text": ...}`` records) as :class:`Source` records.

A file may hold one post, an array of posts, or JSON lines with one record per line.
Anything that is not a post becomes a :class:`Failure` with a reason a user can act on
("JSON is not a WordPress post: no "content" or "text" field (keys: ...)"), and a bad
line of a JSON lines file never loses the other lines.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import orjson

from reetool.decode import Decoded
from reetool.document import Failure, Source
from reetool.sniff import looks_like_html, looks_like_jsonl

_NOT_A_POST = "JSON is not a WordPress post"

Item = Source | Failure


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


def parse_json(doc: str, data: bytes, decoded: Decoded, text: str) -> Iterator[Item]:
    # Valid UTF-8 goes to the parser as bytes so that error positions are byte offsets.
    if decoded.encoding == "utf-8":
        raw: bytes | str = data[decoded.bom :]
        unit, offset = "byte", decoded.bom
    else:
        raw, unit, offset = text, "character", 0
    try:
        value = _loads(raw)
    except _BadJSON as err:
        if looks_like_jsonl(text):
            yield from _parse_jsonl(doc, text)
        else:
            yield Failure(doc, _json_reason(err, unit, offset))
        return
    yield from _from_json_value(doc, value)




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
