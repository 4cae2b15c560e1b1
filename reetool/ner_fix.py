"""The first rule component: clean each entity the statistical model proposed.

Trims titles, articles and numbers off names, splits entities at line breaks and
separators, relabels a title's name as a person or a company word's as an organization,
and drops headings, furniture and abstract nouns; datelines give a place and a date.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from reetool.names import is_acronym
from reetool.ner_knowledge import (
    DASHES,
    FUNCTION_WORDS,
    LAW_HEADS,
    MONTHS,
    NAME_LABELS,
    REPORTING_VERBS,
    word_key,
)
from reetool.ner_tokens import (
    ARTICLES,
    RuleComponent,
    Tokens,
    hyphen_head,
    hyphen_tail,
    list_item,
    listed_with_org,
    pieces,
    set_ents,
    trim,
    without_numbers,
)

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span

# English abstract-noun endings: a capitalised one-word "person" with one is a heading word.
_ABSTRACT_NOUN = re.compile(r"(?:acy|ity|ness|ment|tion|sion|ism|ship)$", re.I)


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
            words = [w for w in self._WORD.findall(line) if w.lower() not in FUNCTION_WORDS]
            self.judged[start] = len(words) >= 3 and sum(w[0].isupper() for w in words) >= 0.9 * len(words)
        return self.judged[start]


# A wire dateline: an upper-case place, maybe ", Region", then a date or "(Agency)" ending
# the line or followed by a dash: "ROME 1996-12-06", "TAVILDARA, Tajikistan 1996-08-30",
# "SYDNEY, 18 February 2026 —", "ROME (Reuters) -".
@dataclass(slots=True)
class _Page:
    """What the fix-up knows of a whole doc while it walks the entities: its heading lines,
    and the names the text has shown to be places or projects ("the Eneabba refinery")."""

    headings: _HeadingLines
    things: set[str] = field(default_factory=set)


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


class FixEnts(RuleComponent):
    """Trim, split, relabel or drop each entity the statistical model proposed."""

    def __call__(self, doc: Doc) -> Doc:
        from spacy.tokens import Span

        out: list[Span] = []
        v = self.tokens(doc)
        page = _Page(_HeadingLines(v.text))
        for ent in doc.ents:
            label = ent.label_
            for s, e in pieces(v, ent.start, ent.end, label):
                span = self._fix(v, page, s, e, label)
                if span is not None:
                    out.append(Span(doc, span[0], span[1], label=span[2]))
        # "the Eneabba refinery" ... "an expansion of Eneabba": once the text shows a name
        # is a place or project, its other mentions read as a person are the same thing
        # (a company's name before "plant" does not make the company a place).
        if page.things:
            out = [o for o in out if not (o.label_ == "PERSON" and word_key(o.text) in page.things)]
        set_ents(doc, [*dateline_spans(doc, v.text), *out])
        return doc

    def _names_a_thing(self, v: Tokens, e: int) -> bool:
        """True if the name modifies a project, plant or event noun: "the Longonjo rare
        earth project", "the Kalgoorlie processing facility" name places, not bodies."""
        for lex in v.lex[e : e + 4]:
            if not (lex.is_lower and lex.is_alpha):
                return False
            if lex.key in self.know.not_before:
                return True
            if lex.is_stop or lex.lower_ in REPORTING_VERBS:
                return False  # "Goldman Sachs said prices ...", "Lynas is a market ...": a clause
        return False

    def _fix(self, v: Tokens, page: _Page, s: int, e: int, label: str) -> tuple[int, int, str] | None:
        know, lex, keys = self.know, v.lex, v.keys
        # "a year ago" is a date, "a" part of it; "A Lynas spokesman" names Lynas.
        s, e = trim(v, s, e, articles=ARTICLES if label in NAME_LABELS else ("the",))
        if s >= e:
            return None
        if label in ("PERSON", "ORG"):
            s, e, label = self._strip_titles(v, s, e, label)
            if s >= e:
                return None
            s, e = hyphen_head(v, s), hyphen_tail(v, e)
            s, e = without_numbers(v, s, e)
            if s >= e:
                return None
        # "at Macquarie", "Argonaut analyst Jane Doe": one word in a workplace slot is a company
        if (
            label == "PERSON"
            and e - s == 1
            and (
                (s > 0 and lex[s - 1].lower_ == "at")
                or listed_with_org(v, s, e)
                or (know.title_at(keys, e) and lex[min(e + know.title_at(keys, e), len(lex) - 1)].nameish)
            )
        ):
            label = "ORG"
        if label == "ORG":
            if lex[e - 1].key in LAW_HEADS and lex[e - 1].is_title:
                return None
            if not is_acronym(v.span_text(s, e)) and know.title_around(keys, s, e):
                return None
        if label in NAME_LABELS and not self._is_name(v, page, s, e, label):
            return None
        return s, e, label

    def _strip_titles(self, v: Tokens, s: int, e: int, label: str) -> tuple[int, int, str]:
        """A person's or body's span without the titles and appositions around the name."""
        know, lex, keys = self.know, v.lex, v.keys
        # "Liu Leiyun—Party Secretary", "Li Bo, Chairman": the name ends at the apposition.
        for i in range(s + 1, e):
            if lex[i].text == "-" and not v.space[i - 1] and not v.space[i]:
                continue  # "Kim Tae-hoon", "Boutros-Ghali": a hyphen inside a word, not an apposition
            if (lex[i].text in DASHES or lex[i].text == ",") and (
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
                is_acronym(lex[s].text)
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
            s, e = trim(v, s, e)
            if s < e and (lex[e - 1].key in know.org_words or lex[e - 1].key in know.company_words):
                label = "ORG"
        return s, e, label

    def _is_name(self, v: Tokens, page: _Page, s: int, e: int, label: str) -> bool:
        """False for what the model read as a name but is a heading, furniture, an
        abstract noun, or a project's or place's modifier ("the Longonjo project")."""
        know, words, keys = self.know, v.lex[s:e], v.keys
        text = v.span_text(s, e)
        if know.is_junk(text) or not any(w.is_title or w.is_upper for w in words):
            return False
        if any(w.text in (":", "+", "|", "=", "@") for w in words) or any(c.isdigit() for c in text[:1]):
            return False
        if (
            e - s == 1
            and _ABSTRACT_NOUN.search(text)
            and (label == "PERSON" or (label == "ORG" and page.headings.at(v.idx[s])))
        ):
            return False  # "Accuracy", "Transparency": an abstract noun is no one's name
        if label == "PERSON" and any(w.is_stop for w in words):
            return False  # "Insight Across": names do not hold capitalised function words
        if label not in ("PERSON", "ORG"):
            return True
        has_org_word = any(w.org_word for w in words)
        if (
            not has_org_word
            and not is_acronym(text)
            and page.headings.at(v.idx[s])
            and not list_item(v, s, e)
            and not know.title_ending_at(keys, s, max(0, s - know.max_title))
        ):
            return False
        if not has_org_word and self._names_a_thing(v, e):
            page.things.add(word_key(text))
            return False
        return True
