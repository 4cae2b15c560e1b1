"""spaCy components that fix what a stock English NER model gets wrong on industry news.

A small statistical model trained on general news glues titles to names ("Academician
Shen"), tags companies as people ("Baogang"), headings as organizations ("Highlights"),
cuts long official names short ("Ningbo Institute of Materials Technology") and runs
entities across line breaks. These components repair its guesses with general rules and
the knowledge in ``vocab/`` (titles, organization head words, known organizations, words
that are never entities); they never list names from particular articles.

Order in the pipeline (see :func:`add_rule_components`)::

    ner -> reetool_fix_ents -> reetool_orgs (entity ruler: known names overwrite)
        -> reetool_patterns (longer names that contain a known one win)
        -> reetool_elements -> reetool_element_override
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any, overload

from reetool import dates
from reetool.names import OrgDirectory, is_acronym
from reetool.vocab import Vocab

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc, Span, Token

FIX_FACTORY = "reetool_fix_ents"
PATTERN_FACTORY = "reetool_patterns"
ELEMENT_OVERRIDE = "reetool_element_override"
ORG_RULER = "reetool_orgs"
NAME_LABELS = frozenset(
    {"PERSON", "ORG", "GPE", "NORP", "FAC", "LOC", "PRODUCT", "WORK_OF_ART", "EVENT", "LAW"}
)
_DASHES = frozenset("-–—―‒")
# "Lacaze", "O'Leary", "McDonald", "Jean-Luc": a capital, then letters with inner apostrophes or hyphens.
_NAME_TOKEN = re.compile(r"^[A-Z][a-z]*(?:[’'-]?[A-Z][a-z]+)*$")


def _wordset(words: str) -> frozenset[str]:
    return frozenset(words.split())


_FUNCTION_WORDS = _wordset(
    "a an the and or of for on in to at by with from as vs via into over under not no is are was were be"
)
MONTHS = frozenset(dates.MONTHS)  # names and abbreviations, lowercase
WEEKDAYS = _wordset("monday tuesday wednesday thursday friday saturday sunday")
# A capitalised name ending in one of these is a law, not a body: "Critical Raw Materials Act".
_LAW_HEADS = _wordset("act acts bill treaty directive")
_REPORTING_VERBS = _wordset("said says told added noted announced reported warned wrote expects expected")


@lru_cache(maxsize=1 << 16)
def _key(text: str) -> str:
    """Comparison key of a token or phrase. Cached: it is asked for every token by
    several rules, and token texts repeat (a pure function, so the cache is invisible)."""
    return " ".join(text.replace("’", "'").split()).casefold()


@dataclass(frozen=True)
class Knowledge:
    """The vocab the rules need, loaded once per pipeline."""

    titles: frozenset[tuple[str, ...]]
    title_starts: frozenset[str]  # first words of titles: most tokens are rejected by one lookup
    title_ends: frozenset[str]
    title_words: frozenset[str]
    max_title: int
    org_words: frozenset[str]
    company_words: frozenset[str]
    not_entities: frozenset[str]
    not_suffixes: tuple[str, ...]
    not_before: frozenset[str]

    @classmethod
    def from_vocab(cls, vocab: Vocab) -> Knowledge:
        titles = {tuple(_key(t).split()) for t in vocab.lines("titles.txt")}
        not_entities, suffixes, before = set(), [], set()
        for line in vocab.lines("not_entities.txt"):
            if line.startswith("..."):
                suffixes.append(_key(line[3:]))
            elif line.startswith(">"):
                before.add(_key(line[1:]))
            else:
                not_entities.add(_key(line))
        return cls(
            titles=frozenset(titles),
            title_starts=frozenset(t[0] for t in titles if t),
            title_ends=frozenset(t[-1] for t in titles if t),
            title_words=frozenset(w for t in titles if len(t) == 1 for w in t),
            max_title=max((len(t) for t in titles), default=1),
            org_words=frozenset(_key(w) for w in vocab.lines("org_words.txt")),
            company_words=frozenset(_key(w) for w in vocab.lines("company_words.txt")),
            not_entities=frozenset(not_entities),
            not_suffixes=tuple(suffixes),
            not_before=frozenset(before),
        )

    def title_at(self, keys: list[str], i: int, end: int | None = None) -> int:
        """Length of the longest title starting at token ``i`` (0 if none); ``keys`` are
        the key (:func:`_key`) of each of the doc's tokens, computed once per doc."""
        end = len(keys) if end is None else end
        if i >= end or keys[i] not in self.title_starts:
            return 0
        for n in range(min(self.max_title, end - i), 0, -1):
            if tuple(keys[i : i + n]) in self.titles:
                return n
        return 0

    def title_ending_at(self, keys: list[str], end: int, start: int) -> int:
        """Length of the longest title ending just before token ``end`` (0 if none)."""
        if end <= start or keys[end - 1] not in self.title_ends:
            return 0
        for n in range(min(self.max_title, end - start), 0, -1):
            if tuple(keys[end - n : end]) in self.titles:
                return n
        return 0

    def is_org_word(self, token: Token) -> bool:
        return _key(token.text) in self.org_words and (token.is_title or token.is_upper)

    def is_nameish(self, token: Token) -> bool:
        """A token that can be part of a person's name: capitalised, not a title/org word."""
        k = _key(token.text)
        return (
            _NAME_TOKEN.match(token.text) is not None
            and len(token.text) > 1
            and not token.is_stop
            and k not in self.title_words
            and k not in self.org_words
            and k not in self.company_words
            and k not in MONTHS
            and k not in WEEKDAYS
            and k not in self.not_entities
        )

    def is_junk(self, text: str, *, headed: bool = False) -> bool:
        """A heading word, web furniture, or a phrase that is not a name. ``headed``: the
        phrase is an organization word with an "of" tail ("Office of ... Supply Chains"),
        so a phrase-like ending is the body's remit, not the whole phrase."""
        k = _key(re.sub(r"^(?:the|a|an)\s+", "", text, flags=re.I))
        if k in self.not_entities:
            return True
        return not headed and any(k == s or k.endswith(" " + s) for s in self.not_suffixes)

    def title_around(self, keys: list[str], s: int, e: int) -> bool:
        """True if tokens ``s:e`` lie inside a title: "Energy" in "Energy Secretary",
        "Defense" in "Secretary of Defense" name a portfolio, not a body."""
        for a in range(max(0, s - self.max_title + 1), s + 1):
            if a + self.title_at(keys, a) >= e and self.title_at(keys, a):
                return True
        return False


# -- span helpers ------------------------------------------------------------------------


class _Tokens:
    """A doc's tokens, made once. Indexing a spaCy ``Doc`` builds a new ``Token`` each
    time, and the fix-up rules look at the same few tokens again and again; this view
    answers ``view[i]``, ``view[a:b]`` (iterable, with ``.text``) and ``len(view)`` like
    the doc does, from one list."""

    __slots__ = ("text", "toks")

    def __init__(self, doc: Doc) -> None:
        self.toks: list[Token] = list(doc)
        self.text: str = doc.text

    def __len__(self) -> int:
        return len(self.toks)

    def __iter__(self) -> Iterator[Token]:
        return iter(self.toks)

    @overload
    def __getitem__(self, i: int) -> Token: ...
    @overload
    def __getitem__(self, i: slice) -> _TokenSlice: ...
    def __getitem__(self, i: int | slice) -> Token | _TokenSlice:
        if isinstance(i, slice):
            start, end, _ = i.indices(len(self.toks))
            return _TokenSlice(self, start, end)
        return self.toks[i]


class _TokenSlice:
    __slots__ = ("end", "start", "tokens")

    def __init__(self, tokens: _Tokens, start: int, end: int) -> None:
        self.tokens, self.start, self.end = tokens, start, end

    def __iter__(self) -> Iterator[Token]:
        return iter(self.tokens.toks[self.start : self.end])

    @property
    def text(self) -> str:
        """The span's text as spaCy gives it: without the last token's trailing space."""
        if self.end <= self.start:
            return ""
        last = self.tokens.toks[self.end - 1]
        return self.tokens.text[self.tokens.toks[self.start].idx : last.idx + len(last.text)]


def _is_break(token: Token) -> bool:
    return token.is_space and "\n" in token.text


_ARTICLES = ("the", "a", "an")


def _trim(doc: Doc | _Tokens, start: int, end: int, articles: tuple[str, ...] = _ARTICLES) -> tuple[int, int]:
    """Drop leading ``articles``/punctuation and trailing possessives/punctuation."""
    while start < end and (
        doc[start].is_space
        or doc[start].lower_ in articles
        or (doc[start].is_punct and doc[start].text != "(")
    ):
        start += 1
    while end > start and (
        doc[end - 1].is_space
        or doc[end - 1].lower_ in ("'s", "’s", "'", "’", "and", "of", "for", "&")
        or (doc[end - 1].is_punct and doc[end - 1].text not in (".", ")"))
    ):
        end -= 1
    # an unbalanced "(" or ")" at an edge is furniture: "(opens in a new tab"
    text = doc[start:end].text
    if end > start and doc[end - 1].text == ")" and text.count("(") < text.count(")"):
        end -= 1
    if end > start and doc[end - 1].text == "." and end - start > 1 and len(doc[end - 2].text) > 3:
        end -= 1  # sentence full stop glued to a name, but keep "Co." / "Inc."
    return start, end


# English abstract-noun endings: a capitalised one-word "person" with one is a heading word.
_ABSTRACT_NOUN = re.compile(r"(?:acy|ity|ness|ment|tion|sion|ism|ship)$", re.I)
_SCORE = re.compile(r"[+\-/]|[+\-]?\d[\d.,:/\-]*")
_CONNECTORS = _wordset("and & of for")  # inside a name: "Monopolies and Mergers Commission"
_COMPOUND_TAILS = _wordset("led run based owned backed born era type like wide made free rich")


def _glued_hyphen(doc: Doc | _Tokens | list[Token], i: int) -> bool:
    """Token ``i`` is a hyphen written inside a word, with no space on either side."""
    if not 0 < i < len(doc) - 1 or doc[i].text != "-":
        return False
    return not doc[i - 1].whitespace_ and not doc[i].whitespace_


def _name_part(tok: Token) -> bool:
    return tok.is_alpha and (tok.is_title or tok.is_upper)


def _hyphen_tail(
    doc: Doc | _Tokens | list[Token], end: int, part: Callable[[Token], bool] | None = None
) -> int:
    """Extend a name's end over glued hyphens: "Boutros-Ghali", "Campbell-Bannerman",
    "Ata-ur-Rehman", and a short lowercase syllable of a romanised given name ("Kim
    Tae-hoon", "Moon Jae-in"); not over a compound's tail ("Zürich-based")."""
    while _glued_hyphen(doc, end):
        nxt = doc[end + 1]
        syllable = (
            len(doc[end - 1].text) <= 4
            and 2 <= len(nxt.text) <= 5
            and nxt.is_lower
            and nxt.is_alpha
            and nxt.lower_ not in _COMPOUND_TAILS
        )
        if not (syllable or (part or _name_part)(nxt)):
            break
        end += 2
    return end


def _hyphen_head(doc: Doc | _Tokens | list[Token], start: int) -> int:
    """Extend a name's start back over glued hyphens: "Bre-X Minerals", "Jean-Claude"."""
    while start >= 2 and _glued_hyphen(doc, start - 1) and _name_part(doc[start - 2]):
        start -= 2
    return start


def _without_numbers(doc: Doc | _Tokens, s: int, e: int) -> tuple[int, int]:
    """Drop numbers and score marks the model took in at a name's edges: "Somerset 4",
    "Anthony Barker +48", "Boston Red Sox 7-0". A name neither starts nor ends with a
    separate number; one written without a space is part of the word ("3M")."""

    def numeric(tok: Token) -> bool:  # "56", "+48", "4-38", "2/3"; not "3M"
        return tok.like_num or _SCORE.fullmatch(tok.text) is not None

    j = e
    while j > s + 1 and numeric(doc[j - 1]):
        j -= 1
    if j < e and doc[j - 1].whitespace_:
        e = j
    k = s
    while k < e - 1 and numeric(doc[k]):
        k += 1
    if k > s and doc[k - 1].whitespace_:
        s = k
    return s, e


def _listed_with_org(doc: _Tokens, s: int, e: int) -> bool:
    """ "BMW and Schaeffler": a word listed with an organization is one too."""
    if s >= 2 and doc[s - 1].lower_ in ("and", "&", ",") and doc[s - 2].ent_type_ == "ORG":
        return True
    return (
        e + 1 < len(doc)
        and doc[e].lower_ in ("and", "&")
        and doc[e + 1].ent_type_ == "ORG"
        and doc[e + 1].ent_iob_ == "B"
    )


def _spaced_dash(tok: Token, before: Token) -> bool:
    """A dash with space on both sides: "RUGBY LEAGUE - WIGAN", "Lithuania - Danius ..."."""
    return (tok.text in _DASHES or tok.text == "--") and bool(before.whitespace_) and bool(tok.whitespace_)


def _pieces(doc: _Tokens, start: int, end: int, label: str = "") -> list[tuple[int, int]]:
    """Split a span at line breaks and layout gaps (an entity never runs across lines or
    columns) and a name at a spaced dash (a headline's or a list's separator)."""
    out, s = [], start
    named = label in ("PERSON", "ORG")
    for i in range(start, end):
        gap = doc[i].is_space or "\n" in doc[i].text
        if gap or (named and i > start and _spaced_dash(doc[i], doc[i - 1])):
            if i > s:
                out.append((s, i))
            s = i + 1
    if end > s:
        out.append((s, end))
    return out


def _cuts_into(span: Span, others: Iterable[Span]) -> bool:
    """True if ``span`` overlaps one of ``others`` without containing it whole."""
    return any(
        o.start < span.end and span.start < o.end and not (span.start <= o.start and o.end <= span.end)
        for o in others
    )


def _set_ents(doc: Doc, spans: Iterable[Span], blocked: Iterable[Span] = ()) -> None:
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
    ids = doc.to_array("ENT_ID")
    doc.ents = sorted(kept, key=lambda s: s.start)
    for span in kept:  # token-level ids outlive their span: a new span must not inherit one
        ident = span.id_
        if not ident and not ids[span.start : span.end].any():
            continue  # no id to set and none to clear: skip making its tokens
        for tok in span:
            tok.ent_id_ = ident


_ITEM_EDGES = frozenset(",;:()[]/|*•·") | _DASHES | {"--"}


def _item_edge(tok: Token) -> bool:
    return _is_break(tok) or tok.text in _ITEM_EDGES or tok.like_num or tok.text == "."


def _list_item(doc: _Tokens, s: int, e: int) -> bool:
    """True if tokens ``s:e`` fill a whole item of a list or table row: bounded on both
    sides by the line's edge, list punctuation or a number ("Squad: Javier Pertile, Paolo
    Vaccari, ...", "3. Donovan Bailey ( Canada ) 10.13"). A heading's words run on into
    more words instead ("Institutional Expansion and Industrial Alignment")."""
    return (s == 0 or _item_edge(doc[s - 1])) and (e >= len(doc) or _item_edge(doc[e]))


class _HeadingLines:
    """Which lines of one doc are Title Case: headings, captions, taglines.

    The model reads capitalised heading words as names ("Institutional Expansion",
    "Accuracy"); a name there without an organization word is too weak to keep. Each
    line is judged once, however many entities sit on it.
    """

    _WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")

    def __init__(self, text: str) -> None:
        self.text = text
        self.judged: dict[int, bool] = {}

    def at(self, idx: int) -> bool:
        """True if character ``idx`` sits on a Title Case line."""
        start = self.text.rfind("\n", 0, idx) + 1
        if start not in self.judged:
            end = self.text.find("\n", idx)
            line = self.text[start : end if end >= 0 else len(self.text)]
            words = [w for w in self._WORD.findall(line) if w.lower() not in _FUNCTION_WORDS]
            self.judged[start] = len(words) >= 3 and sum(w[0].isupper() for w in words) >= 0.9 * len(words)
        return self.judged[start]


# A wire dateline: an upper-case place, maybe ", Region", then a date or "(Agency)" ending
# the line or followed by a dash: "ROME 1996-12-06", "TAVILDARA, Tajikistan 1996-08-30",
# "SYDNEY, 18 February 2026 —", "ROME (Reuters) -".
_DATELINE = re.compile(
    r"^(?P<place>[A-Z][A-Z.'’]+(?:[ -][A-Z][A-Z.'’]+){0,3})"
    r"(?:[ \t]*,[ \t]*[A-Z][\w.'’]*(?:[ -][A-Z][\w.'’]*){0,2})?[ \t]*,?[ \t]*"
    r"(?:(?P<date>\d{4}-\d\d-\d\d"
    r"|(?:(?P<m1>[A-Z][a-z]{2,8})\.? \d{1,2}|\d{1,2} (?P<m2>[A-Z][a-z]{2,8}))(?:,? \d{4})?)"
    r"|\([A-Z][\w ]*\))"
    r"(?=[ \t]*(?:$|[-–—(]))",
    re.M,
)


def dateline_spans(doc: Doc, text: str) -> list[Span]:
    """GPE and DATE spans of the datelines in ``doc``: the place of a dateline is never a
    person or a body, and its date is whole ("1996-12-06", not "1996-12")."""
    out = []
    for m in _DATELINE.finditer(text):
        month = m.group("m1") or m.group("m2")
        if month and month.lower() not in MONTHS:
            continue
        for group, label in (("place", "GPE"), ("date", "DATE")):
            if m.group(group):
                span = doc.char_span(m.start(group), m.end(group), label=label, alignment_mode="expand")
                if span is not None:
                    out.append(span)
    return out


# -- component 1: clean the statistical guesses --------------------------------------------


class FixEnts:
    """Trim, split, relabel or drop each entity the statistical model proposed."""

    def __init__(self, know: Knowledge) -> None:
        self.know = know

    def __call__(self, doc: Doc) -> Doc:
        from spacy.tokens import Span

        out: list[Span] = []
        view = _Tokens(doc)
        keys = [_key(t.text) for t in view]
        headings = _HeadingLines(view.text)
        things: set[str] = set()
        for ent in doc.ents:
            for s, e in _pieces(view, ent.start, ent.end, ent.label_):
                span = self._fix(view, keys, headings, s, e, ent.label_, things)
                if span is not None:
                    out.append(Span(doc, span[0], span[1], label=span[2]))
        # "the Eneabba refinery" ... "an expansion of Eneabba": once the text shows a name
        # is a place or project, its other mentions read as a person are the same thing
        # (a company's name before "plant" does not make the company a place).
        out = [o for o in out if not (o.label_ == "PERSON" and _key(o.text) in things)]
        _set_ents(doc, [*dateline_spans(doc, view.text), *out])
        return doc

    def _names_a_thing(self, doc: _Tokens, e: int) -> bool:
        """True if the name modifies a project, plant or event noun: "the Longonjo rare
        earth project", "the Kalgoorlie processing facility" name places, not bodies."""
        for tok in doc[e : e + 4]:
            if not (tok.is_lower and tok.is_alpha):
                return False
            if _key(tok.text) in self.know.not_before:
                return True
            if tok.is_stop or tok.lower_ in _REPORTING_VERBS:
                return False  # "Goldman Sachs said prices ...", "Lynas is a market ...": a clause
        return False

    def _fix(
        self,
        doc: _Tokens,
        keys: list[str],
        headings: _HeadingLines,
        s: int,
        e: int,
        label: str,
        things: set[str] | None = None,
    ) -> tuple[int, int, str] | None:
        know = self.know
        # "a year ago" is a date, "a" part of it; "A Lynas spokesman" names Lynas.
        s, e = _trim(doc, s, e, articles=_ARTICLES if label in NAME_LABELS else ("the",))
        if s >= e:
            return None
        if label in ("PERSON", "ORG"):
            # "Liu Leiyun—Party Secretary", "Li Bo, Chairman": the name ends at the apposition.
            for i in range(s + 1, e):
                if doc[i].text == "-" and not doc[i - 1].whitespace_ and not doc[i].whitespace_:
                    continue  # "Kim Tae-hoon", "Boutros-Ghali": a hyphen inside a word, not an apposition
                if (doc[i].text in _DASHES or doc[i].text == ",") and (
                    know.title_at(keys, i + 1, e) or label == "PERSON"
                ):
                    e = i
                    break
            # "CAS Academician Shen", "Chairman Li Bo": titles (and a body's acronym) before a name.
            while s < e:
                n = know.title_at(keys, s, e)
                if n and s + n < e:
                    s += n
                    label = "PERSON"
                    continue
                if (
                    is_acronym(doc[s].text)
                    and s + 1 < e
                    and know.title_at(keys, s + 1, e)
                    and s + 1 + know.title_at(keys, s + 1, e) < e
                ):
                    s += 1
                    continue
                break
            if label == "PERSON":
                while e > s + 1 and know.title_ending_at(keys, e, s + 1):
                    e -= know.title_ending_at(keys, e, s + 1)
                s, e = _trim(doc, s, e)
                if s >= e:
                    return None
                last = _key(doc[e - 1].text)
                if last in know.org_words or last in know.company_words:
                    label = "ORG"
        if label in ("PERSON", "ORG"):
            s, e = _hyphen_head(doc, s), _hyphen_tail(doc, e)
            s, e = _without_numbers(doc, s, e)
            if s >= e:
                return None
        # "at Macquarie", "Argonaut analyst Jane Doe": one word in a workplace slot is a company
        if (
            label == "PERSON"
            and e - s == 1
            and (
                (s > 0 and doc[s - 1].lower_ == "at")
                or _listed_with_org(doc, s, e)
                or (
                    know.title_at(keys, e)
                    and know.is_nameish(doc[min(e + know.title_at(keys, e), len(doc) - 1)])
                )
            )
        ):
            label = "ORG"
        if label == "ORG":
            if _key(doc[e - 1].text) in _LAW_HEADS and doc[e - 1].is_title:
                return None
            if not is_acronym(doc[s:e].text) and know.title_around(keys, s, e):
                return None
        text = doc[s:e].text
        if label in NAME_LABELS:
            if know.is_junk(text) or not any(t.is_title or t.is_upper for t in doc[s:e]):
                return None
            if any(t.text in (":", "+", "|", "=", "@") for t in doc[s:e]) or any(
                c.isdigit() for c in text[:1]
            ):
                return None
            if (
                e - s == 1
                and _ABSTRACT_NOUN.search(text)
                and (label == "PERSON" or (label == "ORG" and headings.at(doc[s].idx)))
            ):
                return None  # "Accuracy", "Transparency": an abstract noun is no one's name
            if label == "PERSON" and any(t.is_stop for t in doc[s:e]):
                return None  # "Insight Across": names do not hold capitalised function words
            has_org_word = any(know.is_org_word(t) for t in doc[s:e])
            if (
                label in ("PERSON", "ORG")
                and not has_org_word
                and not is_acronym(text)
                and headings.at(doc[s].idx)
                and not _list_item(doc, s, e)
                and not know.title_ending_at(keys, s, max(0, s - know.max_title))
            ):
                return None
            if label in ("PERSON", "ORG") and not has_org_word and self._names_a_thing(doc, e):
                if things is not None:
                    things.add(_key(text))
                return None
        return s, e, label


# -- component 2: patterns that find or extend names ---------------------------------------


class Patterns:
    """General name patterns: title + name, name + title, and capitalised organization names.

    Spans found here replace overlapping statistical guesses: they are built from
    evidence in the text (a title, an organization head word) the model ignores.
    """

    def __init__(self, know: Knowledge) -> None:
        self.know = know

    def __call__(self, doc: Doc) -> Doc:
        from spacy.tokens import Span

        found: list[Span] = []
        toks = list(doc)
        keys = [_key(t.text) for t in toks]
        found += [Span(doc, s, e, label="ORG") for s, e in self._orgs(doc, toks)]
        found += [Span(doc, s, e, label="PERSON") for s, e in self._people(toks, keys)]
        known = [e for e in doc.ents if e.ent_id_]
        found = [self._longer_guess(doc, f) for f in found]
        found = [
            f
            for f in found
            if not self.know.is_junk(f.text, headed=f.label_ == "ORG" and any(t.lower_ == "of" for t in f))
            and not _cuts_into(f, known)
            and not any((k.start, k.end) == (f.start, f.end) for k in known)
        ]
        ents = [self._extend_person(doc, toks, ent) for ent in doc.ents]
        _set_ents(doc, [*found, *ents])
        return doc

    def _longer_guess(self, doc: Doc, found: Span) -> Span:
        """ "The Government Accountability Office": the model's ORG ending where the pattern
        ends but starting further left over capitalised words keeps those words (the
        pattern stops at words like "Government" that alone are no name)."""
        from spacy.tokens import Span

        if found.label_ != "ORG":
            return found
        for ent in doc.ents:
            if ent.label_ == "ORG" and ent.end == found.end and ent.start < found.start:
                s, _ = _trim(doc, ent.start, found.start)
                lead = doc[s : found.start]
                if len(lead) and all(
                    (self._cap(t) or (k and t.lower_ in _CONNECTORS)) and not _is_break(t)
                    for k, t in enumerate(lead)
                ):
                    return Span(doc, s, found.end, label="ORG")
        return found

    # people ----------------------------------------------------------------------------

    def _name_run(self, toks: list[Token], i: int, limit: int = 3) -> int:
        """Length in tokens of a run of name-like words starting at ``i`` on one line; a
        hyphenated name ("Jean-Claude") is one word."""
        nameish = self.know.is_nameish
        pos, words = i, 0
        while pos < len(toks) and words < limit and nameish(toks[pos]):
            if words and toks[pos - 1].whitespace_ == "":
                return 0  # "Bo-Chairman" glued: not a clean name run
            words += 1
            pos = _hyphen_tail(toks, pos + 1, nameish)
        if pos < len(toks) and nameish(toks[pos]):
            return 0  # more capitalised words follow: a heading or a long name, not a person
        return pos - i

    def _people(self, toks: list[Token], keys: list[str]) -> list[tuple[int, int]]:
        know, out = self.know, []
        i = 0
        while i < len(toks):
            n = know.title_at(keys, i)
            if n and (toks[i].is_title or toks[i].is_upper or n > 1):
                # "Chairman Li Bo", "Board Secretary Yang Jie"
                j = i + n
                run = self._name_run(toks, j)
                if run and not self._is_org_continuation(toks, j + run):
                    end = j + run
                    out.append((j, end))
                    i = end
                    continue
                # "Li Bo, Chairman", "Cao Yiding, a senior official with ..."
            if toks[i].text == ",":
                k = i + 1
                if k < len(toks) and toks[k].lower_ in ("a", "an", "the"):
                    k += 1
                while (
                    k < len(toks)
                    and toks[k].is_lower
                    and toks[k].is_alpha
                    and not know.title_at(keys, k)
                    and k - i < 4
                ):
                    k += 1
                t = know.title_at(keys, k)
                if t and self._name_run(toks, k + t) == 0:
                    s = i
                    while s > 0 and know.is_nameish(toks[s - 1]) and i - s < 4:
                        s -= 1
                    before_ok = (
                        s == 0 or not (toks[s - 1].is_title or toks[s - 1].is_upper) or toks[s - 1].is_stop
                    )
                    if (
                        2 <= i - s <= 3
                        and before_ok
                        and not any(t2.ent_type_ in ("GPE", "DATE") for t2 in toks[s:i])
                    ):
                        out.append((s, i))
            i += 1
        return out

    def _is_org_continuation(self, toks: list[Token], j: int) -> bool:
        return j < len(toks) and self.know.is_org_word(toks[j])

    def _extend_person(self, doc: Doc, toks: list[Token], ent: Span) -> Span:
        """ "Shen" + "Baogen": a person followed directly by one more name token on the line."""
        from spacy.tokens import Span

        if ent.label_ != "PERSON" or len(ent) != 1:
            return ent
        j = ent.end
        if (
            j < len(toks)
            and ent[-1].whitespace_
            and self.know.is_nameish(toks[j])
            and (j + 1 >= len(toks) or not self.know.is_nameish(toks[j + 1]))
        ):
            return Span(doc, ent.start, j + 1, label="PERSON")
        return ent

    # organizations ---------------------------------------------------------------------

    def _cap(self, t: Token) -> bool:
        return (
            (t.is_title or (t.is_upper and len(t.text) > 1) or (t.text[:1].isupper() and t.is_alpha))
            and not t.is_space
            and (t.is_alpha or t.text.endswith("."))
        )

    def _orgs(self, doc: Doc, toks: list[Token]) -> list[tuple[int, int]]:
        """Capitalised runs headed by an organization word, with their "of X and Y" tail."""
        know, out, i = self.know, [], 0
        while i < len(toks):
            t = toks[i]
            if not know.is_org_word(t):
                i += 1
                continue
            s = i
            while s > 0 and self._left_ok(toks[s - 1]):
                s -= 1
            s = _hyphen_head(toks, s)  # "Bre-X Minerals"
            e = i + 1
            while e < len(toks) and (know.is_org_word(toks[e]) or self._hyphen_word(toks, e)):
                e += 1 if know.is_org_word(toks[e]) else 2
            e = self._of_tail(toks, e)
            has_name = e - s > 1 and any(not know.is_org_word(x) for x in toks[s:e])
            if has_name and not (e - s == 2 and toks[s].is_stop):
                out.append((s, e))
            i = max(e, i + 1)
        return out

    def _left_ok(self, t: Token) -> bool:
        k = _key(t.text)
        return (
            self._cap(t)
            and not t.is_stop
            and k not in MONTHS
            and k not in WEEKDAYS
            and k not in self.know.title_words
            and k not in self.know.not_entities
            and t.whitespace_ != ""
        ) or (t.text == "&" and t.whitespace_ != "")

    def _hyphen_word(self, toks: list[Token], e: int) -> bool:
        return e + 1 < len(toks) and toks[e].text == "-" and self._cap(toks[e + 1])

    def _of_tail(self, toks: list[Token], e: int) -> int:
        """Extend over "of/for/on X [and Y]" where X and Y are capitalised words."""
        know = self.know
        in_of = False
        while e + 1 < len(toks):
            w = toks[e].lower_
            if w == "," and in_of:
                # "Ministry of Economy, Trade and Industry": a list that ends in "and X"
                k = e + 1
                while k < len(toks) and self._cap(toks[k]) and _key(toks[k].text) not in MONTHS:
                    k += 1
                if k > e + 1 and k < len(toks) and toks[k].lower_ in ("and", "&"):
                    e = k
                    continue
                break
            if w in ("of", "for", "on") or (w in ("and", "&") and in_of):
                j = e + 1
                if j < len(toks) and toks[j].lower_ == "the" and w != "and":
                    j += 1
                k = j
                while (
                    k < len(toks)
                    and (self._cap(toks[k]) or self._hyphen_word(toks, k))
                    and _key(toks[k].text) not in MONTHS
                    and _key(toks[k].text) not in WEEKDAYS
                ):
                    k += 2 if toks[k].text == "-" else 1
                if k == j:
                    break
                if any(know.is_org_word(x) for x in toks[j:k]) and w != "and" and toks[e + 1].lower_ == "the":
                    break  # "Academy of the Chinese Academy of Sciences": a body of another body
                if w in ("and", "&") and (
                    (toks[j].ent_type_ in ("GPE", "ORG") and toks[j].ent_iob_ == "B")
                    or any(know.is_org_word(x) for x in toks[j:k])
                ):
                    break  # "... of Sciences and China Rare Earth Group": a second organization
                e, in_of = k, True
                continue
            break
        return e


class ElementOverride:
    """Element mentions ("NdPr", "Dy/Tb", "terbium") win over any overlapping entity."""

    def __call__(self, doc: Doc) -> Doc:
        spans = doc.spans.get("elements", [])
        if spans:
            _set_ents(doc, doc.ents, blocked=spans)
        return doc


# -- wiring ------------------------------------------------------------------------------------


def org_patterns(vocab: Vocab) -> list[dict[str, str]]:
    """Entity ruler patterns for the known organizations, each with its canonical id."""
    return OrgDirectory.load(vocab).patterns()


@lru_cache(maxsize=8)
def knowledge(vocab_dirs: tuple[str, ...]) -> Knowledge:
    """The rules' knowledge of one vocab, built once per pipeline (both rule components
    of a pipeline, and every pipeline loaded with the same vocab, share it)."""
    return Knowledge.from_vocab(Vocab.load(list(vocab_dirs)))


def make_fix_ents(nlp: Language, name: str, vocab_dirs: list[str]) -> FixEnts:
    """Factory of ``reetool_fix_ents``."""
    return FixEnts(knowledge(tuple(vocab_dirs)))


def make_patterns(nlp: Language, name: str, vocab_dirs: list[str]) -> Patterns:
    """Factory of ``reetool_patterns``."""
    return Patterns(knowledge(tuple(vocab_dirs)))


def make_element_override(nlp: Language, name: str) -> ElementOverride:
    """Factory of ``reetool_element_override``."""
    return ElementOverride()


def register_factories() -> None:
    """Register the rule factories with spaCy (idempotent; spaCy is imported only here).

    Each declares what it reads and writes, so ``nlp.analyze_pipes()`` can check the order."""
    from spacy.language import Language

    assigns = ["doc.ents", "token.ent_iob", "token.ent_type"]
    for factory, func in ((FIX_FACTORY, make_fix_ents), (PATTERN_FACTORY, make_patterns)):
        if not Language.has_factory(factory):
            Language.factory(
                factory, default_config={"vocab_dirs": []}, assigns=assigns, requires=["doc.ents"]
            )(func)
    if not Language.has_factory(ELEMENT_OVERRIDE):
        Language.factory(ELEMENT_OVERRIDE, requires=["doc.ents", "doc.spans"], assigns=["doc.ents"])(
            make_element_override
        )


def add_rule_components(nlp: Language, vocab: Vocab) -> None:
    """Add every rule component after the statistical ``ner``, in the documented order."""
    from reetool import elements

    register_factories()
    dirs = [str(d) for d in vocab.dirs]
    cfg = {"vocab_dirs": dirs}
    nlp.add_pipe(FIX_FACTORY, config=cfg)
    ruler: Any = nlp.add_pipe(
        "entity_ruler", name=ORG_RULER, config={"overwrite_ents": True, "phrase_matcher_attr": "ORTH"}
    )
    # The ruler runs the pipes before it over each pattern text; matching on ORTH needs
    # only the tokenizer, so the statistical NER is kept out of that (a second of load).
    with nlp.select_pipes(disable=[n for n in nlp.pipe_names if n != ORG_RULER]):
        ruler.add_patterns(org_patterns(vocab))
    nlp.add_pipe(PATTERN_FACTORY, config=cfg)
    elements.add_to_pipeline(nlp, dirs)
    nlp.add_pipe(ELEMENT_OVERRIDE)
