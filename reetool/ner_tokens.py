"""A doc's tokens as plain Python values, and the span arithmetic the NER rules share.

The rules look at the same few tokens again and again. A spaCy ``Token`` is built anew
on every ``doc[i]``, and that made the rules cost more than half the time of the model
they repair. Here a doc is read once with ``doc.to_array`` into lists: one :class:`Lex`
per distinct word (spaCy's lexical flags plus the rules' own verdicts on the word, made
once per pipeline) and the per-token facts (trailing space, character offset). Entity
types are read from the doc itself, rarely and at the moment a rule asks.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from reetool.ner_knowledge import DASHES, Knowledge, word_key, wordset

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.lexeme import Lexeme
    from spacy.tokens import Doc, Span
    from spacy.vocab import Vocab as SpacyVocab

_SCORE = re.compile(r"[+\-/]|[+\-]?\d[\d.,:/\-]*")


class Lex:
    """What the rules ask of a word wherever it stands. spaCy's lexical attributes keep
    their names (``is_title``, ``lower_``, ...), so a rule reads a ``Lex`` as it would a
    ``Token``; ``key``, ``nameish``, ``org_word``, ``cap``, ``numeric`` are the rules'
    verdicts, asked for every token of every doc and so decided once per word."""

    __slots__ = (
        "cap",
        "is_alpha",
        "is_lower",
        "is_punct",
        "is_space",
        "is_stop",
        "is_title",
        "is_upper",
        "key",
        "like_num",
        "lower_",
        "nameish",
        "numeric",
        "org_word",
        "text",
    )

    def __init__(self, word: Lexeme, know: Knowledge) -> None:
        text = self.text = word.text
        self.lower_: str = word.lower_
        self.is_title: bool = word.is_title
        self.is_upper: bool = word.is_upper
        self.is_lower: bool = word.is_lower
        self.is_alpha: bool = word.is_alpha
        self.is_punct: bool = word.is_punct
        self.is_space: bool = word.is_space
        self.is_stop: bool = word.is_stop
        self.like_num: bool = word.like_num
        self.key = word_key(text)
        self.nameish = know.is_nameish(self)
        self.org_word = know.is_org_word(self)
        # a word that can stand in an organization's capitalised name: "Rare", "AG", "St."
        self.cap: bool = (
            (self.is_title or (self.is_upper and len(text) > 1) or (text[:1].isupper() and self.is_alpha))
            and not self.is_space
            and (self.is_alpha or text.endswith("."))
        )
        # "56", "+48", "4-38", "2/3"; not "3M"
        self.numeric = self.like_num or _SCORE.fullmatch(text) is not None


class Lexicon:
    """The :class:`Lex` of each word a pipeline has seen, by spaCy's ``orth`` id. One per
    rule component; it starts afresh if the component meets docs of another spaCy vocab."""

    def __init__(self, know: Knowledge) -> None:
        self.know = know
        self.words: dict[int, Lex] = {}
        self.vocab: SpacyVocab | None = None
        self._last: tuple[Doc, Tokens] | None = None

    def view(self, doc: Doc) -> Tokens:
        """The :class:`Tokens` of ``doc``. The rule components sharing this lexicon run
        one after the other on the same doc, so the view of the last doc is kept for the
        next component: it holds no entities (those are read from the doc when asked),
        only words and offsets, which no component changes."""
        last = self._last
        if last is not None and last[0] is doc and len(last[1]) == len(doc):
            return last[1]
        view = Tokens(doc, self)
        self._last = (doc, view)
        return view

    def lexes(self, doc: Doc, orths: list[int]) -> list[Lex]:
        if doc.vocab is not self.vocab:
            self.vocab, self.words = doc.vocab, {}
        words = self.words
        for orth in set(orths).difference(words):
            words[orth] = Lex(doc.vocab[orth], self.know)
        return list(map(words.__getitem__, orths))


#: ``doc.user_data`` key of the doc's text, when whoever made the doc kept it there.
TEXT_KEY = "reetool.text"


def make_doc(nlp: Language, text: str) -> Doc:
    """``nlp.make_doc(text)`` that keeps ``text`` for :func:`doc_text`. A doc's text
    never changes (retokenizing merges and splits tokens, not characters)."""
    doc = nlp.make_doc(text)
    doc.user_data[TEXT_KEY] = text
    return doc


def kept_text(doc: Doc) -> str | None:
    """The text :func:`make_doc` kept with the doc, if it was made that way."""
    kept = doc.user_data.get(TEXT_KEY)
    return None if kept is None else str(kept)


def doc_text(doc: Doc) -> str:
    """``doc.text`` without its cost: spaCy builds a ``Token`` object per token for it;
    here it is the text the doc was made from, else one ``to_array`` call and a join of
    the words (same string)."""
    from spacy.attrs import ORTH, SPACY

    kept = kept_text(doc)
    if kept is not None:
        return kept
    if not len(doc):
        return ""
    strings = doc.vocab.strings
    return "".join([strings[o] + " " if ws else strings[o] for o, ws in doc.to_array([ORTH, SPACY]).tolist()])


def token_ent_ids(doc: Doc) -> list[int]:
    """Each token's entity id (``ENT_ID``), as ints. ``span.ent_id_`` would find the
    span's syntactic root token by token; the entity setters give every token of an
    entity the same id, so an entity's id is its first token's."""
    return doc.to_array("ENT_ID").tolist() if len(doc) else []


class Tokens:
    """One doc's tokens: ``lex[i]`` (the word), ``space[i]`` (a space follows), ``idx[i]``
    (character offset), ``keys[i]`` (the word's key), read in one ``to_array`` call."""

    __slots__ = ("doc", "idx", "keys", "lex", "space", "text")

    def __init__(self, doc: Doc, lexicon: Lexicon) -> None:
        from spacy.attrs import IDX, ORTH, SPACY

        self.doc = doc
        if len(doc):
            columns = doc.to_array([ORTH, SPACY, IDX]).T  # a column each: no list per token
            self.lex = lexicon.lexes(doc, columns[0].tolist())
            self.space: list[bool] = (columns[1] == 1).tolist()
            self.idx: list[int] = columns[2].tolist()
        else:
            self.lex, self.space, self.idx = [], [], []
        self.keys: list[str] = [lex.key for lex in self.lex]  # what title look-ups compare
        kept = kept_text(doc)
        if kept is None:  # doc.text would build a Token per token; words and spaces give the same string
            words = zip(self.lex, self.space, strict=True)
            kept = "".join([lex.text + " " if ws else lex.text for lex, ws in words])
        self.text: str = kept

    def __len__(self) -> int:
        return len(self.lex)

    def span_text(self, start: int, end: int) -> str:
        """The text of tokens ``start:end`` as spaCy's ``Span.text`` gives it."""
        if end <= start:
            return ""
        return self.text[self.idx[start] : self.idx[end - 1] + len(self.lex[end - 1].text)]

    def ent_type(self, i: int) -> str:
        return self.doc[i].ent_type_

    def ent_iob(self, i: int) -> str:
        return self.doc[i].ent_iob_


# -- span arithmetic ---------------------------------------------------------------------

ARTICLES = ("the", "a", "an")
_TRAILERS = frozenset(("'s", "’s", "'", "’", "and", "of", "for", "&"))
_COMPOUND_TAILS = wordset("led run based owned backed born era type like wide made free rich")
_ITEM_EDGES = frozenset(",;:()[]/|*•·") | DASHES | {"--"}


def is_break(lex: Lex) -> bool:
    return lex.is_space and "\n" in lex.text


def trim(v: Tokens, start: int, end: int, articles: tuple[str, ...] = ARTICLES) -> tuple[int, int]:
    """Drop leading ``articles``/punctuation and trailing possessives/punctuation."""
    lex = v.lex
    while start < end and (
        lex[start].is_space
        or lex[start].lower_ in articles
        or (lex[start].is_punct and lex[start].text != "(")
    ):
        start += 1
    while end > start and (
        lex[end - 1].is_space
        or lex[end - 1].lower_ in _TRAILERS
        or (lex[end - 1].is_punct and lex[end - 1].text not in (".", ")"))
    ):
        end -= 1
    # an unbalanced "(" or ")" at an edge is furniture: "(opens in a new tab"
    if end > start and lex[end - 1].text == ")":
        text = v.span_text(start, end)
        if text.count("(") < text.count(")"):
            end -= 1
    if end > start and lex[end - 1].text == "." and end - start > 1 and len(lex[end - 2].text) > 3:
        end -= 1  # sentence full stop glued to a name, but keep "Co." / "Inc."
    return start, end


def glued_hyphen(v: Tokens, i: int) -> bool:
    """Token ``i`` is a hyphen written inside a word, with no space on either side."""
    if not 0 < i < len(v.lex) - 1 or v.lex[i].text != "-":
        return False
    return not v.space[i - 1] and not v.space[i]


def name_part(lex: Lex) -> bool:
    return lex.is_alpha and (lex.is_title or lex.is_upper)


def hyphen_tail(v: Tokens, end: int, part: Callable[[Lex], bool] = name_part) -> int:
    """Extend a name's end over glued hyphens: "Boutros-Ghali", "Campbell-Bannerman",
    "Ata-ur-Rehman", and a short lowercase syllable of a romanised given name ("Kim
    Tae-hoon", "Moon Jae-in"); not over a compound's tail ("Zürich-based")."""
    while glued_hyphen(v, end):
        nxt = v.lex[end + 1]
        syllable = (
            len(v.lex[end - 1].text) <= 4
            and 2 <= len(nxt.text) <= 5
            and nxt.is_lower
            and nxt.is_alpha
            and nxt.lower_ not in _COMPOUND_TAILS
        )
        if not (syllable or part(nxt)):
            break
        end += 2
    return end


def hyphen_head(v: Tokens, start: int) -> int:
    """Extend a name's start back over glued hyphens: "Bre-X Minerals", "Jean-Claude"."""
    while start >= 2 and glued_hyphen(v, start - 1) and name_part(v.lex[start - 2]):
        start -= 2
    return start


def without_numbers(v: Tokens, s: int, e: int) -> tuple[int, int]:
    """Drop numbers and score marks the model took in at a name's edges: "Somerset 4",
    "Anthony Barker +48", "Boston Red Sox 7-0". A name neither starts nor ends with a
    separate number; one written without a space is part of the word ("3M")."""
    lex = v.lex
    j = e
    while j > s + 1 and lex[j - 1].numeric:
        j -= 1
    if j < e and v.space[j - 1]:
        e = j
    k = s
    while k < e - 1 and lex[k].numeric:
        k += 1
    if k > s and v.space[k - 1]:
        s = k
    return s, e


def listed_with_org(v: Tokens, s: int, e: int) -> bool:
    """ "BMW and Schaeffler": a word listed with an organization is one too."""
    lex = v.lex
    if s >= 2 and lex[s - 1].lower_ in ("and", "&", ",") and v.ent_type(s - 2) == "ORG":
        return True
    return (
        e + 1 < len(lex)
        and lex[e].lower_ in ("and", "&")
        and v.ent_type(e + 1) == "ORG"
        and v.ent_iob(e + 1) == "B"
    )


def spaced_dash(v: Tokens, i: int) -> bool:
    """A dash with space on both sides: "RUGBY LEAGUE - WIGAN", "Lithuania - Danius ..."."""
    text = v.lex[i].text
    return (text in DASHES or text == "--") and v.space[i - 1] and v.space[i]


def pieces(v: Tokens, start: int, end: int, label: str = "") -> list[tuple[int, int]]:
    """Split a span at line breaks and layout gaps (an entity never runs across lines or
    columns) and a name at a spaced dash (a headline's or a list's separator)."""
    out, s = [], start
    named = label in ("PERSON", "ORG")
    lex = v.lex
    for i in range(start, end):
        gap = lex[i].is_space or "\n" in lex[i].text
        if gap or (named and i > start and spaced_dash(v, i)):
            if i > s:
                out.append((s, i))
            s = i + 1
    if end > s:
        out.append((s, end))
    return out


def _item_edge(lex: Lex) -> bool:
    return is_break(lex) or lex.text in _ITEM_EDGES or lex.like_num or lex.text == "."


def list_item(v: Tokens, s: int, e: int) -> bool:
    """True if tokens ``s:e`` fill a whole item of a list or table row: bounded on both
    sides by the line's edge, list punctuation or a number ("Squad: Javier Pertile, Paolo
    Vaccari, ...", "3. Donovan Bailey ( Canada ) 10.13"). A heading's words run on into
    more words instead ("Institutional Expansion and Industrial Alignment")."""
    return (s == 0 or _item_edge(v.lex[s - 1])) and (e >= len(v.lex) or _item_edge(v.lex[e]))


# -- setting the entities ----------------------------------------------------------------


def cuts_into(span: Span, others: Iterable[Span]) -> bool:
    """True if ``span`` overlaps one of ``others`` without containing it whole."""
    return any(
        o.start < span.end and span.start < o.end and not (span.start <= o.start and o.end <= span.end)
        for o in others
    )


def set_ents(doc: Doc, spans: Iterable[Span], blocked: Iterable[Span] = ()) -> None:
    """Replace ``doc.ents``; on overlap, spans given first win, and none overlaps a span
    of ``blocked``. The one overlap rule of these components (spaCy's ``filter_spans``
    prefers the longest span; here evidence order decides)."""
    taken: set[int] = {i for b in blocked for i in range(b.start, b.end)}
    kept = []
    for span in spans:
        toks = set(range(span.start, span.end))
        if not toks or toks & taken:
            continue
        taken |= toks
        kept.append(span)
    ids = token_ent_ids(doc)
    # ``doc.ents = spans`` would copy each span before setting it; they are this doc's already
    doc.set_ents(sorted(kept, key=lambda s: s.start))
    for span in kept:  # token-level ids outlive their span: a new span must not inherit one
        ident = span.id_
        if not ident and not any(ids[span.start : span.end]):
            continue  # no id to set and none to clear: skip making its tokens
        for tok in span:
            tok.ent_id_ = ident


# -- the rule components' common part ------------------------------------------------------


class RuleComponent:
    """A spaCy component of the NER rules. Its knowledge comes through spaCy's
    ``initialize`` (``component.initialize(knowledge=...)``), not through the pipeline
    config, so the config holds no machine paths and both rule components share one
    :class:`Knowledge`. Tests pass the knowledge to the constructor instead."""

    def __init__(self, know: Knowledge | None = None) -> None:
        self._know = know
        self.lexicon = Lexicon(know) if know is not None else None

    def initialize(
        self,
        get_examples: Callable[[], Iterable[object]] | None = None,
        *,
        nlp: object = None,
        knowledge: Knowledge | None = None,
        lexicon: Lexicon | None = None,
    ) -> None:
        """Take the rules' knowledge; the built-in vocab's if none is given (as when
        ``nlp.initialize()`` runs without settings for this component). Components given
        the same ``lexicon`` (made from the same knowledge) judge each word once."""
        if knowledge is None:
            from reetool.vocab import Vocab

            knowledge = Knowledge.from_vocab(Vocab.load())
        if lexicon is None or lexicon.know is not knowledge:
            lexicon = Lexicon(knowledge)
        self._know, self.lexicon = knowledge, lexicon

    @property
    def know(self) -> Knowledge:
        if self._know is None:
            raise self._uninitialized()
        return self._know

    def tokens(self, doc: Doc) -> Tokens:
        if self.lexicon is None:
            raise self._uninitialized()
        return self.lexicon.view(doc)

    def _uninitialized(self) -> RuntimeError:
        return RuntimeError(f"{type(self).__name__} is not initialized: call its initialize(knowledge=...)")
