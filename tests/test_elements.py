"""Rare earth element mentions: names, formulas, symbol lists, and what is NOT an element."""

from __future__ import annotations

from pathlib import Path

import pytest

from reetool.cleaner import clean
from reetool.elements import Element, ElementMatcher, ElementMention, add_to_pipeline
from reetool.reader import read_paths
from reetool.vocab import Vocab


@pytest.fixture(scope="module")
def matcher() -> ElementMatcher:
    return ElementMatcher.from_vocab(Vocab.load())


def found(matcher: ElementMatcher, text: str) -> list[tuple[str, tuple[str, ...]]]:
    return [(m.text, tuple(e.symbol for e in m.elements)) for m in matcher.find(text)]


POSITIVE = [
    # names, case-insensitive, whole words, in hyphenated runs, before chemistry words
    ("Prices of neodymium rose.", [("neodymium", ("Nd",))]),
    ("NEODYMIUM and Dysprosium", [("NEODYMIUM", ("Nd",)), ("Dysprosium", ("Dy",))]),
    (
        "oxides of cerium-praseodymium-neodymium",
        [("cerium", ("Ce",)), ("praseodymium", ("Pr",)), ("neodymium", ("Nd",))],
    ),
    ("neodymium-aluminum alloy targets", [("neodymium", ("Nd",))]),
    ("cerium oxide and terbium metal", [("cerium", ("Ce",)), ("terbium", ("Tb",))]),
    ("yttrium and ytterbium differ", [("yttrium", ("Y",)), ("ytterbium", ("Yb",))]),
    ("scandium, lanthanum, lutetium", [("scandium", ("Sc",)), ("lanthanum", ("La",)), ("lutetium", ("Lu",))]),
    ("a praesodymium shortage", [("praesodymium", ("Pr",))]),
    # formulas
    ("Nd2O3 output", [("Nd2O3", ("Nd",))]),
    ("NdFeB magnets", [("NdFeB", ("Nd",))]),
    ("SmCo5 and SmCo magnets", [("SmCo5", ("Sm",)), ("SmCo", ("Sm",))]),
    ("CeO2 and Y2O3 powders", [("CeO2", ("Ce",)), ("Y2O3", ("Y",))]),
    ("NdPr oxide", [("NdPr", ("Nd", "Pr"))]),
    ("PrNd metal", [("PrNd", ("Pr", "Nd"))]),
    ("DyFe alloy", [("DyFe", ("Dy",))]),
    ("CeO2-based catalysts", [("CeO2", ("Ce",))]),
    ("Eu3+ ions glow red", [("Eu3", ("Eu",))]),
    # symbol lists
    ("magnets requiring Dy/Tb.", [("Dy", ("Dy",)), ("Tb", ("Tb",))]),
    ("Nd-Pr oxide", [("Nd", ("Nd",)), ("Pr", ("Pr",))]),
    ("La/Ce products", [("La", ("La",)), ("Ce", ("Ce",))]),
    ("Nd-Fe-B magnets", [("Nd", ("Nd",))]),
    ("Dy and Tb prices", [("Dy", ("Dy",)), ("Tb", ("Tb",))]),
    ("La, Ce and Nd", [("La", ("La",)), ("Ce", ("Ce",)), ("Nd", ("Nd",))]),
    ("Nd:YAG lasers", [("Nd", ("Nd",)), ("YAG", ("Y",))]),
    # symbol after its own name, and before a chemistry word
    ("neodymium (Nd) supply", [("neodymium", ("Nd",)), ("Nd", ("Nd",))]),
    ("Tb oxide prices", [("Tb", ("Tb",))]),
    ("Nd-doped glass and Gd-based agents", [("Nd", ("Nd",)), ("Gd", ("Gd",))]),
    # alloy and compound names
    ("didymium glass", [("didymium", ("Pr", "Nd"))]),
    ("mischmetal and misch metal", [("mischmetal", ("Ce", "La")), ("misch metal", ("Ce", "La"))]),
    ("YAG phosphors", [("YAG", ("Y",))]),
    ("polishing with ceria", [("ceria", ("Ce",))]),
]

NEGATIVE = [
    "The EU imposed tariffs.",
    "Our PR team replied.",
    "La Paz is in Bolivia; la casa es grande.",
    "Generation Y buyers and plan Y.",
    "Pr. Smith spoke.",
    "He flew to Ho Chi Minh City.",
    "Er, I am not sure.",
    "Eu is a prefix.",
    "Gd alone means nothing.",
    "Sc is South Carolina here.",
    "NYC, KY and WY offices",
    "Answer Y/N below.",
    "Y2K bug and Y2 revenue",
    "Eu-listed firms",
    "Rare Earths and Rare Earth Exchanges",
    "Lu and Ho Chi met.",
    "ternary element terbiumx",
    "No, In, As, Be, He, Co and CoCo are words.",
    "Ce n'est pas vrai.",
    "US-China talks",
    "LaLa land",
]


@pytest.mark.parametrize(("text", "expected"), POSITIVE)
def test_positive(matcher: ElementMatcher, text: str, expected: list[tuple[str, tuple[str, ...]]]) -> None:
    assert found(matcher, text) == expected


@pytest.mark.parametrize("text", NEGATIVE)
def test_negative(matcher: ElementMatcher, text: str) -> None:
    assert found(matcher, text) == []


def test_offsets_point_at_the_text(matcher: ElementMatcher) -> None:
    text = "Demand for Dy/Tb and NdPr grew; europium too."
    for m in matcher.find(text):
        assert text[m.start : m.end] == m.text
    assert [m.text for m in matcher.find(text)] == ["Dy", "Tb", "NdPr", "europium"]


def test_element_records_carry_class_and_number(matcher: ElementMatcher) -> None:
    [mention] = matcher.find("NdPr")
    assert mention == ElementMention(
        0,
        4,
        "NdPr",
        (Element("neodymium", "Nd", 60, "light"), Element("praseodymium", "Pr", 59, "light")),
    )
    assert {e.klass for m in matcher.find("dysprosium, yttrium") for e in m.elements} == {"heavy"}


def test_vocab_has_all_seventeen(matcher: ElementMatcher) -> None:
    assert len(matcher.by_symbol) == 17
    assert sorted(e.atomic_number for e in matcher.by_symbol.values()) == [21, 39, *range(57, 72)]


def test_user_vocab_adds_forms(tmp_path, matcher: ElementMatcher) -> None:
    (tmp_path / "element_forms.tsv").write_text("form\tsymbols\tcase\tkind\nsupermag\tSm\ti\talloy\n")
    m = ElementMatcher.from_vocab(Vocab.load([tmp_path]))
    assert found(m, "Supermag rods") == [("Supermag", ("Sm",))]
    assert found(matcher, "Supermag rods") == []


def seed_elements(path: Path, matcher: ElementMatcher) -> set[str]:
    [source] = list(read_paths([str(path)]))
    return {e.name for m in matcher.find(clean(source).text) for e in m.elements}


def test_seed_like_sentences(matcher: ElementMatcher) -> None:
    text = (
        "Regulators approved standards for advanced NdPr magnets and magnets requiring Dy/Tb, "
        "including cerium-praseodymium-neodymium oxides, scandium and neodymium-aluminum alloy targets."
    )
    got = {e.name for m in matcher.find(text) for e in m.elements}
    assert got == {"neodymium", "praseodymium", "dysprosium", "terbium", "cerium", "scandium"}


def test_seeds(matcher: ElementMatcher, seeds_dir: Path) -> None:
    assert seed_elements(seeds_dir / "001_beb163726df72447.txt", matcher) == {
        "neodymium",
        "praseodymium",
        "dysprosium",
        "terbium",
        "cerium",
        "scandium",
    }
    assert seed_elements(seeds_dir / "000_67cfdd6f7d210181.txt", matcher) == {
        "europium",
        "terbium",
        "yttrium",
        "cerium",
        "neodymium",
    }
    for name in ("002_f349e353b77cb023.txt", "003_221cbb48ccfd2a52.txt", "004_09049b96cfad9397.txt"):
        assert seed_elements(seeds_dir / name, matcher) == set()


def test_spacy_component_fills_span_group() -> None:
    spacy = pytest.importorskip("spacy")
    nlp = spacy.blank("en")  # the component needs only a tokenizer
    add_to_pipeline(nlp)
    doc = nlp("Dy/Tb and NdPr, neodymium (Nd), but not the EU.")
    spans = doc.spans["elements"]
    assert [s.text for s in spans] == ["Dy", "Tb", "NdPr", "neodymium", "Nd"]
    assert {s.label_ for s in spans} == {"ELEMENT"}
    assert [e.symbol for e in spans[2]._.elements] == ["Nd", "Pr"]


def test_spacy_component_merges_mentions_inside_one_token() -> None:
    spacy = pytest.importorskip("spacy")
    nlp = spacy.blank("en")
    nlp.tokenizer.rules = {}
    nlp.tokenizer.infix_finditer = None  # "Dy/Tb" stays one token
    add_to_pipeline(nlp)
    doc = nlp("needs Dy/Tb now")
    [span] = doc.spans["elements"]
    assert span.text == "Dy/Tb"
    assert [e.name for e in span._.elements] == ["dysprosium", "terbium"]
