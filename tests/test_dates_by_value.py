"""``reetool entities`` lists a DATE by its normalised value, its wordings as aliases
(issue 15): on documents whose dates are known, read from the store and from a pipe, in
every format; and on the seeds, extracted by the real pipeline."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner

from reetool.cli import app
from reetool.document import Document, Entity, Extraction
from reetool.records import entity_record
from reetool.store import Store

runner = CliRunner()


def _doc(name: str, published: str, text: str, *dates: tuple[str, str | None]) -> Extraction:
    """A document whose DATE mentions are (wording, value), in order of appearance."""
    ents, pos = [], 0
    for wording, value in dates:
        start = text.index(wording, pos)
        ents.append(Entity("DATE", wording, start, start + len(wording), wording, value=value))
        pos = start + 1
    ents.append(Entity("ORG", "Lynas", text.index("Lynas"), text.index("Lynas") + 5, "Lynas"))
    return Extraction(Document(name, text, published=published, digest=name), ents)


def _known_dates() -> list[Extraction]:
    return [
        _doc(
            "jan.txt",
            "2026-01-12",
            "Lynas said last month, in December 2025, output rose; Last month was cold. Next week: more.",
            ("last month", "2025-12"),
            ("December 2025", "2025-12"),
            ("Last month", "2025-12"),
            ("Next week", None),
        ),
        _doc(
            "feb.txt",
            "2026-02-03",
            "Lynas said last month that on 2 January 2026 a plant opened. Next week it expands.",
            ("last month", "2026-01"),
            ("2 January 2026", "2026-01-02"),
            ("Next week", None),
        ),
        _doc(
            "dec.txt",
            "2025-12-30",
            "Lynas shipped on 30 December; December was busy.",
            ("30 December", "2025-12-30"),
            ("December", "2025-12"),
        ),
    ]


EXPECTED = [  # (canonical, aliases, mentions, docs, first, last)
    ("2025-12", ["December", "December 2025", "Last month", "last month"], 4, 2, "2025-12-30", "2026-01-12"),
    ("Next week", [], 2, 2, "2026-01-12", "2026-02-03"),  # no value: grouped by wording
    ("2025-12-30", ["30 December"], 1, 1, "2025-12-30", "2025-12-30"),
    ("2026-01", ["last month"], 1, 1, "2026-02-03", "2026-02-03"),  # the same words, another month
    ("2026-01-02", ["2 January 2026"], 1, 1, "2026-02-03", "2026-02-03"),
]


def _rows(records: list[dict]) -> list[tuple]:
    return [
        (r["canonical"], r["aliases"], r["mentions"], r["docs"], r["first_published"], r["last_published"])
        for r in records
        if r["label"] == "DATE"
    ]


@pytest.fixture
def store(tmp_path: Path) -> Path:
    path = tmp_path / "dates.db"
    with Store.open(path) as st:
        st.save(_known_dates(), model="test")
    return path


def test_dates_are_grouped_by_value_from_the_store_and_from_a_pipe(store: Path) -> None:
    from_store = runner.invoke(app, ["entities", "--type", "DATE", "--db", str(store), "-f", "jsonl"])
    assert from_store.exit_code == 0, from_store.output
    assert _rows([orjson.loads(line) for line in from_store.stdout.splitlines()]) == EXPECTED
    piped = "".join(
        orjson.dumps(entity_record(ext.document, e)).decode() + "\n"
        for ext in _known_dates()
        for e in ext.entities
    )
    from_pipe = runner.invoke(app, ["entities", "--type", "DATE", "-f", "jsonl"], input=piped)
    assert from_pipe.exit_code == 0, from_pipe.output
    assert from_pipe.stdout == from_store.stdout
    # Without --type the dates are grouped the same way, beside the other labels.
    everything = runner.invoke(app, ["entities", "--db", str(store), "-f", "jsonl"])
    assert _rows([orjson.loads(line) for line in everything.stdout.splitlines()]) == EXPECTED


def test_every_format_shows_the_value_with_its_wordings(store: Path) -> None:
    base = ["entities", "--type", "DATE", "--db", str(store)]
    as_json = orjson.loads(runner.invoke(app, [*base, "-f", "json"]).stdout)
    assert _rows(as_json) == EXPECTED
    as_csv = list(csv.DictReader(io.StringIO(runner.invoke(app, [*base, "-f", "csv"]).stdout)))
    assert [(r["canonical"], r["aliases"], r["mentions"]) for r in as_csv] == [
        (c, "; ".join(a), str(m)) for c, a, m, *_ in EXPECTED
    ]
    table = runner.invoke(app, [*base, "-f", "table"], env={"COLUMNS": "160"}).stdout
    first = next(line for line in table.splitlines() if "2025-12 " in line)
    assert "December, December 2025, Last month, last month" in first and "│        4 │" in first
    explained = runner.invoke(app, [*base, "-f", "jsonl", "--explain", "--limit", "1"]).stdout
    assert orjson.loads(explained)["evidence"][0] == "December: a date whose normalised value is 2025-12"


@pytest.mark.slow
def test_seed_dates_are_grouped_by_value(tmp_path: Path, extractor, seeds_dir: Path) -> None:
    from reetool.cleaner import clean_all
    from reetool.document import Failure
    from reetool.reader import read_paths

    docs = [d for d in clean_all(read_paths([str(seeds_dir)])) if not isinstance(d, Failure)]
    path = tmp_path / "seeds.db"
    with Store.open(path) as st:
        st.save(list(extractor.extract(docs)), model="test")
    out = runner.invoke(app, ["entities", "--type", "DATE", "--db", str(path), "-f", "jsonl"]).stdout
    rows = {r["canonical"]: r for r in map(orjson.loads, out.splitlines())}
    # The story of 12 January 2026 says "last month" three times and "December" once.
    assert rows["2025-12"]["aliases"] == ["December", "Last month", "last month"]
    assert rows["2025-12"]["mentions"] == 4
    assert rows["2025-11-17"]["aliases"] == ["November 17"] and rows["2025-11-17"]["mentions"] == 2
    assert rows["--02-05"]["aliases"] == ["February 5"]  # a day without a year
    assert "last month" not in rows and "November 17" not in rows
