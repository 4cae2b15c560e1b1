"""A generated store with known publication dates, for the timeline, search and report tests.

Every count the tests expect follows from the table below, so each expected number can
be checked by reading it: which document, which date, which names it mentions how often.
Entities are placed at real offsets of the text, as the extractor would place them.
"""

from __future__ import annotations

from pathlib import Path

from reetool.document import Document, Entity, Extraction
from reetool.store import Store

#: doc, published, title, [(label, text as written, canonical, times, symbol)], extra text
DOCS: list[tuple[str, str | None, str, list[tuple[str, str, str, int, str | None]], str]] = [
    (
        "a.txt",
        "2025-01-05T08:00:00",
        "Lynas ships dysprosium",
        [
            ("ORG", "Lynas Rare Earths", "Lynas Rare Earths", 2, None),
            ("ELEMENT", "dysprosium", "dysprosium", 3, "Dy"),
        ],
        "The heavy rare earth plant in Malaysia ran at capacity.",
    ),
    (
        "b.txt",
        "2025-01-20",
        "Terbium prices climb",
        [("ELEMENT", "terbium", "terbium", 2, "Tb"), ("ELEMENT", "Dy", "dysprosium", 1, "Dy")],
        "Export controls tightened supply of magnet metals.",
    ),
    (
        "c.txt",
        "2025-03-02",
        "Lynas Rare Earths Ltd expands",
        [
            ("ORG", "Lynas Rare Earths Ltd", "Lynas Rare Earths Ltd", 1, None),
            ("ORG", "Lynas Rare Earths", "Lynas Rare Earths", 1, None),
            ("ELEMENT", "terbium", "terbium", 1, "Tb"),
            ("PERSON", "Amanda Lacaze", "Amanda Lacaze", 2, None),
        ],
        "The company said magnets made from its oxide go to Japan. Magnet makers agreed.",
    ),
    (
        "d.txt",
        "2025-07-15",
        "MP Materials and neodymium",
        [("ORG", "MP Materials", "MP Materials", 1, None), ("ELEMENT", "neodymium", "neodymium", 4, "Nd")],
        "Neodymium oxide output rose; no heavy rare earths were mentioned.",
    ),
    (
        "e.txt",
        None,
        "Undated note on dysprosium",
        [("ELEMENT", "dysprosium", "dysprosium", 2, "Dy"), ("ORG", "Lynas", "Lynas Rare Earths", 1, None)],
        "This wire copy carries no date.",
    ),
    (
        "f.txt",
        "n.d.",
        "Another undated <b>item</b>",
        [("ELEMENT", "terbium", "terbium", 1, "Tb")],
        "Tags like <script>alert(1)</script> & ampersands stay text about terbium magnets.",
    ),
    (
        "g.txt",
        "2026-02-01",
        "Dysprosium in 2026",
        [
            ("ELEMENT", "dysprosium", "dysprosium", 1, "Dy"),
            ("PERSON", "Amanda Lacaze", "Amanda Lacaze", 1, None),
        ],
        "A year later the heavy rare earth market was calmer.",
    ),
]


def extraction(doc: str, published: str | None, title: str, names: list, extra: str) -> Extraction:
    """One document whose text holds each name as often as listed, with entities at its offsets."""
    text, entities = "", []
    for label, written, canonical, times, symbol in names:
        for _ in range(times):
            text += "Here "
            entities.append(
                Entity(label, written, len(text), len(text) + len(written), canonical, None, False, symbol)
            )
            text += written + ". "
    text += extra
    return Extraction(Document(doc, text, title, published, None, {}, f"digest-{doc}"), entities)


def build(path: Path) -> Path:
    with Store.open(path) as store:
        store.save([extraction(*row) for row in DOCS], model="test")
    return path
