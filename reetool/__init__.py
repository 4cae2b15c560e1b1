"""reetool: text mining for rare earth industry news.

The stages are plain functions over the records in :mod:`reetool.document`, usable
without the CLI::

    from reetool import read_paths, clean_all
    for doc in clean_all(read_paths(["seeds/"])):
        print(doc.doc, len(doc.text))

Names are imported on first use (PEP 562) so that ``reetool --help`` does not pay
for ftfy or spaCy.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_EXPORTS = {
    "Source": "reetool.document",
    "Document": "reetool.document",
    "Entity": "reetool.document",
    "Extraction": "reetool.document",
    "Failure": "reetool.document",
    "Vocab": "reetool.vocab",
    "read_paths": "reetool.reader",
    "parse_bytes": "reetool.reader",
    "clean": "reetool.cleaner",
    "clean_all": "reetool.cleaner",
    "repair": "reetool.mojibake",
    "fix_text": "reetool.mojibake",
    "Extractor": "reetool.extractor",
    "load_extractor": "reetool.extractor",
    "run_extract": "reetool.pipeline",
    "ExtractOptions": "reetool.pipeline",
    "Settings": "reetool.settings",
    "Store": "reetool.store",
}

__all__ = ["__version__", *_EXPORTS]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'reetool' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)


def __dir__() -> list[str]:
    return sorted(__all__)
