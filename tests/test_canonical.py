"""Within-document canonical names, without spaCy."""

from __future__ import annotations

from reetool.canonical import Canonicalizer, Mention, clean_name
from reetool.vocab import Vocab


def canon() -> Canonicalizer:
    v = Vocab.load()
    return Canonicalizer(v.lines("org_suffixes.txt"), v.lines("org_words.txt"))


def run(text: str, spans: list[tuple[str, str]]) -> list[tuple[str, str, str]]:
    """``spans``: (label, surface) found left to right in ``text``."""
    mentions, pos = [], 0
    for label, surface in spans:
        start = text.index(surface, pos)
        mentions.append(Mention(label, surface, start, start + len(surface)))
        pos = start + len(surface)
    return [(m.label, m.text, m.canonical) for m in canon().canonicalize(mentions, text)]


def test_clean_name() -> None:
    assert clean_name("the Association's") == "Association"
    assert clean_name("Lynas’s") == "Lynas"
    assert clean_name("  China   Rare Earth Group ") == "China Rare Earth Group"


def test_acronym_in_parentheses_and_generic_head() -> None:
    text = "The China Rare Earth Industry Association (CREIA) met. CREIA and the Association agreed."
    out = run(
        text,
        [
            ("ORG", "China Rare Earth Industry Association"),
            ("ORG", "CREIA"),
            ("ORG", "CREIA"),
            ("ORG", "Association"),
        ],
    )
    assert {c for _, _, c in out} == {"China Rare Earth Industry Association"}


def test_acronym_from_initials() -> None:
    text = "The International Energy Agency warned. The IEA said prices rose."
    out = run(text, [("ORG", "International Energy Agency"), ("ORG", "IEA")])
    assert {c for _, _, c in out} == {"International Energy Agency"}


def test_suffix_variants_are_one_entity() -> None:
    text = "Baogang met officials. Baogang Group said so. Pensana Plc and Pensana agreed."
    out = run(
        text, [("ORG", "Baogang"), ("ORG", "Baogang Group"), ("ORG", "Pensana Plc"), ("ORG", "Pensana")]
    )
    assert [c for _, _, c in out] == ["Baogang Group", "Baogang Group", "Pensana Plc", "Pensana Plc"]


def test_person_surname_after_full_name() -> None:
    text = "Liu Leiyun met Wang Liping. Liu welcomed them. Wang congratulated the group."
    out = run(text, [("PERSON", "Liu Leiyun"), ("PERSON", "Wang Liping"), ("PERSON", "Liu"), ("ORG", "Wang")])
    assert out[2] == ("PERSON", "Liu", "Liu Leiyun")
    assert out[3] == ("PERSON", "Wang", "Wang Liping")


def test_western_surname_and_person_tagged_company() -> None:
    text = "Amanda Lacaze spoke. Lacaze said Lynas Rare Earths grew. Lynas Rare Earths Ltd agreed."
    out = run(
        text,
        [
            ("PERSON", "Amanda Lacaze"),
            ("PERSON", "Lacaze"),
            ("ORG", "Lynas Rare Earths"),
            ("PERSON", "Lynas Rare Earths Ltd"),
        ],
    )
    assert out[1][2] == "Amanda Lacaze"
    assert out[3][:1] == ("ORG",) and out[2][2] == out[3][2] == "Lynas Rare Earths Ltd"


def test_similar_groups_are_not_merged() -> None:
    text = "China Rare Earth Group and China Northern Rare Earth Group compete."
    out = run(text, [("ORG", "China Rare Earth Group"), ("ORG", "China Northern Rare Earth Group")])
    assert {c for _, _, c in out} == {"China Rare Earth Group", "China Northern Rare Earth Group"}


def test_different_head_is_a_different_body() -> None:
    text = "Rare Earth Exchanges reported it. Join the Rare Earth Exchanges Forum."
    out = run(text, [("ORG", "Rare Earth Exchanges"), ("ORG", "Rare Earth Exchanges Forum")])
    assert {c for _, _, c in out} == {"Rare Earth Exchanges", "Rare Earth Exchanges Forum"}


def test_short_form_with_same_head_joins_fullest_form() -> None:
    text = "The CAS Ningbo Institute of Materials Technology and Engineering hosted. Ningbo Institute agreed."
    out = run(
        text,
        [
            ("ORG", "CAS Ningbo Institute of Materials Technology and Engineering"),
            ("ORG", "Ningbo Institute"),
        ],
    )
    assert {c for _, _, c in out} == {"CAS Ningbo Institute of Materials Technology and Engineering"}


def test_fuzzy_spelling_variant() -> None:
    text = "Shenghe Resources Holding grew. Shenghe Resource Holding said."
    out = run(text, [("ORG", "Shenghe Resources Holding"), ("ORG", "Shenghe Resource Holding")])
    assert len({c for _, _, c in out}) == 1


def test_generic_mention_without_antecedent_is_dropped() -> None:
    assert run("The Society approved the plan.", [("ORG", "Society")]) == []
