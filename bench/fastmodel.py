"""A tokenizer-plus-rules spaCy pipeline, to exercise reetool at 10,000 documents in seconds.

Why: with the real statistical model, a 10,000-document single-process run takes far
longer than the benchmark's 10-minute budget on 2 cores. What the memory-growth check
and the ``entities`` timing need is the *rest* of reetool (reader, cleaner, store,
output, spaCy's vocab growing with new strings) at full corpus size, with a realistic
number of entities per document. This pipeline gives exactly that: spaCy's tokenizer and
an entity ruler (named ``ner`` so that code placing rules around ``ner`` still works)
matching the corpus generator's names. Its throughput is NOT reetool's throughput.

Usage: ``python3 bench/fastmodel.py OUT_DIR``.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import corpus


def build(out: Path) -> Path:
    import spacy

    nlp = spacy.blank("en")
    nlp.meta["name"] = "bench_fast"
    nlp.meta["version"] = str(corpus.VERSION)
    patterns = [{"label": "ORG", "pattern": c} for c in corpus.COMPANIES]
    patterns += [{"label": "ORG", "pattern": a.removeprefix("the ")} for a in corpus.AGENCIES]
    patterns += [{"label": "GPE", "pattern": p.removeprefix("the ")} for p in corpus.PLACES]
    patterns += [{"label": "PERSON", "pattern": f"{f} {s}"} for f in corpus.FIRST for s in corpus.LAST]
    months = [{"LOWER": {"IN": [m.lower() for m in corpus.MONTHS]}}]
    patterns += [
        {"label": "DATE", "pattern": [*months, {"IS_DIGIT": True}, {"TEXT": ","}, {"SHAPE": "dddd"}]},
        {"label": "DATE", "pattern": [{"IS_DIGIT": True}, *months, {"SHAPE": "dddd"}]},
        {"label": "DATE", "pattern": [*months, {"SHAPE": "dddd"}]},
    ]
    ruler = nlp.add_pipe("entity_ruler", name="ner", config={"phrase_matcher_attr": "ORTH"})
    ruler.add_patterns(patterns)
    nlp.to_disk(out)
    return out


if __name__ == "__main__":
    print(build(Path(sys.argv[1])))
