"""Format sniffing: what kind of document a text is, from its content alone.

Scrapers save WordPress JSON as ``.txt`` and HTML without a suffix, so extensions are
never trusted. Each test looks at the start of the text only and costs microseconds.
"""

from __future__ import annotations

import re
from itertools import islice

import orjson

# A JSON document must open with `{"`/`{}` or `[` + a value: "[Updated] Lynas ..." stays text.
_JSON_START = re.compile(r'\s*(?:\{\s*["}]|\[\s*(?:[\[\]{"\-0-9]|true\b|false\b|null\b))')
_HTML_START = re.compile(r"\s*<(?:!doctype\s+html|!--|\?xml|[a-z][a-z0-9]*[\s/>])", re.I)
_HTML_HINT = re.compile(
    r"<(?:!doctype\s+html|html|body|p|div|br|article|h[1-6]|li|span|a\s)\b[^<>]{0,500}>", re.I
)
_SNIFF_CHARS = 65536


def looks_like_json(text: str) -> bool:
    """An object or an array of values at the start; "[Updated] Lynas ..." is not JSON."""
    return _JSON_START.match(text) is not None


def looks_like_html(text: str) -> bool:
    """Markup at the start, or several common tags early on (an HTML fragment)."""
    if _HTML_START.match(text):
        return True
    third = next(islice(_HTML_HINT.finditer(text, 0, _SNIFF_CHARS), 2, None), None)
    return third is not None


def looks_like_jsonl(text: str) -> bool:
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
