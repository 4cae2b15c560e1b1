"""One set of name rules for the per-document and the cross-document merges."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reetool.canonical import Canonicalizer, Mention
from reetool.document import Document, Entity, Extraction
from reetool.name_index import EntityIndex
from reetool.names import (
    ACROSS_CORPUS,
    IN_DOCUMENT,
    OrgDirectory,
    UnionFind,
    initials,
    is_acronym,
)
from reetool.vocab import Vocab, builtin_dir

BRGM = "Bureau de Recherches Geologiques et Minieres"


def test_initials_skip_connectives_in_every_language() -> None:
    assert "BRGM" in initials(BRGM)
    assert "CREIA" in initials("China Rare Earth Industry Association")
    assert "CAS" in initials("Chinese Academy of Sciences")


def test_both_merges_read_the_same_initials() -> None:
    """The per-document merge used to read BDRGEM and the corpus BRGEM: neither is BRGM."""
    v = Vocab.load()
    canon = Canonicalizer(v.lines("org_suffixes.txt"), v.lines("org_words.txt"))
    text = f"The {BRGM} mapped the deposit. BRGM said more work is needed."
    start = text.index(BRGM)
    mentions = [
        Mention("ORG", BRGM, start, start + len(BRGM)),
        Mention("ORG", "BRGM", text.index("BRGM"), text.index("BRGM") + 4),
    ]
    assert {m.canonical for m in canon.canonicalize(mentions, text)} == {BRGM}

    index = EntityIndex(v)
    for doc, name in (("a", BRGM), ("b", "BRGM")):
        index.add(Extraction(Document(doc, ""), [Entity("ORG", name, 0, len(name), name)]))
    assert [(e.canonical, e.aliases) for e in index.entities()] == [(BRGM, ["BRGM"])]


def test_acronyms() -> None:
    for yes in ("CREIA", "S&P", "U.S.", "MP", "CoE", "G7"):
        assert is_acronym(yes), yes
    for no in ("Lynas", "A", "REEx", "McKinsey", "ABCDEFGHIJK"):
        assert not is_acronym(no), no


def test_fuzzy_strictness_is_a_setting_of_one_rule() -> None:
    a, b = ("shenghe", "resources"), ("shenghe", "resource")
    assert IN_DOCUMENT.score(a, b) is not None and ACROSS_CORPUS.score(a, b) is not None
    # Across the corpus short words must match exactly; within a document, the first word.
    assert ACROSS_CORPUS.score(("li", "wei"), ("lu", "wei")) is None
    assert IN_DOCUMENT.score(("northern", "rare", "earth"), ("southern", "rare", "earth")) is None
    assert ACROSS_CORPUS.score(("group", "1"), ("group", "2")) is None


@given(st.lists(st.tuples(st.integers(0, 20), st.integers(0, 20)), max_size=40))
def test_union_find_groups_are_the_connected_components(pairs: list[tuple[int, int]]) -> None:
    uf = UnionFind()
    for a, b in pairs:
        uf.union(a, b)
    reach = {n: {n} for n in range(21)}
    changed = True
    while changed:  # transitive closure, the slow obvious way
        changed = False
        for a, b in pairs:
            merged = reach[a] | reach[b]
            for n in merged:
                if reach[n] != merged | reach[n]:
                    reach[n] |= merged
                    changed = True
    for a in range(21):
        for b in range(21):
            assert (uf.find(a) == uf.find(b)) == (b in reach[a])


@pytest.fixture
def semicolon_vocab(tmp_path: Path) -> Vocab:
    d = tmp_path / "vocab"
    d.mkdir()
    (d / "organizations.tsv").write_text(
        "name\taliases\tkind\tcountry\nAcme Rare Metals\tAcme;ARM|Acme Metals;Kestrel Metals\tproducer\tUS\n",
        encoding="utf-8",
    )
    return Vocab((builtin_dir(), d))


def test_alias_lists_with_semicolons_are_read_by_every_user(semicolon_vocab: Vocab) -> None:
    orgs = OrgDirectory.load(semicolon_vocab)
    patterns = {p["pattern"]: p["id"] for p in orgs.patterns()}
    for form in ("Acme Rare Metals", "Acme", "ARM", "Acme Metals", "Kestrel Metals"):
        assert patterns[form] == "Acme Rare Metals"
        assert orgs.lookup(form) == "Acme Rare Metals"


def test_case_folding_the_header_promises(semicolon_vocab: Vocab) -> None:
    """Acronyms match as written; other forms whatever the case of their first letter."""
    orgs = OrgDirectory.load(semicolon_vocab)
    patterns = {p["pattern"] for p in orgs.patterns()}
    assert "acme Metals" in patterns and "aRM" not in patterns
    assert orgs.lookup("ACME RARE METALS") == "Acme Rare Metals"  # across documents: up to case
    assert orgs.lookup("Arm") is None and orgs.lookup("arm") is None
    assert orgs.lookup("ARM") == "Acme Rare Metals"


@pytest.mark.slow
def test_the_extractor_matches_semicolon_aliases(semicolon_vocab: Vocab) -> None:
    from reetool.extractor import load_extractor

    extractor = load_extractor(vocab=[str(d) for d in semicolon_vocab.dirs[1:]])
    text = "Acme Rare Metals bought a mine in Texas. Kestrel Metals said output would double."
    (ext,) = extractor.extract([Document("a", text)])
    orgs = {(e.text, e.canonical) for e in ext.entities if e.label == "ORG"}
    assert ("Kestrel Metals", "Acme Rare Metals") in orgs  # one company: the vocab says so
