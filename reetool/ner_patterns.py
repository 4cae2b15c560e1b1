"""The second rule component: names the model missed or cut short, found from evidence.

A title before or after capitalised words makes them a person ("Chairman Li Bo", "Li
Bo, Chairman"); an organization head word makes a capitalised run with its "of X and Y"
tail a body ("Ningbo Institute of Materials Technology and Engineering"). These spans
win over the model's overlapping guesses, but never cut into a known organization the
ruler found. Also :class:`ElementOverride`: element mentions win over any entity.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from reetool.ner_knowledge import MONTHS, WEEKDAYS, wordset
from reetool.ner_tokens import (
    Lex,
    RuleComponent,
    Tokens,
    cuts_into,
    hyphen_head,
    hyphen_tail,
    is_break,
    set_ents,
    token_ent_ids,
    trim,
)

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span

_CONNECTORS = wordset("and & of for")  # inside a name: "Monopolies and Mergers Commission"


class Patterns(RuleComponent):
    """General name patterns: title + name, name + title, and capitalised organization names.

    Spans found here replace overlapping statistical guesses: they are built from
    evidence in the text (a title, an organization head word) the model ignores.
    """

    def __call__(self, doc: Doc) -> Doc:
        from spacy.tokens import Span

        v = self.tokens(doc)
        keys = [lex.key for lex in v.lex]
        ents = list(doc.ents)
        found = [Span(doc, s, e, label="ORG") for s, e in self._orgs(v)]
        found += [Span(doc, s, e, label="PERSON") for s, e in self._people(v, keys)]
        ids = token_ent_ids(doc)
        known = [e for e in ents if ids[e.start]]
        found = [self._longer_guess(v, ents, f) for f in found]
        found = [
            f
            for f in found
            if not self.know.is_junk(
                f.text, headed=f.label_ == "ORG" and any(lex.lower_ == "of" for lex in v.lex[f.start : f.end])
            )
            and not cuts_into(f, known)
            and not any((k.start, k.end) == (f.start, f.end) for k in known)
        ]
        set_ents(doc, [*found, *(self._extend_person(v, ent) for ent in ents)])
        return doc

    def _longer_guess(self, v: Tokens, ents: list[Span], found: Span) -> Span:
        """ "The Government Accountability Office": the model's ORG ending where the pattern
        ends but starting further left over capitalised words keeps those words (the
        pattern stops at words like "Government" that alone are no name)."""
        from spacy.tokens import Span

        if found.label_ != "ORG":
            return found
        for ent in ents:
            if ent.label_ == "ORG" and ent.end == found.end and ent.start < found.start:
                s, _ = trim(v, ent.start, found.start)
                lead = v.lex[s : found.start]
                if lead and all(
                    (lex.cap or (k and lex.lower_ in _CONNECTORS)) and not is_break(lex)
                    for k, lex in enumerate(lead)
                ):
                    return Span(v.doc, s, found.end, label="ORG")
        return found

    # people ----------------------------------------------------------------------------

    def _name_run(self, v: Tokens, i: int, limit: int = 3) -> int:
        """Length in tokens of a run of name-like words starting at ``i`` on one line; a
        hyphenated name ("Jean-Claude") is one word."""
        lex = v.lex
        pos, words = i, 0
        while pos < len(lex) and words < limit and lex[pos].nameish:
            if words and not v.space[pos - 1]:
                return 0  # "Bo-Chairman" glued: not a clean name run
            words += 1
            pos = hyphen_tail(v, pos + 1, _nameish)
        if pos < len(lex) and lex[pos].nameish:
            return 0  # more capitalised words follow: a heading or a long name, not a person
        return pos - i

    def _people(self, v: Tokens, keys: list[str]) -> list[tuple[int, int]]:
        know, lex, out = self.know, v.lex, []
        title_starts = know.title_starts
        i = 0
        while i < len(lex):
            n = know.title_at(keys, i) if keys[i] in title_starts else 0
            if n and (lex[i].is_title or lex[i].is_upper or n > 1):
                # "Chairman Li Bo", "Board Secretary Yang Jie"
                j = i + n
                run = self._name_run(v, j)
                if run and not (j + run < len(lex) and lex[j + run].org_word):
                    out.append((j, j + run))
                    i = j + run
                    continue
            if lex[i].text == ",":
                # "Li Bo, Chairman", "Cao Yiding, a senior official with ..."
                name = self._name_before_title(v, keys, i)
                if name:
                    out.append(name)
            i += 1
        return out

    def _name_before_title(self, v: Tokens, keys: list[str], i: int) -> tuple[int, int] | None:
        """The two or three name words before the comma at ``i`` when a title follows it."""
        know, lex = self.know, v.lex
        k = i + 1
        if k < len(lex) and lex[k].lower_ in ("a", "an", "the"):
            k += 1
        while (
            k < len(lex) and lex[k].is_lower and lex[k].is_alpha and not know.title_at(keys, k) and k - i < 4
        ):
            k += 1
        t = know.title_at(keys, k)
        if not t or self._name_run(v, k + t) != 0:
            return None
        s = i
        while s > 0 and lex[s - 1].nameish and i - s < 4:
            s -= 1
        before_ok = s == 0 or not (lex[s - 1].is_title or lex[s - 1].is_upper) or lex[s - 1].is_stop
        if 2 <= i - s <= 3 and before_ok and not any(v.ent_type(x) in ("GPE", "DATE") for x in range(s, i)):
            return s, i
        return None

    def _extend_person(self, v: Tokens, ent: Span) -> Span:
        """ "Shen" + "Baogen": a person followed directly by one more name token on the line."""
        from spacy.tokens import Span

        j, lex = ent.end, v.lex
        if (
            ent.label_ == "PERSON"
            and j - ent.start == 1
            and j < len(lex)
            and v.space[j - 1]
            and lex[j].nameish
            and (j + 1 >= len(lex) or not lex[j + 1].nameish)
        ):
            return Span(v.doc, ent.start, j + 1, label="PERSON")
        return ent

    # organizations ---------------------------------------------------------------------

    def _orgs(self, v: Tokens) -> list[tuple[int, int]]:
        """Capitalised runs headed by an organization word, with their "of X and Y" tail."""
        lex, out, i = v.lex, [], 0
        while i < len(lex):
            if not lex[i].org_word:
                i += 1
                continue
            s = i
            while s > 0 and self._left_ok(v, s - 1):
                s -= 1
            s = hyphen_head(v, s)  # "Bre-X Minerals"
            e = i + 1
            while e < len(lex) and (lex[e].org_word or self._hyphen_word(v, e)):
                e += 1 if lex[e].org_word else 2
            e = self._of_tail(v, e)
            has_name = e - s > 1 and any(not x.org_word for x in lex[s:e])
            if has_name and not (e - s == 2 and lex[s].is_stop):
                out.append((s, e))
            i = max(e, i + 1)
        return out

    def _left_ok(self, v: Tokens, i: int) -> bool:
        t = v.lex[i]
        if not v.space[i]:
            return False
        return t.text == "&" or (
            t.cap
            and not t.is_stop
            and t.key not in MONTHS
            and t.key not in WEEKDAYS
            and t.key not in self.know.title_words
            and t.key not in self.know.not_entities
        )

    def _hyphen_word(self, v: Tokens, e: int) -> bool:
        return e + 1 < len(v.lex) and v.lex[e].text == "-" and v.lex[e + 1].cap

    def _of_tail(self, v: Tokens, e: int) -> int:
        """Extend over "of/for/on X [and Y]" where X and Y are capitalised words."""
        lex = v.lex
        in_of = False
        while e + 1 < len(lex):
            w = lex[e].lower_
            if w == "," and in_of:
                # "Ministry of Economy, Trade and Industry": a list that ends in "and X"
                k = e + 1
                while k < len(lex) and lex[k].cap and lex[k].key not in MONTHS:
                    k += 1
                if k > e + 1 and k < len(lex) and lex[k].lower_ in ("and", "&"):
                    e = k
                    continue
                break
            if w in ("of", "for", "on") or (w in ("and", "&") and in_of):
                j = e + 1
                if j < len(lex) and lex[j].lower_ == "the" and w != "and":
                    j += 1
                k = j
                while (
                    k < len(lex)
                    and (lex[k].cap or self._hyphen_word(v, k))
                    and lex[k].key not in MONTHS
                    and lex[k].key not in WEEKDAYS
                ):
                    k += 2 if lex[k].text == "-" else 1
                if k == j:
                    break
                bodies = any(x.org_word for x in lex[j:k])
                if bodies and w != "and" and lex[e + 1].lower_ == "the":
                    break  # "Academy of the Chinese Academy of Sciences": a body of another body
                if w in ("and", "&") and (
                    (v.ent_type(j) in ("GPE", "ORG") and v.ent_iob(j) == "B") or bodies
                ):
                    break  # "... of Sciences and China Rare Earth Group": a second organization
                e, in_of = k, True
                continue
            break
        return e


def _nameish(lex: Lex) -> bool:
    return lex.nameish


class ElementOverride:
    """Element mentions ("NdPr", "Dy/Tb", "terbium") win over any overlapping entity."""

    def __call__(self, doc: Doc) -> Doc:
        spans = doc.spans.get("elements", [])
        if spans:
            types = doc.to_array("ENT_TYPE")
            # entities untouched by any element span stay as they are: no re-setting
            if any(types[s.start : s.end].any() for s in spans):
                set_ents(doc, doc.ents, blocked=spans)
        return doc
