#!/usr/bin/env python3
# ruff: noqa
"""Copied from the project evaluation (/work/shared/eval/score.py) so tests can score gold sets.

Score entity extraction against a hand-written gold file.

Reads JSON lines (one entity mention per line, as `reetool extract --format jsonl`
writes them) from a file or stdin and compares, per document, the distinct
entities of each label with the gold file.

    reetool extract ../seeds --format jsonl | python3 ../shared/eval/score.py ../shared/eval/seeds-gold.json

A record needs `doc` (the document's path; its file name is matched against the
gold keys), `label`, and `canonical` or `text`. DATE records may carry `value`
(ISO 8601), checked against the gold `dates` map.

Matching is on a normalised form: case-folded, leading "the" and trailing
possessive dropped, dashes and quotes unified, white space collapsed. A
prediction that matches a gold entity or one of its aliases is a hit; several
predictions of one gold entity count once (the extras are reported as splits);
a prediction that matches an optional entity is neither hit nor false positive.

Prints a table, then a last line: `overall F1=0.xxx` (micro over labels).
Exit status 0 always, unless the input cannot be read (2).
"""

from __future__ import annotations

import json
import os
import re
import sys
import unicodedata
from collections import defaultdict

LABELS = ("PERSON", "ORG", "DATE", "ELEMENT")
_DASHES = dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2015\u2212"), "-")
_QUOTES = dict.fromkeys(map(ord, "\u2018\u2019\u201b\u2032"), "'")


def norm(s: str) -> str:
    s = unicodedata.normalize("NFKC", s).translate(_DASHES).translate(_QUOTES)
    s = re.sub(r"\s+", " ", s).strip().casefold()
    s = re.sub(r"^(the|a|an) ", "", s)
    s = re.sub(r"'s$", "", s)
    s = re.sub(r"\s*-\s*", "-", s)
    return s.strip(" .,;:\"'()")


def load_records(stream) -> dict:
    """doc file name -> label -> {normalised name: surface}; plus DATE values."""
    found = defaultdict(lambda: defaultdict(dict))
    values = defaultdict(dict)
    for n, line in enumerate(stream, 1):
        line = line.strip()
        if not line:
            continue
        try:
            rec = json.loads(line)
        except json.JSONDecodeError as exc:
            print(f"score: line {n} is not JSON: {exc}", file=sys.stderr)
            continue
        doc = os.path.basename(str(rec.get("doc", "")))
        label = rec.get("label")
        name = rec.get("canonical") or rec.get("text")
        if not doc or label not in LABELS or not name:
            continue
        found[doc][label][norm(name)] = name
        if label == "DATE" and rec.get("value") and rec.get("text"):
            values[doc][norm(rec["text"])] = str(rec["value"])
    return found, values


def score(gold: dict, found: dict, values: dict) -> dict:
    stats = {lab: dict(tp=0, fn=0, fp=0, split=0, missed=[], spurious=[]) for lab in LABELS}
    date_ok = date_all = 0
    for doc, g in gold.items():
        if doc.startswith("_"):
            continue
        aliases = {norm(a): norm(c) for a, c in g.get("aliases", {}).items()}
        for lab in LABELS:
            st = stats[lab]
            want = {norm(x) for x in g.get(lab, [])}
            optional = {norm(x) for x in g.get("optional", {}).get(lab, [])}
            hits = defaultdict(int)
            for key, surface in found.get(doc, {}).get(lab, {}).items():
                target = aliases.get(key, key)
                if target in want:
                    hits[target] += 1
                elif key in optional or target in optional:
                    continue
                else:
                    st["fp"] += 1
                    st["spurious"].append(f"{doc[:3]}:{surface}")
            st["tp"] += len(hits)
            st["split"] += sum(n - 1 for n in hits.values())
            missed = want - set(hits)
            st["fn"] += len(missed)
            st["missed"] += [f"{doc[:3]}:{m}" for m in sorted(missed)]
        for text, iso in g.get("dates", {}).items():
            date_all += 1
            date_ok += values.get(doc, {}).get(norm(text)) == iso
    return stats, date_ok, date_all


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def main(argv: list[str]) -> int:
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    with open(argv[1], encoding="utf-8") as fh:
        gold = json.load(fh)
    try:
        stream = open(argv[2], encoding="utf-8") if len(argv) > 2 else sys.stdin
    except OSError as exc:
        print(f"score: {exc}", file=sys.stderr)
        return 2
    found, values = load_records(stream)
    unknown = set(found) - set(gold)
    stats, date_ok, date_all = score(gold, found, values)
    print(f"{'label':8} {'P':>6} {'R':>6} {'F1':>6} {'tp':>4} {'fp':>4} {'fn':>4} {'split':>5}")
    tot = dict(tp=0, fp=0, fn=0)
    for lab, st in stats.items():
        p, r, f = prf(st["tp"], st["fp"], st["fn"])
        print(f"{lab:8} {p:6.3f} {r:6.3f} {f:6.3f} {st['tp']:4} {st['fp']:4} {st['fn']:4} {st['split']:5}")
        for k in ("tp", "fp", "fn"):
            tot[k] += st[k]
    verbose = os.environ.get("SCORE_VERBOSE")
    if verbose:
        for lab, st in stats.items():
            if st["missed"]:
                print(f"  missed {lab}: " + "; ".join(st["missed"]))
            if st["spurious"]:
                print(f"  spurious {lab}: " + "; ".join(st["spurious"]))
    if unknown:
        print(f"  (records for {len(unknown)} documents not in the gold file were ignored)")
    if date_all:
        print(f"DATE values: {date_ok}/{date_all} normalised as expected")
    p, r, f = prf(tot["tp"], tot["fp"], tot["fn"])
    print(f"overall P={p:.3f} R={r:.3f} F1={f:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
