"""HTML pages: whole page or fragment, and a page's metadata (title, author, date, URL, site).

The reader only tells a whole page from a snippet here (:func:`html_source`); the
metadata is read by the cleaner from the same lxml tree the article is extracted from
(:func:`page_metadata`), so a page is parsed once. The readers are trafilatura's own
(meta tags, Open Graph, Dublin Core, then JSON-LD, which wins) and its companion
htmldate for the publication date: maintained code that knows far more site layouts
than a few regular expressions would.
"""

from __future__ import annotations

import re
from contextlib import suppress
from typing import Any

from reetool.document import Source

# A whole page announces itself within its first few kilobytes; a snippet never does.
_WHOLE_PAGE = re.compile(r"<(?:!doctype\s+html|html|head|body)[\s/>]", re.I)
_PAGE_SNIFF_CHARS = 65536


def html_source(doc: str, text: str) -> Source:
    """A whole page (``markup="page"``: its article and metadata are found by the cleaner)
    or an HTML snippet (``markup="html"``), which is already all article."""
    whole = _WHOLE_PAGE.search(text, 0, _PAGE_SNIFF_CHARS) is not None
    return Source(doc=doc, body=text, markup="page" if whole else "html")


def page_metadata(tree: Any) -> dict[str, str | None]:
    """Title, author, publication date (ISO), canonical URL and site name of a parsed page.

    The slow guesses made from the body (authors in bylines, categories, tags) and
    htmldate's extensive search are left out: together they cost as much as the
    article extraction itself, and a news page's date is nearly always in its metadata
    or its URL. Keys are present with ``None`` when the page does not say.
    """
    from htmldate import find_date
    from trafilatura import metadata as tm

    empty: dict[str, str | None] = dict.fromkeys(("title", "author", "published", "url", "site"))
    try:
        meta = tm.examine_meta(tree)
        with suppress(Exception):  # malformed JSON-LD is common and must not cost the rest
            meta = tm.extract_meta_json(tree, meta)
        title = meta.title or tm.extract_title(tree)
        url = tm.extract_url(tree) or meta.url  # the canonical link first, then og:url
        date = find_date(tree, extensive_search=False, original_date=True, url=url)
        site = meta.sitename or tm.extract_sitename(tree)
    except Exception:  # metadata is a bonus: never lose the page's text over it
        return empty
    author = meta.author if meta.author and " " in meta.author.strip() else None  # "admin" is no name
    site = site.lstrip("@") if site else None
    return {"title": title, "author": author, "published": date, "url": url, "site": site}
