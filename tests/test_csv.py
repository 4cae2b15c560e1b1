"""CSV output: cells a spreadsheet would run as formulas come out as plain text."""

from __future__ import annotations

import csv
import io

import pytest

from reetool.cli.emit import csv_cell, write_csv


@pytest.mark.parametrize(
    "value",
    ['=HYPERLINK("http://x","y")', "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1", "=cmd|' /C calc'!A0"],
)
def test_formula_like_cells_are_neutralised(value: str) -> None:
    assert csv_cell(value) == "'" + value


@pytest.mark.parametrize("value", ["China Rare Earth Group", "3+4", "a=b", "", "Nd-Fe-B"])
def test_ordinary_cells_are_unchanged(value: str) -> None:
    assert csv_cell(value) == value


def test_other_types() -> None:
    assert csv_cell(None) == ""
    assert csv_cell(-5) == "-5"  # a number we produced, not text from an article
    assert csv_cell(True) == "true"
    assert csv_cell(["=A1", "CAS"]) == "'=A1; CAS"
    assert csv_cell({"ORG": 2}) == '{"ORG":2}'


def test_write_csv_round_trips_through_a_csv_reader() -> None:
    out = io.BytesIO()
    records = [
        {"canonical": "=1+2", "label": "ORG", "aliases": ["@x", "b,c"], "mentions": 3, "extra": "ignored"},
        {"canonical": 'Say "hi"\nthere', "label": "ORG", "aliases": [], "mentions": 1},
    ]
    write_csv(records, ["canonical", "label", "aliases", "mentions"], out)
    rows = list(csv.reader(io.StringIO(out.getvalue().decode("utf-8"))))
    assert rows == [
        ["canonical", "label", "aliases", "mentions"],
        ["'=1+2", "ORG", "'@x; b,c", "3"],
        ['Say "hi"\nthere', "ORG", "", "1"],
    ]
    assert not out.closed
