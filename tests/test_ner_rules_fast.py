"""Each general news rule on its own: a blank English doc with the statistical guess preset.

No model runs here, so a test takes milliseconds and says what the rule does whatever the
model would have guessed. The sentences are the failure kinds measured on newswire
(bench/conll.py), written afresh.
"""

from __future__ import annotations

import pytest
import spacy
from spacy.tokens import Doc

from reetool.ner_fix import FixEnts
from reetool.ner_knowledge import Knowledge
from reetool.ner_patterns import Patterns
from reetool.vocab import Vocab


@pytest.fixture(scope="module")
def nlp():
    return spacy.blank("en")


@pytest.fixture(scope="module")
def know() -> Knowledge:
    return Knowledge.from_vocab(Vocab.load())


def preset(nlp, text: str, ents: list[tuple[str, str]]) -> Doc:
    """``text`` with each (surface, label) of ``ents`` set as an entity (first occurrence)."""
    doc = nlp(text)
    spans = []
    for surface, label in ents:
        start = text.index(surface)
        span = doc.char_span(start, start + len(surface), label=label)
        assert span is not None, surface
        spans.append(span)
    doc.ents = spans
    return doc


def fix(nlp, know, text: str, ents: list[tuple[str, str]]) -> set[tuple[str, str]]:
    doc = FixEnts(know)(preset(nlp, text, ents))
    return {(e.text, e.label_) for e in doc.ents}


def patterns(nlp, know, text: str, ents: list[tuple[str, str]] = ()) -> set[tuple[str, str]]:
    doc = Patterns(know)(preset(nlp, text, list(ents)))
    return {(e.text, e.label_) for e in doc.ents}


# Title Case lines: lists and headlines are text, headings are not --------------------------


def test_names_in_a_list_line_are_kept(nlp, know) -> None:
    text = "Squad: Javier Pertile, Paolo Vaccari, Luca Sacchi\n"
    names = [("Javier Pertile", "PERSON"), ("Paolo Vaccari", "PERSON"), ("Luca Sacchi", "PERSON")]
    assert fix(nlp, know, text, names) == set(names)


def test_names_in_a_results_table_are_kept(nlp, know) -> None:
    text = "3. Donovan Bailey ( Canada ) 10.13\nGiven , Breen , Staunton , Irwin\n"
    names = [("Donovan Bailey", "PERSON"), ("Staunton", "PERSON")]
    assert fix(nlp, know, text, names) == set(names)


def test_a_name_after_a_title_in_a_headline_is_kept(nlp, know) -> None:
    text = "Mining Chief Tom O'Leary Says Output Will Rise\n"
    assert ("Tom O'Leary", "PERSON") in fix(nlp, know, text, [("Tom O'Leary", "PERSON")])


def test_heading_words_are_not_names(nlp, know) -> None:
    text = "Institutional Expansion and Industrial Alignment\nThe plan grew.\n"
    assert fix(nlp, know, text, [("Institutional Expansion", "ORG")]) == set()


def test_an_abstract_noun_is_no_person(nlp, know) -> None:
    text = "Building Trust, Accuracy, and Insight Across the Market.\n"
    assert fix(nlp, know, text, [("Accuracy", "PERSON")]) == set()


# Hyphens and "and" inside names -----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "guess", "label", "whole"),
    [
        ("He met Boutros Boutros-Ghali on Monday.", "Boutros Boutros", "PERSON", "Boutros Boutros-Ghali"),
        ("Sir Henry Campbell-Bannerman was born.", "Henry Campbell", "PERSON", "Henry Campbell-Bannerman"),
        ("He was bowled by Ata-ur-Rehman today.", "Ata", "PERSON", "Ata-ur-Rehman"),
        ("Shares of Bre-X Minerals Ltd fell.", "X Minerals Ltd", "ORG", "Bre-X Minerals Ltd"),
        ("Then Jean-Claude Juncker spoke.", "Jean-Claude Juncker", "PERSON", "Jean-Claude Juncker"),
    ],
)
def test_a_glued_hyphen_is_inside_the_name(nlp, know, text, guess, label, whole) -> None:
    assert fix(nlp, know, text, [(guess, label)]) == {(whole, label)}


def test_a_compound_tail_stays_out_of_a_name(nlp, know) -> None:
    assert fix(nlp, know, "The Zurich-based group grew.", [("Zurich", "GPE")]) == {("Zurich", "GPE")}


def test_a_title_before_a_hyphenated_name(nlp, know) -> None:
    text = "European Commission President Jean-Claude Juncker said so."
    assert ("Jean-Claude Juncker", "PERSON") in patterns(nlp, know, text)


@pytest.mark.parametrize(
    "name", ["Monopolies and Mergers Commission", "Nippon Telegraph and Telephone Corporation"]
)
def test_and_inside_an_organization_name(nlp, know, name: str) -> None:
    text = f"The {name} said on Friday it would act."
    assert patterns(nlp, know, text, [(name, "ORG")]) == {(name, "ORG")}


# Nothing glued on -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "guess", "label", "name"),
    [
        ("-- Anthony Barker +48 22 653 9700\n", "Anthony Barker +48", "PERSON", "Anthony Barker"),
        ("Leicestershire 22 points , Somerset 4 .\n", "Somerset 4", "ORG", "Somerset"),
        ("They beat the Boston Red Sox 7-0 on Friday.", "Boston Red Sox 7-0", "ORG", "Boston Red Sox"),
        ("Shares of Lynas 2-for-1 rose.", "Lynas", "ORG", "Lynas"),
    ],
)
def test_numbers_are_not_part_of_a_name(nlp, know, text, guess, label, name) -> None:
    assert fix(nlp, know, text, [(guess, label)]) == {(name, label)}


def test_a_weekday_is_not_part_of_an_organization(nlp, know) -> None:
    found = patterns(nlp, know, "On Friday New York Stock Exchange closed early.")
    assert ("New York Stock Exchange", "ORG") in found
    assert not any(t.startswith("Friday") for t, _ in found)


def test_a_spaced_dash_separates_names(nlp, know) -> None:
    text = "RUGBY LEAGUE - WIGAN BEAT BRADFORD 42-36 .\n"
    found = fix(nlp, know, text, [("RUGBY LEAGUE - WIGAN", "ORG")])
    assert found == {("RUGBY LEAGUE", "ORG"), ("WIGAN", "ORG")}


# Datelines ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "guesses", "place", "date"),
    [
        ("ROME 1996-12-06\nTalks ended .\n", [("ROME", "PERSON"), ("1996-12", "DATE")], "ROME", "1996-12-06"),
        ("TAVILDARA , Tajikistan 1996-08-30\n", [("TAVILDARA", "PERSON")], "TAVILDARA", "1996-08-30"),
        ("SYDNEY, 18 February 2026 — Lynas said.\n", [("SYDNEY", "ORG")], "SYDNEY", "18 February 2026"),
        ("ROME (Reuters) - Italy said.\n", [("ROME", "PERSON")], "ROME", None),
    ],
)
def test_a_dateline_gives_a_place_and_a_date(nlp, know, text, guesses, place, date) -> None:
    found = fix(nlp, know, text, guesses)
    assert (place, "GPE") in found
    assert not {lab for t, lab in found if t == place} & {"PERSON", "ORG"}
    if date:
        assert (date, "DATE") in found


def test_a_capitalised_headline_is_no_dateline(nlp, know) -> None:
    text = "SOCCER - JAPAN GET LUCKY WIN .\n"
    assert fix(nlp, know, text, [("JAPAN", "GPE")]) == {("JAPAN", "GPE")}
