"""Run one command and report its wall time and peak memory, as one JSON line on stdout.

Why a separate, fresh process per measurement: ``getrusage(RUSAGE_CHILDREN).ru_maxrss`` is
the peak of the largest child ever waited for by *this* process, so it is only a per-run
number when the measuring process runs exactly one command. ``ru_maxrss`` is the largest
single process (for ``--workers`` that is the biggest of parent and workers, not their
sum), so the process tree is also sampled from /proc every 50 ms and its summed RSS peak
reported as ``tree_peak_mb``. The same samples split the run into the command's own
process and its descendants (worker processes): ``root_peak_mb`` / ``root_cpu_s`` and
``child_peak_mb`` (the largest single descendant) / ``children_cpu_s`` (their sum, as last
seen: up to 50 ms of each process's CPU may be missed), so ``--dask local:N`` reports
client and workers separately.

A command still running after ``--timeout`` seconds is killed with its whole process group
(workers included) and reported with ``timed_out: true``, so the benchmark never hangs.

Usage: ``python3 bench/measure.py [--timeout S] STDOUT_FILE -- CMD ARGS...`` (STDOUT_FILE may be
/dev/null).
"""

from __future__ import annotations

import json
import os
import resource
import signal
import subprocess
import sys
import threading
import time

PAGE = os.sysconf("SC_PAGE_SIZE")


TICK = os.sysconf("SC_CLK_TCK")


def _tree(root: int) -> dict[int, tuple[int, float]]:
    """``pid -> (resident bytes, CPU seconds)`` of ``root`` and all its descendants (Linux /proc)."""
    children: dict[int, list[int]] = {}
    info: dict[int, tuple[int, float]] = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as fh:
                stat = fh.read()
            with open(f"/proc/{name}/statm", "rb") as fh:
                resident = int(fh.read().split()[1]) * PAGE
        except (OSError, IndexError, ValueError):
            continue
        pid = int(name)
        fields = stat[stat.rindex(b")") + 2 :].split()
        children.setdefault(int(fields[1]), []).append(pid)
        info[pid] = (resident, (int(fields[11]) + int(fields[12])) / TICK)  # utime + stime
    tree, todo = {}, [root]
    while todo:
        pid = todo.pop()
        if pid in info:
            tree[pid] = info[pid]
        todo.extend(children.get(pid, ()))
    return tree


def measure(cmd: list[str], stdout_path: str, timeout: float | None = None) -> dict:
    peak = 0
    peaks: dict[int, int] = {}  # per process, over the run
    cpu: dict[int, float] = {}  # per process, as last seen
    timed_out = False
    done = threading.Event()
    with open(stdout_path, "wb") as out:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.PIPE, start_new_session=True)

        def sample() -> None:
            nonlocal peak
            while not done.wait(0.05):
                tree = _tree(proc.pid)
                peak = max(peak, sum(rss for rss, _ in tree.values()))
                for pid, (rss, seconds) in tree.items():
                    peaks[pid] = max(peaks.get(pid, 0), rss)
                    cpu[pid] = seconds

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        try:
            _, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
            os.killpg(proc.pid, signal.SIGKILL)
            _, err = proc.communicate()
        wall = time.perf_counter() - start
        done.set()
        sampler.join()
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {
        "cmd": cmd,
        "rc": proc.returncode,
        "timed_out": timed_out,
        "wall_s": round(wall, 4),
        "user_s": round(usage.ru_utime, 3),
        "sys_s": round(usage.ru_stime, 3),
        "maxrss_mb": round(usage.ru_maxrss / 1024, 1),  # Linux reports KiB
        "tree_peak_mb": round(peak / 2**20, 1),
        "root_peak_mb": round(peaks.get(proc.pid, 0) / 2**20, 1),
        "root_cpu_s": round(cpu.get(proc.pid, 0.0), 2),
        "child_peak_mb": round(max((v for k, v in peaks.items() if k != proc.pid), default=0) / 2**20, 1),
        "children_cpu_s": round(sum(v for k, v in cpu.items() if k != proc.pid), 2),
        "stderr_tail": err.decode("utf-8", "replace")[-600:],
    }


def main(argv: list[str]) -> int:
    timeout = None
    if argv[:1] == ["--timeout"] and len(argv) > 1:
        timeout, argv = float(argv[1]), argv[2:]
    if len(argv) < 3 or argv[1] != "--":
        sys.stderr.write("usage: measure.py [--timeout S] STDOUT_FILE -- CMD ARGS...\n")
        return 2
    print(json.dumps(measure(argv[2:], argv[0], timeout)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
