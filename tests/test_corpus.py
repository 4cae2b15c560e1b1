"""Cross-document aggregation and canonicalisation: what merges, what never does, and why."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reetool.document import Document, Entity, Extraction
from reetool.element_index import ElementIndex
from reetool.name_index import EntityIndex, display_name, initials, name_key, sort_entities
from reetool.records import read_jsonl_extractions
from reetool.vocab import Vocab, builtin_dir


def _ext(doc: str, published: str | None, *mentions: tuple[str, str] | tuple[str, str, str]) -> Extraction:
    ents = []
    for m in mentions:
        label, text = m[0], m[1]
        canonical = m[2] if len(m) > 2 else text
        ents.append(Entity(label, text, 0, len(text), canonical))
    return Extraction(Document(doc, "", published=published), ents)


@pytest.fixture
def bare_vocab(tmp_path: Path) -> Vocab:
    """Only the generic suffixes: merges must come from the rules, not from known names."""
    d = tmp_path / "vocab"
    d.mkdir()
    (d / "org_suffixes.txt").write_text((builtin_dir() / "org_suffixes.txt").read_text(encoding="utf-8"))
    return Vocab((d,))


def _entities(vocab: Vocab, *extractions: Extraction) -> dict[str, dict]:
    index = EntityIndex(vocab)
    for e in extractions:
        index.add(e)
    return {r.canonical: r.record(explain=True) for r in index.entities()}


def test_names_compare_without_case_punctuation_the_and_possessive() -> None:
    assert name_key("the China Rare Earth Industry Association's") == name_key(
        "CHINA RARE-EARTH industry association"
    )
    assert name_key("Baotou Steel & Rare Earth") == name_key("Baotou Steel and Rare Earth")
    assert display_name("the Ningbo Institute’s") == "Ningbo Institute"
    assert "CREIA" in initials("China Rare Earth Industry Association")
    assert "CAS" in initials("Chinese Academy of Sciences")


def test_acronym_merges_with_the_one_full_name_it_abbreviates(bare_vocab: Vocab) -> None:
    rows = _entities(
        bare_vocab,
        _ext("a", "2025-01-05", ("ORG", "China Rare Earth Industry Association"), ("ORG", "CREIA")),
        _ext("b", "2025-03-01", ("ORG", "the China Rare Earth Industry Association"), ("ORG", "CREIA")),
    )
    row = rows["China Rare Earth Industry Association"]
    assert row["aliases"] == ["CREIA"]
    assert (row["mentions"], row["docs"]) == (4, 2)
    assert (row["first_published"], row["last_published"]) == ("2025-01-05", "2025-03-01")
    assert "CREIA: acronym of China Rare Earth Industry Association" in row["evidence"]
    assert "CREIA" not in rows


def test_ambiguous_acronym_stays_apart(bare_vocab: Vocab) -> None:
    rows = _entities(
        bare_vocab,
        _ext(
            "a",
            None,
            ("ORG", "Chinese Academy of Sciences"),
            ("ORG", "Chinese Aluminium Society"),
            ("ORG", "CAS"),
        ),
    )
    assert set(rows) == {"Chinese Academy of Sciences", "Chinese Aluminium Society", "CAS"}


def test_generic_suffix_merges_baogang(bare_vocab: Vocab) -> None:
    rows = _entities(
        bare_vocab, _ext("a", None, ("ORG", "Baogang")), _ext("b", None, ("ORG", "Baogang Group"))
    )
    assert len(rows) == 1
    (row,) = rows.values()
    assert row["docs"] == 2
    assert any("same name as" in e and "suffix 'Group'" in e for e in row["evidence"]), row["evidence"]


def test_bare_name_between_two_different_suffixes_is_ambiguous(bare_vocab: Vocab) -> None:
    rows = _entities(
        bare_vocab, _ext("a", None, ("ORG", "Acme"), ("ORG", "Acme Group"), ("ORG", "Acme Holdings"))
    )
    assert set(rows) == {"Acme", "Acme Group", "Acme Holdings"}


def test_extra_distinctive_word_means_a_different_entity(bare_vocab: Vocab) -> None:
    rows = _entities(
        bare_vocab,
        _ext("a", None, ("ORG", "China Rare Earth Group"), ("ORG", "China Northern Rare Earth Group")),
        _ext("b", None, ("ORG", "China Southern Rare Earth Group"), ("ORG", "China Rare Earth")),
    )
    assert {
        "China Rare Earth Group",
        "China Northern Rare Earth Group",
        "China Southern Rare Earth Group",
    } <= set(rows)
    assert rows["China Northern Rare Earth Group"]["aliases"] == []
    assert rows["China Southern Rare Earth Group"]["aliases"] == []


def test_known_names_do_not_merge_look_alikes_either() -> None:
    rows = _entities(
        Vocab.load(),
        _ext("a", None, ("ORG", "China Rare Earth Group"), ("ORG", "China Northern Rare Earth Group")),
    )
    assert rows["China Rare Earth Group"]["mentions"] == 1
    assert rows["China Northern Rare Earth Group"]["mentions"] == 1


def test_fuzzy_merges_spelling_variants_only(bare_vocab: Vocab) -> None:
    rows = _entities(
        bare_vocab,
        _ext("a", None, ("ORG", "Shenghe Resources"), ("ORG", "Shenghe Resource"), ("PERSON", "Wang Wei")),
        _ext("b", None, ("PERSON", "Wang Wen"), ("ORG", "Lynas"), ("ORG", "Lyons")),
    )
    assert rows["Shenghe Resources"]["aliases"] == ["Shenghe Resource"]
    assert any(e.startswith("Shenghe Resource: fuzzy") for e in rows["Shenghe Resources"]["evidence"])
    assert {"Wang Wei", "Wang Wen", "Lynas", "Lyons"} <= set(rows)


def test_case_variants_merge_with_evidence(bare_vocab: Vocab) -> None:
    rows = _entities(
        bare_vocab, _ext("a", None, ("ORG", "Ningbo Institute")), _ext("b", None, ("ORG", "Ningbo institute"))
    )
    assert len(rows) == 1
    (row,) = rows.values()
    assert row["evidence"] == [f"{row['aliases'][0]}: same name up to case, punctuation, 'the' or possessive"]


def test_vocab_aliases_merge_and_name_the_entity(tmp_path: Path, bare_vocab: Vocab) -> None:
    (bare_vocab.dirs[0] / "organizations.tsv").write_text(
        "name\taliases\nBaogang Group\tBaotou Steel|Baogang\n"
    )
    rows = _entities(
        bare_vocab, _ext("a", None, ("ORG", "Baotou Steel")), _ext("b", None, ("ORG", "Baogang"))
    )
    assert list(rows) == ["Baogang Group"]
    assert (
        "Baotou Steel: listed as a form of Baogang Group in organizations.tsv"
        in rows["Baogang Group"]["evidence"]
    )


def test_labels_filter_and_sort_min_docs_limit(bare_vocab: Vocab) -> None:
    index = EntityIndex(bare_vocab, labels=["org"])
    index.add(
        _ext(
            "a",
            None,
            ("ORG", "Alpha Mining"),
            ("ORG", "Alpha Mining"),
            ("ORG", "Alpha Mining"),
            ("GPE", "China"),
        )
    )
    index.add(_ext("b", None, ("ORG", "Beta Metals"), ("ORG", "Zeta Magnets")))
    index.add(_ext("c", None, ("ORG", "Beta Metals")))
    rows = index.entities()
    assert {r.label for r in rows} == {"ORG"}
    assert [r.canonical for r in sort_entities(rows)] == ["Alpha Mining", "Beta Metals", "Zeta Magnets"]
    assert [r.canonical for r in sort_entities(rows, sort="docs")] == [
        "Beta Metals",
        "Alpha Mining",
        "Zeta Magnets",
    ]
    assert [r.canonical for r in sort_entities(rows, sort="name", limit=2)] == ["Alpha Mining", "Beta Metals"]
    assert [r.canonical for r in sort_entities(rows, min_docs=2)] == ["Beta Metals"]


def test_jsonl_records_group_back_into_documents() -> None:
    recs = [
        {"doc": "a", "published": "2025-01-01", "label": "ORG", "text": "CREIA", "start": 0, "end": 5,
         "canonical": "CREIA", "value": None, "inferred": False, "symbol": None},
        {"doc": "a", "published": "2025-01-01", "label": "GPE", "text": "China", "start": 9, "end": 14,
         "canonical": "China", "value": None, "inferred": False, "symbol": None},
        {"doc": "b", "published": None, "label": "ELEMENT", "text": "Nd", "start": 0, "end": 2,
         "canonical": "neodymium", "value": None, "inferred": False, "symbol": "Nd"},
    ]  # fmt: skip
    lines = [orjson.dumps(r) + b"\n" for r in recs]
    lines.insert(1, b"{not json\n")
    lines.insert(2, b"[1, 2]\n")
    errors: list[tuple[int, str]] = []
    out = list(read_jsonl_extractions(lines, lambda n, why: errors.append((n, why))))
    assert [e.document.doc for e in out] == ["a", "b"]
    assert out[0].document.published == "2025-01-01"
    assert [e.text for e in out[0].entities] == ["CREIA", "China"]
    assert out[1].entities[0].symbol == "Nd"
    assert [n for n, _ in errors] == [2, 3]


def test_elements_per_document_and_class() -> None:
    index = ElementIndex(Vocab.load())
    index.add(Extraction(Document("a", ""), [Entity("ELEMENT", "Nd", 0, 2, "neodymium", symbol="Nd")] * 3))
    index.add(
        Extraction(
            Document("b", ""),
            [
                Entity("ELEMENT", "dysprosium", 0, 10, "dysprosium", symbol="Dy"),
                Entity("ELEMENT", "Neodymium", 0, 9, "Neodymium"),
                Entity("ORG", "Nd Corp", 0, 7, "Nd Corp"),
            ],
        )
    )
    totals = [r.record() for r in index.totals()]
    assert totals[0] == {
        "element": "neodymium", "symbol": "Nd", "class": "light", "mentions": 4, "docs": 2,
        "per_doc": {"a": 3, "b": 1},
    }  # fmt: skip
    assert totals[1]["element"] == "dysprosium" and totals[1]["class"] == "heavy"
    assert index.classes() == {
        "light": {"elements": 1, "mentions": 4},
        "heavy": {"elements": 1, "mentions": 1},
    }
    assert next(iter(index.per_doc_records())) == {
        "doc": "a", "element": "neodymium", "symbol": "Nd", "class": "light", "mentions": 3,
    }  # fmt: skip


def test_elements_without_vocab_still_count(tmp_path: Path) -> None:
    index = ElementIndex(Vocab((tmp_path,)))
    index.add(Extraction(Document("a", ""), [Entity("ELEMENT", "Nd", 0, 2, "neodymium", symbol="Nd")]))
    (row,) = [r.record() for r in index.totals()]
    assert (row["element"], row["symbol"], row["class"], row["mentions"]) == ("neodymium", "Nd", None, 1)


# -- the store's fast path (issue 5) -------------------------------------------------------


def _both_paths(
    tmp_path: Path,
    vocab: Vocab,
    extractions: list[Extraction],
    labels: list[str] | None = None,
    few: int | None = None,
) -> tuple[list[dict], list[dict]]:
    """Entities of one stored corpus, per extraction (the old path, and stdin's) and from
    the store's SQL aggregate (what ``reetool entities`` now reads), in output order.
    With ``few``, names written more often are read from the counts kept per month."""
    from reetool.store import Store, statistics

    db = tmp_path / f"fast-{len(list(tmp_path.iterdir()))}.db"
    with Store.open(db) as st:
        st.save(extractions, "m")
    slow, fast = EntityIndex(vocab, labels=labels), EntityIndex(vocab, labels=labels)
    with Store.open(db, readonly=True) as st:
        for ext in st.extractions():
            slow.add(ext)
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(statistics, "FEW", statistics.FEW if few is None else few)
            fast.add_names(st.name_stats(fast.labels))
            return out(slow), out(fast)  # merged while open: a store's documents are read then


def out(index: EntityIndex) -> list[dict]:
    return [r.record(explain=True) for r in sort_entities(index.entities())]


def _stored(doc: str, published: str | None, *mentions: tuple[str, str] | tuple[str, str, str]) -> Extraction:
    ext = _ext(doc, published, *mentions)
    ext.document.digest = doc
    return ext


@pytest.mark.parametrize("few", [None, 0], ids=["from the mentions", "from the kept counts"])
def test_fast_path_counts_a_document_once_when_two_merged_names_share_it(
    tmp_path: Path, bare_vocab: Vocab, few: int | None
) -> None:
    creia = "China Rare Earth Industry Association"
    corpus = [
        # both names in one document: after the acronym merge, "a" must count once
        _stored("a", "2025-03-01", ("ORG", "CREIA"), ("ORG", creia), ("ORG", creia), ("GPE", "China")),
        _stored("b", "2024-12-31", ("ORG", "CREIA"), ("ORG", "Baogang Group"), ("ORG", "Baogang")),
        _stored("c", "", ("ORG", "the CREIA's", "CREIA"), ("ORG", "Baogang")),  # empty date: not a date
        _stored("d", None, ("ORG", "Lynas"), ("ORG", "LYNAS", ""), ("PERSON", "Li Wei")),  # no canonical
    ]
    slow, fast = _both_paths(tmp_path, bare_vocab, corpus, few=few)
    assert fast == slow
    row = next(r for r in fast if r["canonical"] == creia)
    assert (row["mentions"], row["docs"]) == (5, 3)
    assert (row["first_published"], row["last_published"]) == ("2024-12-31", "2025-03-01")
    assert "CREIA: acronym of China Rare Earth Industry Association" in row["evidence"]
    baogang = next(r for r in fast if r["canonical"] == "Baogang")
    assert (baogang["aliases"], baogang["mentions"], baogang["docs"]) == (["Baogang Group"], 3, 2)
    assert next(r for r in fast if r["canonical"] == "Lynas")["aliases"] == ["LYNAS"]
    only_org = _both_paths(tmp_path, bare_vocab, corpus, labels=["org"], few=few)
    assert only_org[0] == only_org[1] and {r["label"] for r in only_org[1]} == {"ORG"}


_NAMES = [
    ("ORG", "China Rare Earth Industry Association", None),
    ("ORG", "CREIA", None),
    ("ORG", "Baogang", None),
    ("ORG", "Baogang Group", None),
    ("ORG", "Baogang Holdings", None),
    ("ORG", "Lynas Rare Earths", None),
    ("ORG", "Lynas Rare Earth", None),
    ("ORG", "the Lynas Rare Earths'", "Lynas Rare Earths"),
    ("ORG", "MP Materials", ""),
    ("GPE", "China", None),
    ("GPE", "CHINA", None),
    ("PERSON", "Li Wei", None),
    ("PERSON", "Lu Wei", None),
    ("DATE", "March 2025", "2025-03"),
    ("ELEMENT", "Nd", "neodymium"),
]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    docs=st.lists(
        st.tuples(
            st.sampled_from(
                [None, "", "2024-01-05", "2025-06-30", "2023-11-11", "2025-06-02T08:00:00", "2025-06", "2024"]
            ),
            st.lists(st.sampled_from(range(len(_NAMES))), max_size=8),
        ),
        min_size=1,
        max_size=6,
    ),
    labels=st.sampled_from([None, ["ORG"], ["ORG", "PERSON"], ["DATE", "ELEMENT", "GPE"]]),
    few=st.sampled_from([None, 0, 1]),
)
def test_fast_path_equals_the_per_extraction_path(
    tmp_path: Path,
    bare_vocab: Vocab,
    docs: list[tuple[str | None, list[int]]],
    labels: list[str] | None,
    few: int | None,
) -> None:
    """``few``: names written more often are read from the counts kept per name and month
    (their first and last date found in their first and last month), not the mentions."""
    corpus = []
    for n, (published, picks) in enumerate(docs):
        mentions = [
            (label, text) if canonical is None else (label, text, canonical)
            for label, text, canonical in (_NAMES[k] for k in picks)
        ]
        corpus.append(_stored(f"doc{n}", published, *mentions))
    slow, fast = _both_paths(tmp_path, bare_vocab, corpus, labels, few)
    assert fast == slow


def test_a_name_node_counts_the_document_sets_it_is_given_without_changing_them() -> None:
    """A store's set for one name is kept as given (it may be a :class:`StoredDocuments`,
    only counted) and copied when a second set joins it: the caller's rows stay as read."""
    from reetool.name_merge import Node

    given, more = {"1", "2"}, {"2", "3"}
    node = Node("ORG", "lynas")
    node.count(2, given, None, None, "Lynas", ())
    assert node.docs is given
    node.count(1, more, None, None, "Lynas", ())
    node.count(1, ("4",), None, None, "Lynas", ())
    assert (given, more, node.docs) == ({"1", "2"}, {"2", "3"}, {"1", "2", "3", "4"})
