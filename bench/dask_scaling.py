"""``reetool extract --dask local:N`` against one process, on the same documents (issue 14).

    python3 bench/dask_scaling.py                          # 1,000 docs, N = 1..cores, 1 pair
    python3 bench/dask_scaling.py --docs 100 --workers 2   # a quick smoke run

Paired A/B: each pair runs the single-process command and then every ``--dask local:N``
(the order flips from one pair to the next, so drift in the machine's load hits both
sides), each in a fresh ``bench/measure.py`` process with a fresh store. Reported per
run: wall time, docs/s, speed-up over the single run *of the same pair*, whether stdout is
byte-identical to the single run's, peak RSS of the client (the ``reetool`` process) and
of the largest worker process, and CPU seconds per document of client and workers.

Why those CPU numbers: the client reads, cleans, stores and ships documents; workers run
spaCy. N workers can go at most N times as fast as one, and never faster than the client
can feed them: speed-up <= min(N, worker CPU per doc / client CPU per doc). The table
prints that bound next to each measurement.

Writes ``OUT/dask.md`` and ``OUT/dask.json``; ``OUT`` defaults to ``bench/out``.
"""

from __future__ import annotations

import argparse
import filecmp
import json
import os
import statistics
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import corpus  # noqa: E402
import run as bench  # noqa: E402


def one(folder: Path, out: Path, name: str, docs: int, *extra: str) -> dict:
    """One measured ``reetool extract`` into a fresh store; stdout kept for comparison."""
    with tempfile.TemporaryDirectory(prefix="reetool-dask-bench-") as tmp:
        cmd = [*bench.reetool(), "extract", str(folder), "--format", "jsonl", "--db", f"{tmp}/s.db", *extra]
        result = bench.measure(cmd, out / f"{name}.jsonl")
    result["docs_per_s"] = round(docs / result["wall_s"], 2) if result["rc"] == 0 else None
    result["client_cpu_ms_per_doc"] = round(1000 * result["root_cpu_s"] / docs, 1)
    result["worker_cpu_ms_per_doc"] = round(1000 * result["children_cpu_s"] / docs, 1)
    return result


def measure_pairs(folder: Path, out: Path, docs: int, workers: list[int], pairs: int) -> list[dict]:
    rounds = []
    for i in range(pairs):
        order = ["single", *(f"local:{n}" for n in workers)]
        if i % 2:
            order.reverse()
        runs = {}
        for name in order:
            bench.log(f"pair {i + 1}/{pairs}: {name} on {docs} docs")
            extra = () if name == "single" else ("--dask", name)
            runs[name] = one(folder, out, f"dask-{name.replace(':', '')}-{i}", docs, *extra)
        for name, r in runs.items():
            if name != "single":
                r["identical"] = filecmp.cmp(
                    out / f"dask-single-{i}.jsonl", out / f"dask-{name.replace(':', '')}-{i}.jsonl", False
                )
                ok = r["rc"] == 0 and runs["single"]["rc"] == 0
                r["speedup"] = round(runs["single"]["wall_s"] / r["wall_s"], 2) if ok else None
        rounds.append(runs)
    return rounds


def table(results: dict) -> str:
    docs, rounds = results["docs"], results["rounds"]
    lines = [
        f"{docs} documents (bench/corpus.py), {results['nproc']} CPUs; load average (1 min) before the runs: "
        f"{', '.join(str(r['load1_before']) for runs in rounds for r in runs.values())}.",
        "",
        "| run | docs/s | wall s | speed-up (same pair) | bound min(N, worker/client CPU) | identical "
        "| client peak MB | worker peak MB | client CPU ms/doc | worker CPU ms/doc |",
        "|---|---:|---:|---:|---:|---|---:|---:|---:|---:|",
    ]
    for i, runs in enumerate(rounds):
        for name, r in runs.items():
            bound = "-"
            if name != "single" and r["client_cpu_ms_per_doc"]:
                n = int(name.split(":")[1])
                bound = f"{min(n, r['worker_cpu_ms_per_doc'] / r['client_cpu_ms_per_doc']):.1f}"
            same = "-" if name == "single" else ("yes" if r.get("identical") else "NO")
            label = "one process" if name == "single" else f"--dask {name}"
            cells = [
                f"pair {i + 1}: {label}",
                r["docs_per_s"] or "-",
                f"{r['wall_s']:.1f}",
                r.get("speedup") or "-",
                bound,
                same,
                r["root_peak_mb"],
                "-" if name == "single" else r["child_peak_mb"],
                r["client_cpu_ms_per_doc"],
                r["worker_cpu_ms_per_doc"],
            ]
            lines.append("| " + " | ".join(str(c) for c in cells) + " |")
    for name, t in results["summary"].items():
        pairs = f"{t['pairs']} pair(s)"
        lines.append(f"\n{name}: median speed-up {t['median_speedup']}x over {pairs}{t['verdict']}")
    return "\n".join(lines)


def summary(rounds: list[dict], target: float) -> dict:
    out = {}
    for name in rounds[0]:
        if name == "single":
            continue
        ups = [runs[name]["speedup"] for runs in rounds if runs[name].get("speedup")]
        med = round(statistics.median(ups), 2) if ups else None
        verdict = ""
        if name == "local:2":
            verdict = f"; target >= {target}x: " + ("PASS" if med and med >= target else "FAIL")
        out[f"--dask {name}"] = {"median_speedup": med, "pairs": len(ups), "verdict": verdict}
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="reetool extract --dask local:N vs one process.")
    parser.add_argument("--docs", type=int, default=1000, help="documents in the corpus (default 1000)")
    parser.add_argument("--workers", default=None, help="N values, comma-separated (default 1..CPUs)")
    parser.add_argument("--pairs", type=int, default=1, help="paired repetitions (default 1)")
    parser.add_argument("--out", type=Path, default=HERE / "out", help="output folder (default bench/out)")
    parser.add_argument("--timeout", type=float, default=1800.0, help="kill any one run after S seconds")
    args = parser.parse_args(argv)
    bench.TIMEOUT_S = args.timeout
    cpus = os.cpu_count() or 1
    workers = [int(w) for w in args.workers.split(",")] if args.workers else list(range(1, cpus + 1))
    args.out.mkdir(parents=True, exist_ok=True)
    folder = args.out / f"corpus-{args.docs}"
    manifest = corpus.ensure(args.docs, folder)
    rounds = measure_pairs(folder, args.out, manifest["documents"], workers, args.pairs)
    results = {
        "docs": manifest["documents"],
        "nproc": cpus,
        "rounds": rounds,
        "summary": summary(rounds, 1.7),
    }
    (args.out / "dask.json").write_text(json.dumps(results, indent=2) + "\n")
    text = table(results)
    (args.out / "dask.md").write_text(text + "\n")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
