"""`reetool show --html`: nothing from the article can become markup or code in the page."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from reetool.document import Document, Entity, Extraction
from reetool.html_page import render

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attrs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs.extend(name for name, _ in attrs)


def _hostile() -> Extraction:
    text = f'Before {SCRIPT} middle {IMG} and Lynas Rare Earths & "quotes" end.'
    s1 = text.index(SCRIPT)
    s2 = text.index(IMG)
    s3 = text.index("Lynas")
    return Extraction(
        Document(
            "evil.html", text, title=f"Title {SCRIPT}", published="2025-01-01", url='javascript:alert(1)"x'
        ),
        [
            Entity("ORG", SCRIPT, s1, s1 + len(SCRIPT), SCRIPT),
            Entity("PERSON", IMG, s2, s2 + len(IMG), f'{IMG}" onmouseover="alert(1)'),
            Entity("ORG", "Lynas Rare Earths", s3, s3 + 17, "Lynas Rare Earths"),
            Entity('X"><script>', "Before", 0, 6, "Before"),  # a label is data too
            Entity("ORG", "overlap", s3 + 2, s3 + 8, "overlap"),  # overlapping: skipped
            Entity("ORG", "out of range", 10_000, 10_005, "x"),  # bad offsets: skipped
        ],
    )


def test_article_and_entity_text_is_escaped() -> None:
    page = render(_hostile())
    assert "<script" not in page.lower()
    assert "<img" not in page.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    parser = _Tags()
    parser.feed(page)
    assert set(parser.tags) <= {"html", "head", "meta", "title", "style", "body", "h1", "div", "mark", "span"}
    assert not [a for a in parser.attrs if a.startswith("on")]
    assert "href" not in parser.attrs and "src" not in parser.attrs


def test_page_is_standalone_and_forbids_scripts() -> None:
    page = render(_hostile())
    assert "script-src 'none'" in page and "default-src 'none'" in page
    assert not re.search(r"(?:src|href)\s*=|@import|url\(", page.replace("src=x", ""))
    assert "http://" not in page and "https://" not in page


def test_entities_are_marked_with_their_label() -> None:
    text = "Lynas Rare Earths met CREIA in Beijing."
    ext = Extraction(
        Document("d", text),
        [
            Entity("ORG", "Lynas Rare Earths", 0, 17, "Lynas Rare Earths"),
            Entity("GPE", "Beijing", 31, 38, "Beijing"),
        ],
    )
    page = render(ext)
    assert '<mark class="entity ent-ORG">Lynas Rare Earths<span class="label">ORG</span></mark>' in page
    assert '<mark class="entity ent-GPE">Beijing<span class="label">GPE</span></mark>' in page
    assert " met CREIA in " in page
