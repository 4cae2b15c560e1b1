"""Run one command and report its wall time and peak memory, as one JSON line on stdout.

Why a separate, fresh process per measurement: ``getrusage(RUSAGE_CHILDREN).ru_maxrss`` is
the peak of the largest child ever waited for by *this* process, so it is only a per-run
number when the measuring process runs exactly one command. ``ru_maxrss`` is the largest
single process (for ``--workers`` that is the biggest of parent and workers, not their
sum), so the process tree is also sampled from /proc every 50 ms and its summed RSS peak
reported as ``tree_peak_mb``.

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


def _tree_rss(root: int) -> int:
    """Summed resident bytes of ``root`` and all its descendants (Linux /proc)."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
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
        ppid = int(stat[stat.rindex(b")") + 2 :].split()[1])
        children.setdefault(ppid, []).append(pid)
        rss[pid] = resident
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += rss.get(pid, 0)
        todo.extend(children.get(pid, ()))
    return total


def measure(cmd: list[str], stdout_path: str, timeout: float | None = None) -> dict:
    peak = 0
    timed_out = False
    done = threading.Event()
    with open(stdout_path, "wb") as out:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.PIPE, start_new_session=True)

        def sample() -> None:
            nonlocal peak
            while not done.wait(0.05):
                peak = max(peak, _tree_rss(proc.pid))

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
