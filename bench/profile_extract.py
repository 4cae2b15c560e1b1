"""Where ``reetool extract`` spends its time: phase timings and a cProfile, in-process.

Runs the library the way the CLI does (reader -> cleaner -> extractor), without the
store, on one corpus folder. Phases are timed separately first (read, clean, extract
with spaCy already loaded), which gives the cleaner's share without profiler overhead;
then the whole chain is run again under cProfile and the top functions by cumulative
time are printed. Output: one JSON line (phases) then the profile text.

Usage: ``python3 bench/profile_extract.py DIR [--top 15] [--model NAME]``.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import pstats
import sys
import time


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("folder")
    parser.add_argument("--top", type=int, default=15)
    parser.add_argument("--model", default=None)
    args = parser.parse_args(argv)

    from reetool.cleaner import clean_all
    from reetool.document import Document
    from reetool.pipeline import build_extractor
    from reetool.reader import read_paths

    t0 = time.perf_counter()
    extractor = build_extractor(args.model)
    t1 = time.perf_counter()
    sources = list(read_paths([args.folder]))
    t2 = time.perf_counter()
    docs = [d for d in clean_all(sources) if isinstance(d, Document)]
    t3 = time.perf_counter()
    n_ents = sum(len(x.entities) for x in extractor.extract(docs) if hasattr(x, "entities"))
    t4 = time.perf_counter()
    work = (t2 - t1) + (t3 - t2) + (t4 - t3)
    phases = {
        "documents": len(docs),
        "entities": n_ents,
        "load_s": round(t1 - t0, 3),
        "read_s": round(t2 - t1, 3),
        "clean_s": round(t3 - t2, 3),
        "extract_s": round(t4 - t3, 3),
        "clean_share": round((t3 - t2) / work, 4) if work else None,
        "pipe_names": list(getattr(getattr(extractor, "nlp", None), "pipe_names", [])),
    }
    print(json.dumps(phases))

    prof = cProfile.Profile()
    prof.enable()
    for _ in extractor.extract(d for d in clean_all(read_paths([args.folder])) if isinstance(d, Document)):
        pass
    prof.disable()
    buf = io.StringIO()
    pstats.Stats(prof, stream=buf).sort_stats("cumulative").print_stats(args.top)
    print(buf.getvalue())
    return 0


if __name__ == "__main__":
    sys.exit(main())
