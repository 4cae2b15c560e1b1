"""reetool: text mining for rare earth industry news.

The stages are plain functions over the records in :mod:`reetool.document`, usable
without the CLI::

    from reetool import read_paths, clean_all
    for doc in clean_all(read_paths(["seeds/"])):
        print(doc.doc, len(doc.text))
"""

from reetool.cleaner import clean, clean_all
from reetool.document import Document, Entity, Extraction, Failure, Source
from reetool.mojibake import fix_text, repair
from reetool.reader import read_paths
from reetool.vocab import Vocab

__version__ = "0.1.0"

__all__ = [
    "Document",
    "Entity",
    "Extraction",
    "Failure",
    "Source",
    "Vocab",
    "__version__",
    "clean",
    "clean_all",
    "fix_text",
    "read_paths",
    "repair",
]
