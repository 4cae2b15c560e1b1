"""HTML page metadata: title, publication date and URL read cheaply from a page's head.

Only the first 256 KB of a page are looked at, with a few tolerant regular expressions
over ``<meta>``, ``<link rel=canonical>``, ``<title>``, ``<time>`` and JSON-LD; the page
itself goes on whole as the Source body for the cleaner.
"""

from __future__ import annotations

import html
import re

from reetool.document import Source

_HEAD_CHARS = 262144
_META_TAG = re.compile(r"<(meta|link)\b([^<>]{0,4000})>", re.I)
_ATTR = re.compile(r"""([^\s=/<>"']+)\s*=\s*("[^"]*"|'[^']*'|[^\s"'<>]+)""")
_TITLE_TAG = re.compile(r"<title\b[^<>]{0,1000}>(.{0,4000}?)</title\s*>", re.I | re.S)
_TIME_TAG = re.compile(r"<time\b([^<>]{0,2000})>", re.I)
_LD_DATE = re.compile(r'"datePublished"\s*:\s*"([^"\\]{4,64})"')
_TITLE_KEYS = ("og:title", "twitter:title")
_DATE_KEYS = (
    "article:published_time",
    "og:published_time",
    "datepublished",
    "date",
    "pubdate",
    "publishdate",
    "dc.date",
    "dc.date.issued",
    "parsely-pub-date",
    "sailthru.date",
)
_URL_KEYS = ("og:url",)


def _attrs(raw: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for name, value in _ATTR.findall(raw):
        if value[:1] in "\"'":
            value = value[1:-1]
        out.setdefault(name.lower(), value)
    return out


def html_source(doc: str, page: str) -> Source:
    """The whole page as body, plus title/date/URL read cheaply from its head.

    Title stays raw HTML (the cleaner decodes entities once, for every format); date
    and URL are attribute values, unescaped here because nothing downstream cleans them.
    """
    head = page[:_HEAD_CHARS]
    end = head.lower().find("</head")
    meta_zone = head if end < 0 else head[:end]
    meta: dict[str, str] = {}
    canonical = None
    for tag, raw in _META_TAG.findall(meta_zone):
        attrs = _attrs(raw)
        if tag.lower() == "link":
            if canonical is None and "canonical" in attrs.get("rel", "").lower().split():
                canonical = attrs.get("href")
            continue
        key = (attrs.get("property") or attrs.get("name") or attrs.get("itemprop") or "").lower()
        if key and "content" in attrs:
            meta.setdefault(key, attrs["content"])

    title = next((meta[k] for k in _TITLE_KEYS if meta.get(k, "").strip()), None)
    if title is None and (m := _TITLE_TAG.search(meta_zone)):
        title = m.group(1)
    title = (" ".join(title.split()) or None) if title else None

    published = next((meta[k] for k in _DATE_KEYS if meta.get(k, "").strip()), None)
    if published is None and (m := _LD_DATE.search(head)):
        published = m.group(1)
    if published is None:
        for m in _TIME_TAG.finditer(head):
            if value := _attrs(m.group(1)).get("datetime", "").strip():
                published = value
                break

    url = canonical or next((meta[k] for k in _URL_KEYS if meta.get(k, "").strip()), None)
    return Source(
        doc=doc,
        body=page,
        markup="html",
        title=title,
        published=_attr_text(published),
        url=_attr_text(url),
    )


def _attr_text(value: str | None) -> str | None:
    if value is None:
        return None
    return html.unescape(value).strip() or None


