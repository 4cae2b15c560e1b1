"""Time ``timeline``, ``search`` and ``report`` on the 10,000-document benchmark store.

Targets (issue 13): ``search`` and ``timeline`` each answer in under 0.5 s, ``report``
in under 5 s, whole command as a user runs it (start-up included), median of 5 runs.
``reetool --help`` and ``reetool entities --type ELEMENT`` are timed alongside: on a
busy machine every number grows, and those two show by how much.

The store: ``--db PATH``, or ``$REETOOL_BENCH_DB``; without either it is built under
``bench/out/`` (``bench/corpus.py`` 10,000 documents, extracted with ``bench/fastmodel.py``
so it takes minutes, not hours). The first command upgrades a store made by an older
reetool once (full-text index back-filled); that run is not timed.

Usage: ``python3 bench/trends.py [--db PATH] [--runs 5] [--out bench/out/trends.json]``
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from run import PY, log, median_wall, reetool  # noqa: E402

SIZE = 10_000
#: (name, arguments after ``reetool``, target seconds or None for a reference)
COMMANDS: list[tuple[str, list[str], float | None]] = [
    ("help", ["--help"], None),
    ("entities ELEMENT", ["entities", "--type", "ELEMENT", "--format", "jsonl"], None),
    ("timeline", ["timeline", "--format", "jsonl"], 0.5),
    (
        "timeline ORG by quarter, docs",
        ["timeline", "--type", "ORG", "--by", "quarter", "--docs", "-f", "jsonl"],
        0.5,
    ),
    (
        "timeline two entities",
        ["timeline", "--entity", "Dy", "--entity", "Lynas Rare Earths", "-f", "jsonl"],
        0.5,
    ),
    ("search words", ["search", "dysprosium magnet", "--format", "jsonl"], 0.5),
    (
        "search phrase + entities + dates",
        [
            "search",
            '"heavy rare earth"',
            "--with",
            "ELEMENT=Tb",
            "--with",
            "ORG=Lynas Rare Earths",
            "--since",
            "2025",
            "--format",
            "jsonl",
        ],
        0.5,
    ),
    ("report", ["report", "--html", "{tmp}/report.html"], 5.0),
]


def build_store(out: Path) -> Path:
    """The benchmark store, built once under ``out`` and reused."""
    db = out / f"trends-{SIZE}.db"
    if db.exists():
        return db
    corpus, model = out / f"corpus-{SIZE}", out / "fast-model"
    if not corpus.exists():
        log(f"corpus {SIZE}")
        subprocess.run([PY, str(HERE / "corpus.py"), str(SIZE), str(corpus)], check=True, capture_output=True)
    if not model.exists():
        subprocess.run([PY, str(HERE / "fastmodel.py"), str(model)], check=True, capture_output=True)
    log(f"extracting {SIZE} documents with the fast model (minutes)")
    subprocess.run(
        [*reetool(), "extract", str(corpus), "--model", str(model), "--format", "jsonl", "--db", str(db)],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return db


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", default=os.environ.get("REETOOL_BENCH_DB"))
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--out", default=str(HERE / "out" / "trends.json"))
    args = ap.parse_args(argv)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    db = Path(args.db) if args.db else build_store(out.parent)
    subprocess.run([*reetool(), "search", "warm-up", "--db", str(db)], capture_output=True)  # upgrade once
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, cmd, target in COMMANDS:
            full = [*reetool(), *(c.format(tmp=tmp) for c in cmd)]
            if cmd != ["--help"]:
                full += ["--db", str(db)]
            log(name)
            r = median_wall(full, args.runs)
            r.update(name=name, target_s=target)
            r["verdict"] = (
                "" if target is None else ("PASS" if r["median_s"] < target and r["rc"] == 0 else "FAIL")
            )
            results.append(r)
    out.write_text(json.dumps({"db": str(db), "results": results}, indent=2))
    print("| command | median wall s | median CPU s | target | verdict | load1 |\n|---|---|---|---|---|---|")
    for r in results:
        target = f"< {r['target_s']} s" if r["target_s"] else "reference"
        print(
            f"| {r['name']} | {r['median_s']:.2f} | {r['median_cpu_s']:.2f} | {target} | {r['verdict']} "
            f"| {r['load1_before']:.1f} |"
        )
    return 0 if all(r["verdict"] != "FAIL" for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
