"""Relative dates against fixed publication dates, one kind of phrase at a time, and the
document-level date rules on ``spacy.blank("en")`` documents with preset entities (no
statistical model: each test takes milliseconds and cannot depend on the model's mood)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import spacy
from hypothesis import given
from hypothesis import strategies as st

from reetool.date_mentions import claim_dates, document_dates, tense_at
from reetool.date_vocab import DateValue, phrases
from reetool.dates import normalise
from reetool.document import Entity
from reetool.extractor import doc_mentions
from reetool.vocab import Vocab

MON = dt.date(2026, 1, 12)  # a Monday, the example
FRI = dt.date(1998, 5, 1)  # a Friday


def value(text: str, published: dt.date | None = MON, tense: int = 0) -> str | None:
    got = normalise(text, published=published, tense=tense)
    assert got is not None, f"{text!r} should be a date"
    return got.value


@pytest.mark.parametrize(
    ("text", "expected"),
    [("today", "2026-01-12"), ("Yesterday", "2026-01-11"), ("tomorrow", "2026-01-13"),
     ("tonight", "2026-01-12"), ("yesterday morning", "2026-01-11"), ("this morning", "2026-01-12"),
     ("earlier today", "2026-01-12")],
)  # fmt: skip
def test_day_words(text: str, expected: str) -> None:
    assert value(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("last month", "2025-12"), ("this month", "2026-01"), ("next month", "2026-02"),
     ("this year", "2026"), ("last year's", "2025"), ("next year", "2027"), ("earlier this year", "2026"),
     ("the end of last year", "2025"), ("last week", "2026-W02"), ("next week", "2026-W04"),
     ("this weekend", "2026-W03-WE"), ("last quarter", "2025-Q4"), ("this quarter", "2026-Q1"),
     ("next half", "2026-H2")],
)  # fmt: skip
def test_shifted_periods(text: str, expected: str) -> None:
    assert value(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("third-quarter", "2025-Q3"), ("the third quarter", "2025-Q3"), ("the first half", "2026-H1"),
     ("the fourth quarter", "2025-Q4"), ("Q2", "2026-Q2")],
)  # fmt: skip
def test_quarters_and_halves_without_year_take_the_nearest(text: str, expected: str) -> None:
    assert value(text) == expected


@pytest.mark.parametrize(
    ("text", "published", "expected"),
    [("last fall", MON, "2025-FA"), ("this fall", dt.date(2025, 10, 1), "2025-FA"),
     ("last winter", dt.date(2026, 6, 1), "2025-WI"), ("this winter", MON, "2025-WI"),
     ("next spring", MON, "2026-SP"), ("fall 2024", None, "2024-FA"),
     ("summer", dt.date(2026, 5, 20), "2026-SU")],
)  # fmt: skip
def test_seasons(text: str, published: dt.date | None, expected: str) -> None:
    assert value(text, published) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("the year ended March 31", "2025-03-31"), ("the quarter ended Sept. 30", "2025-09-30"),
     ("the three months ended June 30, 2025", "2025-06-30"),
     ("fiscal year ending March 31, 2027", "2027-03-31"), ("the year ending March 31", "2026-03-31")],
)  # fmt: skip
def test_fiscal_periods_are_the_day_they_end(text: str, expected: str) -> None:
    assert value(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("two years ago", "2024"), ("11 days ago", "2026-01-01"), ("a month ago", "2025-12"),
     ("almost four years ago", "2022"), ("three weeks ago", "2025-W52"), ("a year from now", "2027")],
)  # fmt: skip
def test_counted_back_from_publication(text: str, expected: str) -> None:
    assert value(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("last October", "2025-10"), ("next March", "2026-03"), ("last January", "2025-01"),
     ("last Oct. 23", "2025-10-23"), ("April next year", "2027-04"), ("early October this year", "2026-10")],
)  # fmt: skip
def test_months_with_their_direction_written(text: str, expected: str) -> None:
    assert value(text) == expected


@pytest.mark.parametrize(
    ("text", "tense", "expected"),
    [("Monday", 1, "1998-05-04"), ("on Monday", -1, "1998-04-27"), ("Monday", 0, "1998-04-27"),
     ("Friday", 0, "1998-05-01"), ("Friday", 1, "1998-05-01"), ("last Friday", 0, "1998-04-24"),
     ("next Friday", 0, "1998-05-08"), ("last Monday", 1, "1998-04-27"), ("Thursday night", 0, "1998-04-30")],
)  # fmt: skip
def test_weekdays_by_tense(text: str, tense: int, expected: str) -> None:
    """The issue's case: "will meet Monday" in an article of Friday 1998-05-01 is May 4."""
    assert value(text, FRI, tense) == expected


@pytest.mark.parametrize(
    ("text", "published", "tense", "expected"),
    [("March", dt.date(1989, 11, 2), -1, "1989-03"),  # the case: not 1990-03
     ("March", dt.date(1989, 11, 2), 0, "1990-03"),  # no tense: the nearest
     ("Oct. 23", dt.date(1999, 5, 6), -1, "1998-10-23"), ("April", dt.date(1998, 12, 3), 1, "1999-04"),
     ("Jan. 14", dt.date(2000, 1, 6), -1, "2000-01-14")],  # a week away: the nearest whatever the verb
)  # fmt: skip
def test_yearless_months_by_tense_when_the_nearest_contradicts_it(
    text: str, published: dt.date, tense: int, expected: str
) -> None:
    assert value(text, published, tense) == expected


@pytest.mark.parametrize(
    "text",
    ["last month", "yesterday", "this year", "last Friday", "on Monday", "third-quarter", "two years ago",
     "this fall", "last Oct. 23", "April next year"],
)  # fmt: skip
def test_without_a_publication_date_a_relative_phrase_is_a_date_without_value(text: str) -> None:
    assert normalise(text) == DateValue(None)


@pytest.mark.parametrize(
    "text",
    ["two days", "five years", "the past five years", "annual", "quarterly", "every Monday", "recent years",
     "decades", "later that year", "several years"],
)  # fmt: skip
def test_durations_frequencies_and_vague_phrases_are_not_dates(text: str) -> None:
    assert normalise(text, published=MON) is None


@given(st.dates(min_value=dt.date(1901, 1, 1), max_value=dt.date(2098, 12, 31)), st.integers(0, 6))
def test_weekday_lies_within_a_week_in_the_direction_of_the_tense(published: dt.date, day: int) -> None:
    name = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")[day]
    past = dt.date.fromisoformat(value(name, published, -1) or "")
    future = dt.date.fromisoformat(value(name, published, 1) or "")
    assert past.weekday() == future.weekday() == day
    assert 0 <= (published - past).days < 7 and 0 <= (future - published).days < 7


def test_user_vocab_adds_a_day_word(tmp_path: Path) -> None:
    (tmp_path / "date_phrases.tsv").write_text("phrase\tkind\tvalue\novermorrow\tday\t2\n", encoding="utf-8")
    assert normalise("overmorrow", published=MON) is None
    vocab = Vocab.load([tmp_path])
    assert normalise("overmorrow", published=MON, vocab=vocab) == DateValue("2026-01-14", True)


# -- tense ---------------------------------------------------------------------------------------

PH = phrases(Vocab.load())


@pytest.mark.parametrize(
    ("sentence", "tense"),
    [("The board will meet Monday to decide.", 1), ("The board met Monday.", -1),
     ("He said Monday that talks would resume.", -1), ("He said talks will resume Monday.", 1),
     ("The team planned to leave Nairobi on Monday.", 1), ("Monday is a holiday.", 0),
     ("Output rose 5%. Talks resume Monday. They said so.", 0)],
)  # fmt: skip
def test_tense_is_the_cue_nearest_to_the_date(sentence: str, tense: int) -> None:
    start = sentence.index("Monday")
    assert tense_at(sentence, start, start + len("Monday"), PH) == tense


# -- document rules on blank pipelines --------------------------------------------------------------

NLP = spacy.blank("en")


def dates_of(text: str, ents: list[tuple[str, str]], published: str | None = "1998-05-01") -> list[Entity]:
    """The DATE entities of ``text`` whose model guessed ``ents`` ((label, surface) pairs)."""
    doc = NLP(text)
    spans = []
    for label, surface in ents:
        start = text.index(surface)
        span = doc.char_span(start, start + len(surface), label=label)
        assert span is not None, surface
        spans.append(span)
    doc.ents = spans
    vocab = Vocab.load()
    mentions = claim_dates(doc_mentions(doc), text, vocab)
    return document_dates([m for m in mentions if m.label == "DATE"], text, published, vocab)


def named(text: str, ents: list[tuple[str, str]]) -> list[tuple[str, str]]:
    doc = NLP(text)
    doc.ents = [
        doc.char_span(text.index(s), text.index(s) + len(s), label=label)  # type: ignore[misc]
        for label, s in ents
    ]
    return [(m.label, m.text) for m in claim_dates(doc_mentions(doc), text, Vocab.load())]


def test_weekday_swallowed_by_a_person_is_cut_out() -> None:
    text = "WASHINGTON (Xinhua) -- President Bill Clinton Saturday vowed to hunt them down."
    got = named(text, [("PERSON", "Bill Clinton Saturday")])
    assert ("PERSON", "Bill Clinton") in got and ("DATE", "Saturday") in got


def test_date_after_an_organization_is_its_own_entity() -> None:
    text = "It was raised at the U.N. Security Council on Aug. 6 by France."
    got = named(text, [("ORG", "the U.N. Security Council on Aug. 6")])
    assert ("ORG", "the U.N. Security Council") in got and ("DATE", "Aug. 6") in got


def test_date_inside_a_longer_name_is_left_to_the_name() -> None:
    text = "The Good Friday Agreement holds."
    assert named(text, [("LAW", "The Good Friday Agreement")]) == [("LAW", "The Good Friday Agreement")]


def test_day_word_the_model_missed_is_found_with_its_value() -> None:
    got = dates_of("Staff left Pakistan today on orders from Washington.", [])
    assert [(e.text, e.value, e.inferred) for e in got] == [("today", "1998-05-01", True)]


def test_time_naming_a_day_is_a_date_and_a_clock_time_is_not() -> None:
    text = "Protesters marched Thursday night and met again at 6 a.m."
    got = dates_of(text, [("TIME", "Thursday night"), ("TIME", "6 a.m.")])
    assert [(e.text, e.value) for e in got] == [("Thursday night", "1998-04-30")]


def test_future_sentence_moves_a_weekday_forward() -> None:
    got = dates_of("The envoys will meet Monday in Geneva.", [("DATE", "Monday")])
    assert [e.value for e in got] == ["1998-05-04"]


def test_relative_dates_without_publication_date_keep_null_values() -> None:
    text = "Prices rose last month and will rise next year."
    got = dates_of(text, [("DATE", "last month"), ("DATE", "next year")], published=None)
    assert [(e.text, e.value) for e in got] == [("last month", None), ("next year", None)]


def test_durations_and_frequencies_stay_out() -> None:
    text = "The annual talks lasted two days."
    assert dates_of(text, [("DATE", "annual"), ("DATE", "two days")]) == []


def test_entity_fixes_keep_the_article_of_a_date_and_trim_it_from_a_name() -> None:
    from reetool.ner_fix import FixEnts
    from reetool.ner_knowledge import Knowledge

    text = "Sales rose from a year ago, a Lynas report said."
    doc = NLP(text)
    doc.ents = [
        doc.char_span(text.index(s), text.index(s) + len(s), label=label)  # type: ignore[misc]
        for label, s in [("DATE", "a year ago"), ("ORG", "a Lynas")]
    ]
    FixEnts(Knowledge.from_vocab(Vocab.load()))(doc)
    assert [(e.text, e.label_) for e in doc.ents] == [("a year ago", "DATE"), ("Lynas", "ORG")]
