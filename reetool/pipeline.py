"""The whole chain as one library call: read -> clean -> (store lookup) -> extract -> store.

FIRST DRAFT: no store yet; to be completed (store, incremental runs, --workers).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from reetool.cleaner import clean_all
from reetool.document import Document, Extraction, Failure
from reetool.extractor import Extractor, load_pipeline
from reetool.reader import read_paths


def run_extract(paths: Iterable[str], *, model: str | None = None) -> Iterator[Extraction | Failure]:
    """Yield each document's extraction, or the failure that stopped it, in input order."""
    failures: list[Failure] = []

    def documents() -> Iterator[Document]:
        for item in clean_all(read_paths(paths)):
            if isinstance(item, Failure):
                failures.append(item)
            else:
                yield item

    extractor = Extractor(load_pipeline(model))
    for extraction in extractor.extract(documents()):
        while failures:
            yield failures.pop(0)
        yield extraction
    yield from failures
