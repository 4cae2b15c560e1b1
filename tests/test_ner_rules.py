"""Each rule of the extractor on small sentences, through the whole pipeline."""

from __future__ import annotations

import pytest

from reetool.document import Document


def ents(extractor, text: str, label: str | None = None) -> list[tuple[str, str, str]]:
    out = extractor.extract_one(Document("t.txt", text)).entities
    return [(e.label, e.text, e.canonical) for e in out if label is None or e.label == label]


def texts(extractor, text: str, label: str) -> set[str]:
    return {t for _, t, _ in ents(extractor, text, label)}


@pytest.mark.parametrize(
    ("sentence", "person"),
    [
        ("Chairman Li Bo opened the plenary meeting in Beijing.", "Li Bo"),
        ("Also attending were CAS Academician Shen Baogen and other guests.", "Shen Baogen"),
        ("China Rare Earth Group Board Secretary Yang Jie attended the talks.", "Yang Jie"),
        ("Cao Yiding, a senior official with the market regulator, issued four directives.", "Cao Yiding"),
        ("Zhang Jiayuan, Party Secretary of the institute, also spoke.", "Zhang Jiayuan"),
        ("The miner said CEO Amanda Lacaze would retire.", "Amanda Lacaze"),
    ],
)
def test_titles_are_not_part_of_names(extractor, sentence: str, person: str) -> None:
    people = texts(extractor, sentence, "PERSON")
    assert person in people
    assert all(p == person for p in people), people


def test_name_then_title_on_its_own_line(extractor) -> None:
    assert texts(extractor, "The plan was approved.\nLi Bo, Chairman\n\nData and AI", "PERSON") == {"Li Bo"}


def test_possessive_and_leading_the_are_dropped(extractor) -> None:
    found = ents(
        extractor, "Lynas's plant grew. The China Rare Earth Industry Association's notice followed.", "ORG"
    )
    assert {t for _, t, _ in found} == {"Lynas", "China Rare Earth Industry Association"}


def test_company_tagged_person_becomes_org(extractor) -> None:
    text = "Baogang Group hosted the talks. Later Baogang emphasized full-chain integration."
    found = ents(extractor, text)
    assert ("ORG", "Baogang", "Baogang Group") in found
    assert not [e for e in found if e[0] == "PERSON"]


def test_acronym_after_name_is_an_alias(extractor) -> None:
    text = "The president of the China Rare Earth Industry Association (CREIA) came. CREIA will help."
    canon = {c for lab, t, c in ents(extractor, text, "ORG")}
    assert canon == {"China Rare Earth Industry Association"}


@pytest.mark.parametrize(
    "text",
    [
        "Highlights\n- The market grew.",
        "Table of Contents\nThe market grew.",
        "Institutional Expansion and Industrial Alignment\nThe market grew.",
        "Moderator\nJoin the discussion.",
        "Disclaimer: This report is based on state media.",
    ],
)
def test_headings_and_furniture_are_not_entities(extractor, text: str) -> None:
    assert not [e for e in ents(extractor, text) if e[0] in ("PERSON", "ORG")]


def test_a_tagline_names_only_its_site(extractor) -> None:
    text = "© 2025 Example News  Accelerating Transparency, Accuracy, and Insight Across the Supply Chain."
    found = [t for lab, t, _ in ents(extractor, text) if lab in ("PERSON", "ORG")]
    assert set(found) <= {"Example News"}, found


def test_entities_never_cross_line_breaks(extractor) -> None:
    for _, t, _ in ents(extractor, "Highlights\n\nChina Rare Earth Industry Association held its meeting."):
        assert "\n" not in t


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Last month the association met for two days.", {"Last month"}),  # relative: a date, no value
        ("The annual meeting set goals under the 15th Five-Year Plan.", set()),
        ("Prices rose over the past five years.", set()),
    ],
)
def test_durations_frequencies_and_plans_are_not_dates(extractor, text: str, found: set[str]) -> None:
    assert texts(extractor, text, "DATE") == found


@pytest.mark.parametrize(
    "name",
    [
        "Chinese Society of Rare Earths",
        "Aero Engine Corporation of China",
        "Ningbo Institute of Materials Technology and Engineering",
        "National Rare Earth Standardization Technical Committee",
        "Ministry of Industry and Information Technology",
    ],
)
def test_full_official_names(extractor, name: str) -> None:
    assert name in texts(extractor, f"Delegates from the {name} approved new members on Tuesday.", "ORG")


def test_body_of_another_body_is_two_organizations(extractor) -> None:
    text = "Researchers at the Ganjiang Innovation Academy of the Chinese Academy of Sciences reported it."
    assert texts(extractor, text, "ORG") == {"Ganjiang Innovation Academy", "Chinese Academy of Sciences"}


def test_two_bodies_joined_by_and_stay_two(extractor) -> None:
    text = "Baogang Group and China Rare Earth Industry Association held a meeting."
    assert texts(extractor, text, "ORG") == {"Baogang Group", "China Rare Earth Industry Association"}


def test_known_organization_wins(extractor) -> None:
    assert "MP Materials" in texts(extractor, "MP Materials shipped concentrate to its partners.", "ORG")


def test_place_before_a_facility_is_not_a_person(extractor) -> None:
    assert texts(extractor, "She said the Kalgoorlie processing facility was at capacity.", "PERSON") == set()


def test_elements_override_entities(extractor) -> None:
    found = ents(extractor, "Demand for NdPr magnets and Dy/Tb grew.")
    assert not [e for e in found if e[0] == "ORG"]
    assert {c for lab, _, c in found if lab == "ELEMENT"} == {
        "neodymium",
        "praseodymium",
        "dysprosium",
        "terbium",
    }
