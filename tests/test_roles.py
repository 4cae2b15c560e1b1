"""Roles: patterns over hand-placed entities (no model), the ROLE record, the store, `reetool people`."""

from __future__ import annotations

import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner

from reetool.cli import app
from reetool.document import Document, Entity, Extraction
from reetool.records import ROLE_COLUMNS, entity_record, read_jsonl_extractions
from reetool.roles import find_roles, load_titles
from reetool.store import Store
from reetool.vocab import Vocab

TITLES = load_titles(Vocab.load())
ROOT = Path(__file__).resolve().parent.parent


def _ents(text: str, people: tuple[str, ...], orgs: tuple[str, ...] = ()) -> list[Entity]:
    out = []
    for label, names in (("PERSON", people), ("ORG", orgs)):
        for name in names:
            start = text.index(name)
            out.append(Entity(label, name, start, start + len(name), name))
    return sorted(out, key=lambda e: e.start)


def _roles(
    text: str, people: tuple[str, ...], orgs: tuple[str, ...] = ()
) -> set[tuple[str, str | None, str | None]]:
    return {(r.canonical, r.title, r.org) for r in find_roles(text, _ents(text, people, orgs), TITLES)}


@pytest.mark.parametrize(
    ("text", "people", "orgs", "expected"),
    [
        (
            "Tom O'Leary, managing director of Iluka Resources, said sales rose.",
            ("Tom O'Leary",),
            ("Iluka Resources",),
            {("Tom O'Leary", "managing director", "Iluka Resources")},
        ),
        ("Ucore CEO Pat Ryan spoke.", ("Pat Ryan",), ("Ucore",), {("Pat Ryan", "CEO", "Ucore")}),
        (
            "Party Secretary and Chairman Liu Leiyun met them.",
            ("Liu Leiyun",),
            (),
            {("Liu Leiyun", "Party Secretary and Chairman", None)},
        ),
        (
            "Iluka's finance director Adele Stratton said so.",
            ("Adele Stratton",),
            ("Iluka",),
            {("Adele Stratton", "finance director", "Iluka")},
        ),
        (
            "Guests included the chair of Arafura's board, Mark Southey.",
            ("Mark Southey",),
            ("Arafura",),
            {("Mark Southey", "chair", "Arafura")},
        ),
        (
            "Tae-Yoon Kim of the International Energy Agency disagreed.",
            ("Tae-Yoon Kim",),
            ("International Energy Agency",),
            {("Tae-Yoon Kim", None, "International Energy Agency")},
        ),
        ("Trade Minister Don Farrell said.", ("Don Farrell",), (), {("Don Farrell", "Trade Minister", None)}),
        # a government title names its body only when the text does
        (
            "Commerce Ministry spokesperson He Yadong said.",
            ("He Yadong",),
            ("Commerce Ministry",),
            {("He Yadong", "spokesperson", "Commerce Ministry")},
        ),
        # "its" resolved when one organization is named before it ...
        (
            "Lynas Rare Earths said profit fell. Its general manager, Mashal Ahmad, was upbeat.",
            ("Mashal Ahmad",),
            ("Lynas Rare Earths",),
            {("Mashal Ahmad", "general manager", "Lynas Rare Earths")},
        ),
        # ... and left empty when two are: never guessed
        (
            "Lynas and Iluka reported. Its general manager, Mashal Ahmad, was upbeat.",
            ("Mashal Ahmad",),
            ("Lynas", "Iluka"),
            {("Mashal Ahmad", "general manager", None)},
        ),
        # a professor with no organization keeps no organization
        (
            "Jane Roe, a professor, said supply was tight at Lynas.",
            ("Jane Roe",),
            ("Lynas",),
            {("Jane Roe", "professor", None)},
        ),
        # lists: one role per person; a title after a name is not the next name's
        (
            "Attending were CAS Academician Shen Baogen, China Rare Earth Group Board Secretary Yang Jie, "
            "and Zhang Jiayuan, Party Secretary of the Ningbo Institute.",
            ("Shen Baogen", "Yang Jie", "Zhang Jiayuan"),
            ("CAS", "China Rare Earth Group", "Ningbo Institute"),
            {
                ("Shen Baogen", "Academician", "CAS"),
                ("Yang Jie", "Board Secretary", "China Rare Earth Group"),
                ("Zhang Jiayuan", "Party Secretary", "Ningbo Institute"),
            },
        ),
        (
            "Ann Lee, chief executive of Lynas, Bob Stone and others met.",
            ("Ann Lee", "Bob Stone"),
            ("Lynas",),
            {("Ann Lee", "chief executive", "Lynas")},
        ),
        # no person, no role
        (
            "The Ministry of Commerce spokesperson said exports would continue.",
            (),
            ("Ministry of Commerce",),
            set(),
        ),
        # a chain of names points to the most specific one
        (
            "Wang Liping, Director of the Chinese Academy of Sciences (CAS) Ningbo Institute, spoke.",
            ("Wang Liping",),
            ("Chinese Academy of Sciences", "CAS", "Ningbo Institute"),
            {("Wang Liping", "Director", "Ningbo Institute")},
        ),
    ],
)
def test_role_patterns(text, people, orgs, expected) -> None:
    assert _roles(text, people, orgs) == expected


def test_title_groups_merge_writings_but_keep_ranks_apart() -> None:
    g = TITLES.group
    assert g("CEO") == g("chief executive") == g("Chief Executive Officer") == "chief executive officer"
    assert g("co-chairman") != g("chairman") == g("chair")
    assert g("deputy CEO") == "deputy chief executive officer"
    assert g("Chairman and CEO") == "chair and chief executive officer"


def test_one_record_per_person_title_and_org() -> None:
    text = "Pat Ryan, CEO of Ucore, spoke. Ucore CEO Pat Ryan added. CEO Pat Ryan left."
    ents = [
        Entity(label, m.group(), m.start(), m.end(), m.group())
        for label, name in (("PERSON", "Pat Ryan"), ("ORG", "Ucore"))
        for m in re.finditer(name, text)
    ]
    roles = find_roles(text, sorted(ents, key=lambda e: e.start), TITLES)
    # "CEO Pat Ryan" without an organization says nothing the first two did not
    assert [(r.canonical, r.title, r.org) for r in roles] == [("Pat Ryan", "CEO", "Ucore")]


def test_role_record_keys_and_round_trip() -> None:
    doc = Document("a.txt", "", published="2025-01-02")
    role = Entity("ROLE", "Ucore CEO Pat Ryan", 0, 18, "Pat Ryan", title="CEO", org="Ucore")
    rec = entity_record(doc, role)
    assert tuple(rec) == ROLE_COLUMNS
    assert rec["person"] == "Pat Ryan" and rec["title"] == "CEO" and rec["org"] == "Ucore"
    person = entity_record(doc, Entity("PERSON", "Pat Ryan", 10, 18, "Pat Ryan"))
    assert "title" not in person and "canonical" in person
    (back,) = read_jsonl_extractions([orjson.dumps(rec)])
    assert back.entities == [role]


def _store_with_roles(path: Path) -> None:
    text = "Pat Ryan, CEO of Ucore, spoke."
    ents = _ents(text, ("Pat Ryan",), ("Ucore",))
    ents += find_roles(text, ents, TITLES)
    with Store.open(path) as store:
        store.save([Extraction(Document("a.txt", text, published="2025-03-01", digest="x"), ents)], "m")


def test_roles_are_stored_and_served(tmp_path) -> None:
    path = tmp_path / "s.db"
    _store_with_roles(path)
    with Store.open(path, readonly=True) as store:
        ext = store.get("a.txt")
        assert ext is not None
        assert [(e.canonical, e.title, e.org) for e in ext.entities if e.label == "ROLE"] == [
            ("Pat Ryan", "CEO", "Ucore")
        ]
        ((doc, published, role, sentence),) = list(store.roles())
        assert (doc, published, role.title, sentence) == (
            "a.txt",
            "2025-03-01",
            "CEO",
            "Pat Ryan, CEO of Ucore, spoke.",
        )


def test_roles_have_a_view_of_their_own_and_are_no_entity_totals(tmp_path) -> None:
    path = tmp_path / "s.db"
    _store_with_roles(path)
    with sqlite3.connect(path) as conn:
        query = "SELECT doc, published, person, title, org, evidence FROM document_roles"
        rows = conn.execute(query).fetchall()
        labels = {label for (label,) in conn.execute("SELECT DISTINCT label FROM entity_totals")}
    assert [(Path(doc).name, *rest) for doc, *rest in rows] == [
        ("a.txt", "2025-03-01", "Pat Ryan", "CEO", "Ucore", "Pat Ryan, CEO of Ucore")
    ]
    assert labels == {"PERSON", "ORG"}


def test_people_command_from_store_and_pipe(tmp_path) -> None:
    path = tmp_path / "s.db"
    _store_with_roles(path)
    runner = CliRunner()
    out = runner.invoke(app, ["people", "--db", str(path), "--format", "jsonl", "--explain"])
    assert out.exit_code == 0, out.output
    (rec,) = [orjson.loads(line) for line in out.stdout.splitlines()]
    # organizations merge as `reetool entities` merges them: vocab/organizations.tsv knows Ucore
    assert rec["person"] == "Pat Ryan" and rec["organizations"] == ["Ucore Rare Metals"] and rec["docs"] == 1
    assert rec["first_published"] == "2025-03-01" and "Pat Ryan, CEO of Ucore" in rec["evidence"][0]
    none = runner.invoke(app, ["people", "--db", str(path), "--format", "json", "--org", "Lynas"])
    assert orjson.loads(none.stdout) == []
    some = runner.invoke(app, ["people", "--db", str(path), "--format", "json", "--org", "Ucore"])
    assert [r["person"] for r in orjson.loads(some.stdout)] == ["Pat Ryan"]
    csv_out = runner.invoke(app, ["people", "--db", str(path), "--format", "csv"])
    assert csv_out.stdout.splitlines()[0].startswith("person,titles,organizations")


@pytest.mark.slow
def test_extract_type_role_on_the_heldout_set() -> None:
    """End to end in a real process: only ROLE records, in the ROLE shape."""
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "reetool",
            "extract",
            str(ROOT / "tests/data/roles-heldout/r4_europe.txt"),
            "--no-store",
            "--format",
            "jsonl",
            "--type",
            "ROLE",
        ],
        capture_output=True,
        check=True,
        cwd=ROOT,
    )
    recs = [orjson.loads(line) for line in proc.stdout.splitlines()]
    assert recs and all(tuple(r) == ROLE_COLUMNS for r in recs)
    assert {"person": "Pat Ryan", "title": "CEO"}.items() <= next(
        r for r in recs if r["person"] == "Pat Ryan"
    ).items()


def test_a_store_from_before_roles_reads_and_upgrades(tmp_path, monkeypatch) -> None:
    from reetool.store import schema as store_mod

    path = tmp_path / "s.db"
    text = "Pat Ryan, CEO of Ucore, spoke."
    with monkeypatch.context() as m:  # the store as the release before roles made it
        m.setattr(store_mod, "MIGRATIONS", store_mod.MIGRATIONS[:-1])
        with Store.open(path) as old:
            old.save([Extraction(Document("old.txt", text, digest="o"), _ents(text, ("Pat Ryan",)))], "m")
    with Store.open(path, readonly=True) as ro:  # read as it is: no roles, nothing lost
        assert ro.get("old.txt").entities == _ents(text, ("Pat Ryan",))  # type: ignore[union-attr]
        assert list(ro.roles()) == []
    _store_with_roles(path)  # a writer upgrades it and stores roles
    with Store.open(path, readonly=True) as ro:
        assert ro.conn.execute("PRAGMA user_version").fetchone()[0] == len(store_mod.MIGRATIONS)
        assert [r.title for _, _, r, _ in ro.roles()] == ["CEO"]
        assert ro.get("old.txt").entities == _ents(text, ("Pat Ryan",))  # type: ignore[union-attr]


def test_json_groups_roles_apart_and_show_highlights_names_not_roles() -> None:
    from reetool.html_page import visible_entities
    from reetool.records import extraction_record

    text = "Pat Ryan, CEO of Ucore, spoke."
    ents = _ents(text, ("Pat Ryan",), ("Ucore",))
    ents += find_roles(text, ents, TITLES)
    assert [e.label for e in visible_entities(text, ents)] == ["PERSON", "ORG"]
    rec = extraction_record(Document("a.txt", text), ents)
    assert set(rec["entities"]) == {"PERSON", "ORG"}
    assert rec["roles"] == [
        {
            "text": "Pat Ryan, CEO of Ucore",
            "start": 0,
            "end": 22,
            "person": "Pat Ryan",
            "title": "CEO",
            "org": "Ucore",
        }
    ]
