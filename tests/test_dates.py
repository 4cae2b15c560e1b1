"""Date normalisation: ISO 8601 values, rejected non-dates, and year inference."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reetool.cleaner import clean
from reetool.date_mentions import nearest_year, published_date
from reetool.dates import DateValue, is_date, normalise
from reetool.reader import read_paths
from reetool.vocab import Vocab

PUB = dt.date(2026, 1, 12)
UNKNOWN = "unknown"  # a date, but its value needs a publication date

# (text, published, year_hint, expected value or None, inferred)
CASES = [
    ("2025", None, None, "2025", False),
    ("December 2025", None, None, "2025-12", False),
    ("Dec. 2025", None, None, "2025-12", False),
    ("Sept 2025", None, None, "2025-09", False),
    ("December 26, 2025", None, None, "2025-12-26", False),
    ("26 December 2025", None, None, "2025-12-26", False),
    ("2025-12-26", None, None, "2025-12-26", False),
    ("Dec 26th, 2025", None, None, "2025-12-26", False),
    ("on Monday, December 1, 2025", None, None, "2025-12-01", False),
    ("12/26/2025", None, None, "2025-12-26", False),
    ("2025-12", None, None, "2025-12", False),
    ("the year 2025", None, None, "2025", False),
    ("FY2025", None, None, "2025", False),
    # ranges
    ("December 26–28, 2025", None, None, "2025-12-26/2025-12-28", False),
    ("December 26-28, 2025", None, None, "2025-12-26/2025-12-28", False),
    ("26–28 December 2025", None, None, "2025-12-26/2025-12-28", False),
    ("November 12 to 13, 2025", None, None, "2025-11-12/2025-11-13", False),
    ("November 12 through 13, 2025", None, None, "2025-11-12/2025-11-13", False),
    ("November 30 – December 2, 2025", None, None, "2025-11-30/2025-12-02", False),
    ("December 2025 to January 2026", None, None, "2025-12/2026-01", False),
    ("March–May 2025", None, None, "2025-03/2025-05", False),
    ("2024–2025", None, None, "2024/2025", False),
    ("2024-25", None, None, "2024/2025", False),
    ("between 2024 and 2025", None, None, "2024/2025", False),
    # periods
    ("Q3 2025", None, None, "2025-Q3", False),
    ("the third quarter of 2025", None, None, "2025-Q3", False),
    ("H1 2026", None, None, "2026-H1", False),
    ("first half of 2026", None, None, "2026-H1", False),
    ("the second half of 2025", None, None, "2025-H2", False),
    ("mid-2025", None, None, "2025", False),
    ("early 2026", None, None, "2026", False),
    ("the end of 2025", None, None, "2025", False),
    ("spring 2025", None, None, "2025-SP", False),
    ("the quarter ended Sept. 30, 2025", None, None, "2025-09-30", False),
    ("the fiscal year ending March 31, 2026", None, None, "2026-03-31", False),
    ("the 1990s", None, None, "1990/1999", False),
    # dates whose value needs a publication date nobody gave
    ("Monday", None, None, UNKNOWN, False),
    ("last month", None, None, UNKNOWN, False),
    ("today", None, None, UNKNOWN, False),
    ("Q3", None, None, UNKNOWN, False),
    ("third-quarter", None, None, UNKNOWN, False),
    # not dates
    ("two days", None, None, None, False),
    ("annual", None, None, None, False),
    ("Five-Year Plan", None, None, None, False),
    ("15th Five-Year Plan", None, None, None, False),
    ("the next five-year plan", None, None, None, False),
    ("recent years", None, None, None, False),
    ("decades", None, None, None, False),
    ("quarterly", None, None, None, False),
    ("the past year", None, None, None, False),
    ("weekly", None, None, None, False),
    ("daily", None, None, None, False),
    ("the past five years", PUB, None, None, False),
    ("later that year", PUB, None, None, False),
    ("30 years", None, None, None, False),
    ("13", None, None, None, False),
    ("February 30, 2025", None, None, None, False),
    # year inference
    ("December 26–28, 2025", PUB, None, "2025-12-26/2025-12-28", False),
    ("December", PUB, None, "2025-12", True),
    ("late December", PUB, None, "2025-12", True),
    ("March 20", PUB, None, "2026-03-20", True),
    ("November 12–13", None, 2025, "2025-11-12/2025-11-13", True),
    ("November 13", None, 2025, "2025-11-13", True),
    ("Dec 28 - Jan 3", PUB, None, "2025-12-28/2026-01-03", True),
    ("Q3", PUB, None, "2025-Q3", True),
    ("March 20", PUB, 2020, "2026-03-20", True),  # the publication date wins over a hint
    ("November 12–13", None, None, "--11-12/--11-13", False),
    ("March 20", None, None, "--03-20", False),
    ("December", None, None, "--12", False),
    ("February 29", None, None, "--02-29", False),
]


@pytest.mark.parametrize(("text", "published", "hint", "value", "inferred"), CASES)
def test_normalise(
    text: str, published: dt.date | None, hint: int | None, value: str | None, inferred: bool
) -> None:
    got = normalise(text, published=published, year_hint=hint)
    if value is None:
        assert got is None
    elif value is UNKNOWN:
        assert got == DateValue(None)
    else:
        assert got == DateValue(value, inferred)


IS_DATE = [
    ("December 26–28, 2025", True),
    ("November", True),
    ("last month", True),
    ("two days", False),
    ("Five-Year Plan", False),
]


@pytest.mark.parametrize(("text", "expected"), IS_DATE)
def test_is_date(text: str, expected: bool) -> None:
    assert is_date(text) is expected


def test_user_vocab_rejects_more_phrases(tmp_path: Path) -> None:
    (tmp_path / "date_phrases.tsv").write_text("phrase\tkind\nfestival\tplan\n")
    assert is_date("Spring 2025 festival") is False  # unknown word anyway; vocab rejects first
    assert is_date("2025", vocab=Vocab.load([tmp_path])) is True
    (tmp_path / "date_phrases.tsv").write_text("phrase\tkind\nsoonish\trelative\n")
    assert normalise("2025 soonish", vocab=Vocab.load([tmp_path])) is None


NEAREST = [
    # text, marker whose position is asked, expected
    ("In 2024 output grew. Then on March 3 a plant opened.", "March", 2024),
    ("China held its 2025 meeting from November 12. It approved 30 standards for 2026.", "November", 2025),
    ("Standards for 2026 were validated. Another 12 were approved on November 13.", "November", 2026),
    (
        "The 2025 meeting.\nPlans for 2026 and 2027.\nApproved on November 13, after the 2025 vote.",
        "November",
        2025,
    ),
    ("It shipped 2000 tonnes on May 5.", "May", None),
    ("Costs of $2025 were paid on May 5.", "May", None),
    ("No year here, May 5.", "May", None),
    ("FY2024 results; the 2025 budget.\n\nOn May 5 we met.", "May", 2025),  # tie: the nearest
]


@pytest.mark.parametrize(("text", "marker", "expected"), NEAREST)
def test_nearest_year(text: str, marker: str, expected: int | None) -> None:
    assert nearest_year(text, text.index(marker)) == expected


def test_seed_001_dates(seeds_dir: Path) -> None:
    """Seed 001 has no publication date; its yearless dates take 2025 from the text."""
    [source] = list(read_paths([str(seeds_dir / "001_beb163726df72447.txt")]))
    text = clean(source).text
    pos_range = text.index("from November 12") + len("from ")
    pos_day = text.index("on November 13") + len("on ")
    assert nearest_year(text, pos_range) == 2025
    assert nearest_year(text, pos_day) == 2025
    hint = nearest_year(text, pos_day)
    assert normalise("November 12–13", year_hint=hint) == DateValue("2025-11-12/2025-11-13", True)
    assert normalise("November 13", year_hint=hint) == DateValue("2025-11-13", True)


@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2099, 12, 31)))
def test_written_dates_round_trip(day: dt.date) -> None:
    iso = day.isoformat()
    assert normalise(day.strftime("%B %-d, %Y")) == DateValue(iso)
    assert normalise(day.strftime("%-d %b %Y")) == DateValue(iso)
    assert normalise(iso) == DateValue(iso)


@given(st.dates(min_value=dt.date(1901, 1, 1), max_value=dt.date(2098, 12, 31)), st.integers(-150, 150))
def test_inferred_year_is_nearest(published: dt.date, offset: int) -> None:
    """A yearless month-day within five months of publication gets its true year."""
    day = published + dt.timedelta(days=offset)
    if (day.month, day.day) == (2, 29):
        return
    got = normalise(day.strftime("%B %-d"), published=published)
    assert got == DateValue(day.isoformat(), True)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-01-12T04:22:21", dt.date(2026, 1, 12)),
        ("2026-01-12", dt.date(2026, 1, 12)),
        ("2026-02-30T00:00:00", None),
        ("yesterday", None),
        (None, None),
    ],
)
def test_published_date(value: str | None, expected: dt.date | None) -> None:
    assert published_date(value) == expected
