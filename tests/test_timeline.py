"""``reetool timeline``: exact counts per period on a store with known dates, undated
documents counted apart and reported, names merged as ``entities`` merges them, every
output format, and the seeds."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from pathlib import Path

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from reetool.cli import app
from reetool.store import Store
from reetool.timeline import build_timeline, period_of, periods_between, sparkline
from tests.conftest import ROOT, SEEDS
from tests.trend_corpus import build


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    return build(tmp_path / "trend.db")


def _series(path: Path, **kw) -> dict[str, tuple[dict[str, int], int]]:
    with Store.open(path, readonly=True) as store:
        t = build_timeline(store, **kw)
    return {s.entity: ({p: n for p, n in s.counts.items() if n}, s.undated) for s in t.series}


def test_period_names() -> None:
    assert period_of("2025-03-15T10:00:00", "month") == "2025-03"
    assert period_of("2025-03-15", "quarter") == "2025-Q1"
    assert period_of("2025-10", "quarter") == "2025-Q4"
    assert period_of("2025-12-31", "year") == "2025"
    for bad in (None, "", "n.d.", "2025", "2025-13-01", "March 2025"):
        assert period_of(bad, "month") is None


@given(st.integers(1990, 2030), st.integers(1, 12), st.integers(0, 40), st.sampled_from(["month", "quarter"]))
def test_periods_between_has_no_gaps(year: int, month: int, extra: int, by: str) -> None:
    first = period_of(f"{year}-{month:02d}", by)
    assert first is not None
    total = year * 12 + month - 1 + extra
    last = period_of(f"{total // 12}-{total % 12 + 1:02d}", by)
    assert last is not None
    got = periods_between(first, last, by)
    assert got[0] == first and got[-1] == last
    assert got == sorted(got) and len(set(got)) == len(got)
    months = extra + 1 if by == "month" else None
    if months is not None:
        assert len(got) == months


def test_mentions_per_month_are_exact(store_path: Path) -> None:
    with Store.open(store_path, readonly=True) as store:
        t = build_timeline(store, by="month", label="ELEMENT")
    assert t.periods[0] == "2025-01" and t.periods[-1] == "2026-02" and len(t.periods) == 14
    assert (t.documents, t.undated_documents) == (7, 2)  # e.txt has none, f.txt has "n.d."
    got = {s.entity: ({p: n for p, n in s.counts.items() if n}, s.undated) for s in t.series}
    assert got == {
        "dysprosium": ({"2025-01": 4, "2026-02": 1}, 2),  # "Dy" in b.txt counts as dysprosium
        "terbium": ({"2025-01": 2, "2025-03": 1}, 1),
        "neodymium": ({"2025-07": 4}, 0),
    }
    assert [s.entity for s in t.series] == ["dysprosium", "terbium", "neodymium"]  # most mentioned first


def test_quarters_years_and_documents(store_path: Path) -> None:
    assert _series(store_path, by="quarter", label="ELEMENT")["dysprosium"] == (
        {"2025-Q1": 4, "2026-Q1": 1},
        2,
    )
    assert _series(store_path, by="year", label="ELEMENT")["terbium"] == ({"2025": 3}, 1)
    docs = _series(store_path, by="year", label="ELEMENT", measure="docs")
    assert docs["dysprosium"] == ({"2025": 2, "2026": 1}, 1)


def test_names_merge_as_entities_merges_them(store_path: Path) -> None:
    # "Lynas Rare Earths Ltd" and "Lynas" are the same company; c.txt uses two forms
    # and must count once as a document, twice as mentions.
    mentions = _series(store_path, by="month", label="ORG", names=["Lynas"])
    assert mentions == {"Lynas Rare Earths": ({"2025-01": 2, "2025-03": 2}, 1)}
    docs = _series(store_path, by="month", label=None, names=["lynas rare earths ltd"], measure="docs")
    assert docs == {"Lynas Rare Earths": ({"2025-01": 1, "2025-03": 1}, 1)}


def test_since_and_until_narrow_the_periods_not_the_undated(store_path: Path) -> None:
    with Store.open(store_path, readonly=True) as store:
        t = build_timeline(store, label="ELEMENT", since="2025-02", until="2025-12-31", by="quarter")
    assert t.periods == ["2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4"]
    got = {s.entity: (dict(s.counts), s.undated) for s in t.series}
    assert got["terbium"] == ({"2025-Q1": 3}, 1)  # quarter of 2025-02 includes January


def test_sparkline_scales_to_the_top() -> None:
    assert sparkline([0, 1, 8, 4], 8) == " ▁█▄"
    assert sparkline([3], 0) == " "


# -- the command ---------------------------------------------------------------------------


def _run(args: list[str], **kw) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, args, **kw)
    return result.exit_code, result.stdout, result.stderr


def test_jsonl_has_a_row_per_entity_and_period_and_reports_undated(store_path: Path) -> None:
    code, out, err = _run(["timeline", "--by", "year", "--db", str(store_path), "--format", "jsonl"])
    assert code == 0
    rows = [orjson.loads(line) for line in out.splitlines()]
    assert rows[:3] == [
        {"entity": "dysprosium", "label": "ELEMENT", "period": "2025", "mentions": 4},
        {"entity": "dysprosium", "label": "ELEMENT", "period": "2026", "mentions": 1},
        {"entity": "dysprosium", "label": "ELEMENT", "period": None, "mentions": 2},
    ]
    assert len(rows) == 3 + 3 + 2  # neodymium has no undated row
    assert "2 of 7 documents have no publication date" in err


def test_csv_one_row_per_entity_and_period(store_path: Path) -> None:
    code, out, _ = _run(
        ["timeline", "--db", str(store_path), "-f", "csv", "--entity", "Dy", "--entity", "Tb", "--docs"]
    )
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert list(rows[0]) == ["entity", "label", "period", "docs"]
    dy = {r["period"]: int(r["docs"]) for r in rows if r["entity"] == "dysprosium"}
    assert len(dy) == 15 and dy["2025-01"] == 2 and dy["2026-02"] == 1 and dy[""] == 1
    assert sum(dy.values()) == 4


def test_chart_fits_80_columns_and_says_what_is_undated(store_path: Path) -> None:
    code, out, _ = _run(
        ["timeline", "--db", str(store_path), "-f", "table"], env={"COLUMNS": "80", "NO_COLOR": "1"}
    )
    assert code == 0
    assert max(len(line) for line in out.splitlines()) <= 80
    assert "2025-01 → 2026-02" in out
    assert "2 of 7 documents undated" in out
    dy = next(line for line in out.splitlines() if line.strip().startswith("dysprosium"))
    assert "█" in dy and dy.split()[-3:] == ["5", "4", "2"]  # dated, peak, undated


def test_unknown_entity_and_bad_period_are_one_line_errors(store_path: Path) -> None:
    code, _, err = _run(["timeline", "--db", str(store_path), "--entity", "Nobody Inc"])
    assert code == 1 and err.count("\n") == 1 and "'Nobody Inc'" in err
    code, _, err = _run(["timeline", "--db", str(store_path), "--by", "week"])
    assert code == 2 and "week" in err


@pytest.mark.slow
def test_seeds_timeline_agrees_with_entities(tmp_path: Path) -> None:
    db = tmp_path / "seeds.db"
    env = {"REETOOL_DB": str(db), "PYTHONPATH": str(ROOT)}
    run = [sys.executable, "-m", "reetool"]
    subprocess.run(
        [*run, "extract", str(SEEDS), "--format", "jsonl"], env=env, check=True, capture_output=True
    )
    done = subprocess.run([*run, "timeline", "--limit", "50"], env=env, check=True, capture_output=True)
    rows = [orjson.loads(line) for line in done.stdout.splitlines()]
    ents = subprocess.run([*run, "entities", "--type", "ELEMENT"], env=env, check=True, capture_output=True)
    totals = {r["canonical"]: r["mentions"] for r in map(orjson.loads, ents.stdout.splitlines())}
    per_entity: dict[str, int] = {}
    for r in rows:
        per_entity[r["entity"]] = per_entity.get(r["entity"], 0) + r["mentions"]
    assert per_entity == totals  # dated and undated together: nothing dropped
    assert any(r["period"] is None for r in rows)
    assert b"documents have no publication date" in done.stderr


def test_a_bare_year_limits_whole_years(store_path: Path) -> None:
    with Store.open(store_path, readonly=True) as store:
        t = build_timeline(store, label="ELEMENT", since="2025", until="2025")
    assert t.periods[0] == "2025-01" and t.periods[-1] == "2025-12"
    code, _, err = _run(["timeline", "--db", str(store_path), "--since", "last spring"])
    assert code == 2 and "not an ISO date" in err
