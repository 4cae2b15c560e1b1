"""A standalone HTML page of one document with its entities highlighted (``reetool show --html``).

The article text comes from the web and is hostile by assumption: every piece of text that
reaches the page (article, entity, label, title, url) goes through :func:`html.escape`, labels
only ever become CSS class names after being reduced to ``[A-Za-z0-9_]``, and a
Content-Security-Policy forbids scripts and every external resource, so that even a mistake
here cannot make the page run code or call home. The look follows displaCy's "ent" style.
"""

from __future__ import annotations

import re
from html import escape

from reetool.document import Entity, Extraction
from reetool.labels import DEFAULT_COLOR, color

#: No scripts, no fetches of any kind, no base URL, no forms: only inline CSS (and inline
#: SVG, which is markup, not a resource). Every reetool page carries it.
CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'none'; script-src 'none'; "
    "base-uri 'none'; form-action 'none'"
)

_STYLE = """
body { font-family: -apple-system, BlinkMacSystemFont, "Segoe UI", Helvetica, Arial, sans-serif;
       max-width: 52rem; margin: 2rem auto; padding: 0 1rem; color: #222; }
h1 { font-size: 1.4rem; }
.meta { color: #666; font-size: 0.9rem; margin-bottom: 1.5rem; overflow-wrap: anywhere; }
.text { line-height: 2.5; white-space: pre-wrap; overflow-wrap: anywhere; }
mark.entity { padding: 0.45em 0.6em; margin: 0 0.25em; line-height: 1; border-radius: 0.35em;
              background: %(default)s; }
mark.entity .label { font-size: 0.8em; font-weight: bold; line-height: 1; border-radius: 0.35em;
                     vertical-align: middle; margin-left: 0.5rem; text-transform: uppercase; }
.legend mark { margin-right: 0.5rem; }
%(labels)s
"""

_CLASS_SAFE = re.compile(r"[^A-Za-z0-9_]")


def label_class(label: str) -> str:
    return "ent-" + (_CLASS_SAFE.sub("_", label) or "_")


def visible_entities(text: str, entities: list[Entity]) -> list[Entity]:
    """Entities in text order whose offsets fit the text, without overlaps (first one wins).
    Roles are left out: a role's phrase spans the person and organization it relates."""
    out: list[Entity] = []
    end = 0
    for ent in sorted(entities, key=lambda e: (e.start, -(e.end - e.start))):
        if ent.label != "ROLE" and 0 <= ent.start < ent.end <= len(text) and ent.start >= end:
            out.append(ent)
            end = ent.end
    return out


def render(extraction: Extraction) -> str:
    """The whole page as a string; nothing in it is loaded from elsewhere."""
    doc = extraction.document
    text = doc.text
    parts: list[str] = []
    pos = 0
    labels: dict[str, None] = {}
    for ent in visible_entities(text, extraction.entities):
        labels.setdefault(ent.label, None)
        parts.append(escape(text[pos : ent.start]))
        title = ent.canonical if ent.canonical and ent.canonical != ent.text else ""
        title_attr = f' title="{escape(title)}"' if title else ""
        parts.append(
            f'<mark class="entity {label_class(ent.label)}"{title_attr}>{escape(text[ent.start : ent.end])}'
            f'<span class="label">{escape(ent.label)}</span></mark>'
        )
        pos = ent.end
    parts.append(escape(text[pos:]))

    css_labels = "\n".join(
        f"mark.{label_class(lb)} {{ background: {color(lb)}; }}" for lb in sorted(labels)
    )
    style = _STYLE % {"default": DEFAULT_COLOR, "labels": css_labels}
    heading = doc.title or doc.doc
    meta = [escape(doc.doc)]
    if doc.published:
        meta.append(escape(doc.published))
    if doc.url:
        meta.append(escape(doc.url))  # shown, not linked: no navigation away from a local file
    legend = "".join(
        f'<mark class="entity {label_class(lb)}"><span class="label">{escape(lb)}</span></mark>'
        for lb in sorted(labels)
    )
    body = (
        f"<h1>{escape(heading)}</h1>\n"
        f'<div class="meta">{" · ".join(meta)}</div>\n'
        f'<div class="legend">{legend}</div>\n'
        f'<div class="text">{"".join(parts)}</div>\n'
    )
    return page(heading, style, body)


def page(title: str, style: str, body: str) -> str:
    """A whole standalone page: ``title`` is escaped here; ``style`` and ``body`` are
    markup the caller built with every piece of text already escaped."""
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n'
        '<meta name="referrer" content="no-referrer">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)}</title>\n<style>{style}</style>\n</head>\n<body>\n"
        f"{body}"
        "</body>\n</html>\n"
    )
