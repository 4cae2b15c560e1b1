"""ftfy's own test cases (Apache-2.0, copied into tests/data/ftfy): our cleaner must agree.

We keep quotes curly where ftfy's defaults straighten them, so both sides are compared with
curly quotes straightened the way ftfy's ``uncurl_quotes`` does.
"""

from __future__ import annotations

import json

import ftfy
import pytest
from ftfy.chardata import DOUBLE_QUOTE_RE, SINGLE_QUOTE_RE

from reetool.mojibake import FTFY_CONFIG, repair
from tests.conftest import DATA

FILES = {"synthetic": 30, "in-the-wild": 70, "language-names": 20, "negative": 31}


def load(name: str) -> list[dict[str, str]]:
    return json.loads((DATA / "ftfy" / f"{name}.json").read_text(encoding="utf-8"))


def passing_cases() -> list[tuple[str, dict[str, str]]]:
    return [(name, case) for name in FILES for case in load(name) if case["expect"] == "pass"]


def straight(text: str) -> str:
    return DOUBLE_QUOTE_RE.sub('"', SINGLE_QUOTE_RE.sub("'", text))


def agrees(case: dict[str, str]) -> bool:
    return straight(repair(case["original"])[0]) == straight(case["fixed"])


def test_case_counts() -> None:
    for name, count in FILES.items():
        assert sum(c["expect"] == "pass" for c in load(name)) == count


def test_agrees_with_ftfy_expectations() -> None:
    cases = passing_cases()
    wrong = [f"{name}: {case['label']}" for name, case in cases if not agrees(case)]
    print(f"\nagree on {len(cases) - len(wrong)} of {len(cases)} ftfy cases", *wrong, sep="\n")
    assert len(cases) == 151
    assert len(cases) - len(wrong) >= 148


@pytest.mark.parametrize("case", load("negative"), ids=lambda c: c["label"][:60])
def test_negative_cases_unchanged(case: dict[str, str]) -> None:
    assert agrees(case)


@pytest.mark.parametrize("name", [*FILES, "known-failures"])
def test_same_as_ftfy_where_no_thai_damage(name: str) -> None:
    """The fast path that skips ftfy on clean segments never changes ftfy's answer."""
    plain = FTFY_CONFIG._replace(explain=False)
    for case in load(name):
        assert repair(case["original"])[0] == ftfy.fix_text(case["original"], plain), case["label"]


def test_fixes_are_named_after_ftfy_steps() -> None:
    text, fixes = repair("voil\u00c3 le travail")
    assert text == "voil\u00e0 le travail"
    assert set(fixes) == {
        "ftfy:encode:latin-1",
        "ftfy:transcode:restore_byte_a0",
        "ftfy:decode:utf-8",
    }
