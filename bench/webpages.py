"""Article text from saved web pages: reetool's cleaner against trafilatura alone, same pages.

Usage::

    python3 bench/webpages.py --data /work/data/trafilatura-eval      # tuning set
    python3 bench/webpages.py --data /work/data/scrapinghub           # kept aside
    python3 bench/webpages.py --data DIR --limit 100                  # quick look

``--data`` is one of two public sets, recognised by what it holds (see bench/README.md
for where to get them; neither is in this repository, their licences differ):

- trafilatura's evaluation set: ``evaldata.json`` (per page, segments the text must hold,
  "with", and must not hold, "without") and the pages under ``eval/`` and ``cache/``.
  Scored with trafilatura's own published metric: a "with" segment found is a true
  positive, one missed a false negative, a "without" segment found a false positive
  (whitespace-normalised substring match); P, R and F1 over all segments.
- the ScrapingHub article-extraction-benchmark: ``ground-truth.json`` (the full article
  text per page) and ``html/<id>.html.gz``. Scored with its published metric: 4-word
  shingles of ``\\w+`` tokens, per-page true/false positive and false negative counts
  normalised to sum to 1, precision and recall averaged over pages, F1 from the averages.

Both tools get the page's bytes, as a user's saved file: reetool reads them with its
reader and cleans them (decoding, article, layout, furniture, mojibake repair, the
fallback); trafilatura runs ``extract`` with the settings of its own evaluation
(comments excluded, tables included). Each page is timed for both tools back to back,
so a busy machine slows both alike; pages/s is pages over the summed time.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

_WORD = re.compile(r"\w+")
_SPACE = re.compile(r"\s+")


@dataclass
class Item:
    name: str
    data: bytes
    gold: dict[str, list[str]] | str  # segments (trafilatura set) or full text (ScrapingHub)


def trafilatura_set(root: Path) -> Iterator[Item]:
    """Pages of trafilatura's evaluation set, in the order of its ``evaldata.json``."""
    spec = root / "evaldata.json"
    if not spec.exists():
        spec = root / "tests" / "evaldata.json"
    base = spec.parent
    for entry in json.loads(spec.read_text(encoding="utf-8")).values():
        places = (base / "eval" / entry["file"], base / "cache" / entry["file"])
        path = next((p for p in places if p.exists()), None)
        if path is not None:
            yield Item(entry["file"], path.read_bytes(), {"with": entry["with"], "without": entry["without"]})


def scrapinghub_set(root: Path) -> Iterator[Item]:
    """Pages of the ScrapingHub benchmark with their ground-truth article body."""
    truth = json.loads((root / "ground-truth.json").read_text(encoding="utf-8"))
    for key, entry in truth.items():
        path = root / "html" / f"{key}.html.gz"
        if path.exists():
            yield Item(key, gzip.decompress(path.read_bytes()), entry.get("articleBody") or "")


def load(root: Path) -> tuple[str, list[Item]]:
    if (root / "ground-truth.json").exists():
        return "ScrapingHub article-extraction-benchmark (4-word shingles)", list(scrapinghub_set(root))
    if (root / "evaldata.json").exists() or (root / "tests" / "evaldata.json").exists():
        return "trafilatura evaluation set (segments)", list(trafilatura_set(root))
    raise SystemExit(f"{root}: neither evaldata.json (trafilatura) nor ground-truth.json (ScrapingHub)")


# ----------------------------------------------------------------------------- metrics


@dataclass
class Score:
    """Accumulates per-page counts; ``shingles`` pages are averaged, segments summed."""

    segments: Counter[str] = field(default_factory=Counter)
    precisions: list[float] = field(default_factory=list)
    recalls: list[float] = field(default_factory=list)
    seconds: float = 0.0
    pages: int = 0

    def add(self, gold: dict[str, list[str]] | str, text: str) -> None:
        self.pages += 1
        if isinstance(gold, str):
            self._add_shingles(gold, text)
            return
        found = _SPACE.sub(" ", text)
        hits = sum(_SPACE.sub(" ", s).strip() in found for s in gold["with"])
        noise = sum(_SPACE.sub(" ", s).strip() in found for s in gold["without"])
        self.segments.update(tp=hits, fn=len(gold["with"]) - hits, fp=noise)

    def _add_shingles(self, gold: str, text: str) -> None:
        want, got = _shingles(gold), _shingles(text)
        tp = sum((want & got).values())
        fp = sum((got - want).values())
        fn = sum((want - got).values())
        # per-page ratios, so that a long page weighs as much as a short one; a page with
        # nothing predicted has no precision (it costs recall), as in the published script
        if tp + fp:
            self.precisions.append(tp / (tp + fp))
        if tp + fn:
            self.recalls.append(tp / (tp + fn))

    def prf(self) -> tuple[float, float, float]:
        if self.precisions or self.recalls:
            p = statistics.fmean(self.precisions) if self.precisions else 0.0
            r = statistics.fmean(self.recalls) if self.recalls else 0.0
        else:
            tp, fp, fn = self.segments["tp"], self.segments["fp"], self.segments["fn"]
            p = tp / (tp + fp) if tp + fp else 0.0
            r = tp / (tp + fn) if tp + fn else 0.0
        return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def _shingles(text: str, n: int = 4) -> Counter[tuple[str, ...]]:
    words = _WORD.findall(text)
    if len(words) < n:
        return Counter([tuple(words)]) if words else Counter()
    return Counter(tuple(words[i : i + n]) for i in range(len(words) - n + 1))


# ----------------------------------------------------------------------------- tools


def reetool_tool(full: bool = False) -> Callable[[str, bytes], str]:
    from reetool.cleaner import clean, load_rules
    from reetool.document import Source
    from reetool.reader import parse_bytes
    from reetool.vocab import Vocab
    from reetool.webpage import PageOptions

    rules = load_rules(Vocab.load(), PageOptions(full=full))

    def run(name: str, data: bytes) -> str:
        return "\n\n".join(clean(s, rules).text for s in parse_bytes(name, data) if isinstance(s, Source))

    return run


def trafilatura_tool() -> Callable[[str, bytes], str]:
    from trafilatura import extract

    def run(name: str, data: bytes) -> str:
        return extract(data, include_comments=False, include_tables=True) or ""

    return run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, required=True, help="trafilatura eval or ScrapingHub folder")
    parser.add_argument("--limit", type=int, default=0, help="only the first N pages")
    parser.add_argument("--full", action="store_true", help="also score reetool --full (the whole page text)")
    args = parser.parse_args(argv)

    title, items = load(args.data)
    if args.limit:
        items = items[: args.limit]
    tools = {"reetool clean": reetool_tool(), "trafilatura alone": trafilatura_tool()}
    if args.full:
        tools["reetool clean --full"] = reetool_tool(full=True)
    scores = {name: Score() for name in tools}
    for tool in tools.values():  # imports and lazy tables are loaded once, outside the timing
        tool(items[0].name, items[0].data)
    for i, item in enumerate(items, 1):
        for name, tool in tools.items():
            start = time.perf_counter()
            text = tool(item.name, item.data)
            scores[name].seconds += time.perf_counter() - start
            scores[name].add(item.gold, text)
        if i % 50 == 0:
            print(f"{i}/{len(items)} pages", file=sys.stderr)

    print(f"{title}: {len(items)} pages\n")
    print("| tool | precision | recall | F1 | pages/s |")
    print("|---|---|---|---|---|")
    for name, score in scores.items():
        p, r, f = score.prf()
        rate = score.pages / score.seconds if score.seconds else 0.0
        print(f"| {name} | {p:.3f} | {r:.3f} | {f:.3f} | {rate:.1f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
