"""Rare earth element mentions: names, symbols in context, formulas and alloy names.

Element symbols are short, capitalised and collide with ordinary words ("EU", "La",
"Y", "Ho"), so a symbol only counts where its context makes it a symbol: inside a
formula-shaped token ("Nd2O3", "NdFeB"), in a symbol list ("Dy/Tb", "Nd-Pr", "Dy and
Tb"), in parentheses after its own name ("neodymium (Nd)") or before a chemistry word
("Nd oxide"). A lone capitalised symbol in prose is never an element.

All knowledge (names, symbols, classes, alloy names, stop words) comes from ``vocab/``;
this module only knows the shapes. :meth:`ElementMatcher.find` is plain regex over
text so that it can run without spaCy; :func:`make_elements_component` wraps it as a
spaCy component that fills ``doc.spans["elements"]``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

from reetool.vocab import Vocab

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

SPAN_KEY = "elements"
ELEMENTS_FILE = "elements.tsv"
FORMS_FILE = "element_forms.tsv"
SYMBOLS_FILE = "element_symbols.txt"
STOPWORDS_FILE = "element_stopwords.txt"
CONTEXT_FILE = "element_context_words.txt"

# One chemical symbol (capital + optional lowercase) followed by an optional count.
_SYMBOL_PART = re.compile(r"([A-Z][a-z]?)(\d+(?:\.\d+)?)?")
# A formula-shaped token: symbols and counts, nothing else; not glued to other word chars.
_TOKEN = r"[A-Z][a-z]?(?:\d+(?:\.\d+)?)?(?:[A-Z][a-z]?(?:\d+(?:\.\d+)?)?)*"
# Joiners of a symbol list written without spaces: "Dy/Tb", "Nd-Pr", "La&Ce", "Nd:YAG".
_JOINED_LIST = re.compile(rf"(?<![\w/&:-])({_TOKEN}(?:[/&:-]{_TOKEN})+)(?![\w/&:-]|-\w)")
_SPACED_SEP = r"\s*,\s*|,?\s+(?:and/or|and|or|&)\s+"
# "CeO2-based" is a formula, "Nd-doped" is a lone symbol (rejected later).
_LONE_TOKEN = re.compile(rf"(?<![\w/&:.-])({_TOKEN})(?![\w/&:]|-[A-Z0-9])")
# "Dy and Tb", "La, Ce and Nd", "Dy or Tb", "Nd & Pr": words between bare symbols.
_SPACED_LIST = re.compile(
    r"(?<![\w/&-])([A-Z][a-z]?(?:\s*,\s*[A-Z][a-z]?)*,?\s+(?:and|or|&|and/or)\s+[A-Z][a-z]?)(?![\w/&-]|\s+[A-Z][a-z])"
)


@dataclass(frozen=True, slots=True)
class Element:
    """One of the 17 rare earth elements; ``klass`` is ``"light"`` or ``"heavy"``."""

    name: str
    symbol: str
    atomic_number: int
    klass: str


@dataclass(frozen=True, slots=True)
class ElementMention:
    """A span of text naming one or more elements ("NdPr" names two)."""

    start: int
    end: int
    text: str
    elements: tuple[Element, ...]


class ElementMatcher:
    """Finds element mentions in text with precompiled regexes built from the vocab."""

    def __init__(
        self,
        elements: Iterable[tuple[Element, Iterable[str]]],
        forms: Iterable[tuple[str, tuple[str, ...], bool]] = (),
        symbols: Iterable[str] = (),
        stopwords: Iterable[str] = (),
        context_words: Iterable[str] = (),
    ) -> None:
        """``elements``: each element with its extra spellings; ``forms``: (form, symbols,
        case_sensitive); ``symbols``: all periodic-table symbols (REE ones are added)."""
        self.by_symbol: dict[str, Element] = {}
        by_name: dict[str, Element] = {}
        for element, variants in elements:
            self.by_symbol[element.symbol] = element
            by_name[element.name.lower()] = element
            for v in variants:
                if v.strip():
                    by_name[v.strip().lower()] = element
        self.by_name = by_name
        self.symbols = frozenset(symbols) | frozenset(self.by_symbol)
        self.stopwords = frozenset(stopwords)
        self.forms_i: dict[str, tuple[Element, ...]] = {}
        self.forms_s: dict[str, tuple[Element, ...]] = {}
        for form, syms, case_sensitive in forms:
            els = tuple(self.by_symbol[s] for s in syms if s in self.by_symbol)
            if not els:
                continue
            key = " ".join(form.split())
            if case_sensitive:
                self.forms_s[key] = els
            else:
                self.forms_i[key.lower()] = els
        self._names = _word_alternation(by_name, flags=re.IGNORECASE)
        self._forms_i = _word_alternation(self.forms_i, flags=re.IGNORECASE)
        self._forms_s = _word_alternation(self.forms_s, flags=0)
        # "neodymium (Nd)": the parenthesised symbol right after a name.
        self._paren = re.compile(r"\s*\(\s*([A-Z][a-z]?)\s*\)")
        words = {w.lower() for w in context_words}
        spaced = sorted((w for w in words if not w.startswith("-")), key=len, reverse=True)
        hyphened = sorted((w[1:] for w in words if w.startswith("-") and len(w) > 1), key=len, reverse=True)
        alts = [r"\s+(?:" + "|".join(map(re.escape, spaced)) + ")"] if spaced else []
        alts += [r"-(?:" + "|".join(map(re.escape, hyphened)) + ")"] if hyphened else []
        # "Nd oxide", "Gd-based": a lone two-letter symbol made one by the word after it
        self._context = (
            re.compile(r"(?<![\w/&:.-])([A-Z][a-z])(?:" + "|".join(alts) + r")\b", re.IGNORECASE)
            if alts
            else None
        )

    @classmethod
    def from_vocab(cls, vocab: Vocab) -> ElementMatcher:
        elements = []
        for row in vocab.rows(ELEMENTS_FILE):
            element = Element(
                row["name"].strip().lower(),
                row["symbol"].strip(),
                int(row["atomic_number"]),
                row.get("class", "").strip().lower(),
            )
            variants = [v for v in row.get("variants", "").split(",") if v.strip()]
            elements.append((element, variants))
        forms = [
            (
                row["form"],
                tuple(s.strip() for s in row.get("symbols", "").split(",") if s.strip()),
                row.get("case", "i").strip().lower() == "s",
            )
            for row in vocab.rows(FORMS_FILE)
        ]
        return cls(
            elements,
            forms,
            vocab.lines(SYMBOLS_FILE),
            vocab.lines(STOPWORDS_FILE),
            vocab.lines(CONTEXT_FILE),
        )

    # -- matching ---------------------------------------------------------------------

    def find(self, text: str) -> list[ElementMention]:
        """All mentions in ``text``, sorted by offset, never overlapping.

        Names and alloy names win over symbol matches that overlap them; a slash or
        hyphen list gives one mention per item, a single formula token one mention.
        """
        found: list[ElementMention] = []
        for m in self._names.finditer(text) if self._names else ():
            element = self.by_name[m.group(0).lower()]
            found.append(ElementMention(m.start(), m.end(), m.group(0), (element,)))
            p = self._paren.match(text, m.end())
            if p and p.group(1) == element.symbol:
                found.append(ElementMention(p.start(1), p.end(1), p.group(1), (element,)))
        for regex, table, fold in ((self._forms_i, self.forms_i, True), (self._forms_s, self.forms_s, False)):
            for m in regex.finditer(text) if regex else ():
                key = " ".join(m.group(0).split())
                els = table[key.lower() if fold else key]
                found.append(ElementMention(m.start(), m.end(), m.group(0), els))
        for m in _JOINED_LIST.finditer(text):
            found.extend(self._list_items(text, m.start(1), m.group(1), r"[/&:-]"))
        for m in _SPACED_LIST.finditer(text):
            found.extend(
                self._list_items(text, m.start(1), m.group(1), r"\s*,\s*|,?\s+(?:and/or|and|or|&)\s+")
            )
        for m in _LONE_TOKEN.finditer(text):
            els = self._formula(m.group(1))
            if els:
                found.append(ElementMention(m.start(1), m.end(1), m.group(1), els))
        if self._context:
            for m in self._context.finditer(text):
                by_symbol = self.by_symbol.get(m.group(1))
                if by_symbol:
                    found.append(ElementMention(m.start(1), m.end(1), m.group(1), (by_symbol,)))
        return _without_overlaps(found)

    def _formula(self, token: str) -> tuple[Element, ...]:
        """The rare earths of a formula-shaped token, or () if it is not a formula.

        A formula has only valid symbols, at least one rare earth, and either two
        symbols or a two-letter symbol with a count ("Nd" alone is prose, "Nd2O3",
        "NdPr" and "Eu3" in "Eu3+" are formulas).
        All-capital tokens without digits are acronyms ("NYC", "KY"), not formulas.
        """
        if token in self.stopwords:
            return ()
        parts = _SYMBOL_PART.findall(token)
        if not parts or any(sym not in self.symbols for sym, _ in parts):
            return ()
        has_count = any(count for _, count in parts)
        if len(parts) < 2 and not (has_count and len(parts[0][0]) == 2):
            return ()  # "Nd" alone is prose and "Y2" is year two; "Eu3" (Eu3+) is an ion
        if not has_count and token.isupper():
            return ()
        return tuple(dict.fromkeys(self.by_symbol[s] for s, _ in parts if s in self.by_symbol))

    def _list_items(self, text: str, offset: int, run: str, sep: str) -> list[ElementMention]:
        """Mentions for the items of a symbol list, each with its own offsets.

        A list counts only if every item is a symbol or a formula, at least one item
        names a rare earth, and it is not all one-letter capitals ("Y/N" is yes/no).
        """
        items: list[tuple[int, str]] = []
        pos = 0
        for piece in re.split(f"({sep})", run):
            if piece and not re.fullmatch(sep, piece):
                items.append((offset + pos, piece))
            pos += len(piece)
        if len(items) < 2:
            return []
        out: list[ElementMention] = []
        mixed_case = False
        for start, item in items:
            if item in self.stopwords:
                return []
            if item in self.forms_s:
                els = self.forms_s[item]
            elif item in self.symbols:
                els = (self.by_symbol[item],) if item in self.by_symbol else ()
            else:
                # the regex made the item formula-shaped; every symbol must be real
                if any(sym not in self.symbols for sym, _ in _SYMBOL_PART.findall(item)):
                    return []
                els = self._formula(item)
            mixed_case = mixed_case or not item.isupper()
            if els:
                out.append(ElementMention(start, start + len(item), item, els))
        if not mixed_case:
            return []
        if sep.startswith(r"\s") and len(out) != len(items):
            return []  # "Dy and Tb": every item must be a rare earth symbol
        return out


def _word_alternation(words: Iterable[str], flags: int) -> re.Pattern[str] | None:
    """A regex matching any of ``words`` as whole words, longest first.

    Hyphens are word boundaries here on purpose: "cerium-praseodymium-neodymium" is
    three names. Spaces inside a form match any run of whitespace.
    """
    keys = sorted(set(words), key=len, reverse=True)
    if not keys:
        return None
    alts = "|".join(r"\s+".join(map(re.escape, k.split())) for k in keys)
    return re.compile(rf"(?<![^\W_])(?:{alts})(?![^\W_])", flags)


def _without_overlaps(mentions: list[ElementMention]) -> list[ElementMention]:
    """Keep, among overlapping mentions, the one found first (names before symbols)."""
    kept: list[ElementMention] = []
    taken: list[tuple[int, int]] = []
    for m in mentions:
        if any(m.start < e and s < m.end for s, e in taken):
            continue
        kept.append(m)
        taken.append((m.start, m.end))
    return sorted(kept, key=lambda m: (m.start, m.end))


# -- spaCy component ------------------------------------------------------------------

FACTORY = "reetool_elements"


def register_factory() -> None:
    """Register the ``reetool_elements`` spaCy factory (idempotent).

    Called explicitly rather than at import so that the regex matcher can be used
    (store, reports, tests) without paying for importing spaCy.
    """
    from spacy.language import Language

    if not Language.has_factory(FACTORY):
        Language.factory(FACTORY, assigns=["doc.spans"])(make_elements_component)


def add_to_pipeline(
    nlp: Language, vocab: Vocab | None = None, **add_pipe_kwargs: object
) -> ElementsComponent:
    """Register the factory, add the component and initialize it with ``vocab`` (the
    built-in one if None): ``add_to_pipeline(nlp, before="ner")``."""
    register_factory()
    component = cast(ElementsComponent, nlp.add_pipe(FACTORY, **add_pipe_kwargs))  # type: ignore[arg-type]
    component.initialize(nlp=nlp, vocab=vocab)
    return component


def make_elements_component(nlp: Language, name: str) -> ElementsComponent:
    """Factory for ``nlp.add_pipe("reetool_elements")``; the vocab comes with ``initialize``."""
    from spacy.tokens import Span

    Span.set_extension("elements", default=None, force=True)
    return ElementsComponent()


class ElementsComponent:
    """Writes the element mentions of a Doc into ``doc.spans["elements"]``.

    Each span is labelled ``ELEMENT`` and its ``span._.elements`` holds the elements it
    names. Mentions that expand to the same token span (rare: "Dy/Tb" left as one
    token by a tokenizer) are merged into one span naming the union; the exact
    per-item offsets are always available from ``component.matcher.find(doc.text)``.
    """

    def __init__(self, matcher: ElementMatcher | None = None) -> None:
        self._matcher = matcher

    def initialize(
        self,
        get_examples: Callable[[], Iterable[object]] | None = None,
        *,
        nlp: object = None,
        vocab: Vocab | None = None,
    ) -> None:
        """Build the matcher from ``vocab`` (spaCy's ``initialize`` step): the pipeline's
        config then names no folders of this machine."""
        self._matcher = ElementMatcher.from_vocab(vocab or Vocab.load())

    @property
    def matcher(self) -> ElementMatcher:
        if self._matcher is None:
            raise RuntimeError("ElementsComponent is not initialized: call its initialize(vocab=...)")
        return self._matcher

    def __call__(self, doc: Doc) -> Doc:
        from spacy.tokens import Span

        from reetool.ner_tokens import doc_text

        merged: dict[tuple[int, int], list[Element]] = {}
        for m in self.matcher.find(doc_text(doc)):
            span = doc.char_span(m.start, m.end, alignment_mode="expand")
            if span is None:
                continue
            els = merged.setdefault((span.start, span.end), [])
            els.extend(e for e in m.elements if e not in els)
        doc.spans[SPAN_KEY] = [Span(doc, s, e, label="ELEMENT") for s, e in sorted(merged)]
        for span in doc.spans[SPAN_KEY]:
            span._.elements = tuple(merged[(span.start, span.end)])
        return doc
