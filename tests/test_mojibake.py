"""Mojibake repair: the seeds' TIS-620 damage, a damage-and-repair measurement, ftfy's kinds."""

from __future__ import annotations

import difflib
import re
import time

import pytest

from reetool.mojibake import fix_text, repair
from tests.conftest import DATA, SEEDS

ARTICLES = sorted((DATA / "articles").glob("*.txt"))
C1 = re.compile("[\x80-\x9f]")
THAI = re.compile("[\u0e00-\u0e7f]")


def damage(text: str, strip_c1: bool) -> str:
    """The recipe; with ``strip_c1`` also the C1 controls lost, as in the seeds."""
    out = text.encode("utf-8").decode("tis-620", errors="ignore")
    return C1.sub("", out) if strip_c1 else out


def seed(prefix: str) -> str:
    (path,) = SEEDS.glob(f"{prefix}_*.txt")
    return path.read_text(encoding="utf-8")


# -- the seeds -------------------------------------------------------------------------------


@pytest.mark.parametrize("prefix", ["001", "002", "003"])
def test_seeds_lose_every_thai_character(prefix: str) -> None:
    text, fixes = repair(seed(prefix))
    assert not THAI.search(text)
    assert fixes and all(name.startswith("tis620_") for name in fixes)


def test_seed_001_spot_checks() -> None:
    text = fix_text(seed("001"))
    assert "November 12\u201313" in text
    assert "China\u2019s leading state research" in text
    assert "The conference\u2014organized by" in text
    assert "\u201chigh-end, intelligent, and green\u201d development" in text
    assert "\u201cdual-carbon\u201d (carbon neutrality)" in text
    assert "\u00a9 2025 Rare Earth Exchanges\u2122 \u2014 Accelerating" in text


def test_seed_002_spot_checks() -> None:
    text = fix_text(seed("002"))
    assert "Liu Leiyun\u2014Party Secretary" in text
    assert "China Rare Earth Group\u2014met at the group\u2019s headquarters" in text
    assert "a \u201cgolden window for cooperation.\u201d" in text
    assert "new \u201cplatforms,\u201d accelerated" in text
    assert "Rare Earth Exchanges \u2122continues" in text
    assert "Forum \u2192" in text


def test_seed_003_spot_checks() -> None:
    text = fix_text(seed("003"))
    assert "Baogang Group\u2014the world\u2019s largest supplier" in text
    assert "accelerating\u2014not loosening\u2014its" in text
    assert "\u201chigh-quality development,\u201d China" in text
    assert text.count("\u00a9 2025") == 1


@pytest.mark.parametrize("prefix", ["000", "004"])
def test_clean_seeds_unchanged(prefix: str) -> None:
    text = seed(prefix)
    assert repair(text) == (text, {})


# -- damage and repair over our own articles ------------------------------------------------


def restored_share(strip_c1: bool) -> tuple[float, list[str]]:
    """Share of damaged characters (damaged form differs) that come back exactly."""
    total = good = 0
    misses: list[str] = []
    for path in ARTICLES:
        clean = path.read_text(encoding="utf-8")
        fixed = fix_text(damage(clean, strip_c1))
        matcher = difflib.SequenceMatcher(None, clean, fixed, autojunk=False)
        kept = {i for a, _, size in matcher.get_matching_blocks() for i in range(a, a + size)}
        for i, ch in enumerate(clean):
            if damage(ch, strip_c1) != ch:
                total += 1
                if i in kept:
                    good += 1
                else:
                    misses.append(f"{path.name}: {clean[max(0, i - 25) : i + 15]!r}")
    return good / total, misses


@pytest.mark.parametrize("strip_c1", [False, True], ids=["recipe", "recipe-without-c1"])
def test_damage_and_repair(strip_c1: bool) -> None:
    assert len(ARTICLES) >= 6
    share, misses = restored_share(strip_c1)
    print(f"\nrestored {share:.2%} of damaged characters ({'C1 stripped' if strip_c1 else 'recipe'})")
    print("\n".join(misses))
    assert share >= 0.98


def test_articles_are_clean_and_varied() -> None:
    text = "".join(p.read_text(encoding="utf-8") for p in ARTICLES)
    for ch in "\u2018\u2019\u201c\u201d\u2013\u2014\u00a9\u2122\u2022\u00e9\u00fc":
        assert ch in text, ch
    assert fix_text(text) == text


# -- context rules, one at a time (C1 controls lost, as in the seeds) -----------------------


@pytest.mark.parametrize(
    ("clean", "fix"),
    [
        ("The company\u2019s plant and China\u2019s quota.", "tis620_apostrophe"),
        ("We don\u2019t know; they\u2019re sure; I\u2019ll see.", "tis620_apostrophe"),
        ("Managing director Sarah O\u2019Connell spoke.", "tis620_apostrophe"),
        ("Prices rose 3\u20134% in the 2024\u201325 season.", "tis620_en_dash"),
        ("Quotas are due in March\u2013April, analysts say.", "tis620_en_dash"),
        ("The US\u2013China talks resumed in Geneva on Monday.", "tis620_en_dash"),
        ("The plant\u2014the largest in Europe\u2014opened today.", "tis620_em_dash"),
        ("Stuttgart \u2014 A German carmaker\u2019s plan leaked.", "tis620_em_dash"),
        ("He called it \u201ca line in the sand.\u201d Then he left.", "tis620_double_quote_close"),
        (
            "She said \u201cthe word \u2018equivalent\u2019 costs years\u201d today.",
            "tis620_single_quote_open",
        ),
        ("Sales of the NeoCore\u2122 grade rose by a third.", "tis620_trademark"),
        ("The plant\u2019s facts\n\u2022 Capacity: 1,200 tonnes\n\u2022 Cost: high", "tis620_bullet"),
        ("\u00a9 2025 Critical Metals Wire\u2122. All rights reserved.", "tis620_two_byte"),
        ("Caf\u00e9 owners in Z\u00fcrich paid \u20ac48 for \u2026 nothing.", "tis620_three_byte"),
        ("Students of the \u00c9cole des Mines visited.", "tis620_letter"),
    ],
)
def test_context_rules(clean: str, fix: str) -> None:
    text, fixes = repair(damage(clean, strip_c1=True))
    assert text == clean
    assert fixes.get(fix, 0) >= 1


def test_recipe_with_c1_is_inverted_exactly() -> None:
    clean = "\u00c9mile\u2019s \u201cquote\u201d \u2014 12\u201313 \u2020 \u00df \u00dc \u2122"
    assert fix_text(damage(clean, strip_c1=False)) == clean


# -- genuine Thai stays Thai ----------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "\u0e2a\u0e27\u0e31\u0e2a\u0e14\u0e35\u0e04\u0e23\u0e31\u0e1a",
        "\u0e42\u0e02 \u0e23\u0e16 \u0e22\u0e32 \u0e42\u0e01",
        "\u0e1c\u0e21\u0e43\u0e0a\u0e49 iPhone 15 Pro Max \u0e17\u0e38\u0e01\u0e27\u0e31\u0e19",
        "Thailand's word for car is \u0e23\u0e16 and for medicine \u0e22\u0e32.",
        "Bangkok (\u0e01\u0e23\u0e38\u0e07\u0e40\u0e17\u0e1e\u0e21\u0e2b\u0e32\u0e19\u0e04\u0e23) is it.",
        "\u0e23\u0e32\u0e04\u0e32 12 \u0e42\u0e02 13 \u0e1a\u0e32\u0e17",
    ],
)
def test_genuine_thai_untouched(text: str) -> None:
    assert fix_text(text) == text


# -- ftfy's kinds and the accounting --------------------------------------------------------


def test_windows_1252_mojibake_fixed_with_quotes_kept() -> None:
    text, fixes = repair("China\u00e2\u20ac\u2122s rare earths")
    assert text == "China\u2019s rare earths"
    assert fixes == {"ftfy:encode:sloppy-windows-1252": 1, "ftfy:decode:utf-8": 1}


def test_curly_quotes_and_clean_ascii_kept() -> None:
    clean = "\u201cChina\u2019s\u201d \u2014 \u2018yes\u2019 \u2013 caf\u00e9"
    assert repair(clean) == (clean, {})
    assert repair("Plain ASCII, R&D and 5 < 6.") == ("Plain ASCII, R&D and 5 < 6.", {})


def test_clean_text_is_fast() -> None:
    clean = "".join(p.read_text(encoding="utf-8") for p in ARTICLES) * 20
    kib = len(clean.encode("utf-8")) / 1024
    start = time.process_time()  # CPU time: robust to a busy machine
    assert fix_text(clean) == clean
    per_kib = (time.process_time() - start) * 1000 / kib
    print(f"\nclean text: {per_kib:.3f} ms per KiB")
    assert per_kib < 1.0


@pytest.mark.parametrize(
    "text",
    [
        "rare earths \u0e42\u0e02 (\u0e42\u0e02)",
        "The Thai word \u0e42\u0e01 and the letter \u0e42 mean something else.",
        "Thai script: \u0e22\u0e09 \u0e23\u0e16",
    ],
)
def test_thai_words_that_look_like_damage_untouched_in_clean_text(text: str) -> None:
    """Standing alone, "โข" may be Thai; it is repaired only when glued damage shows elsewhere."""
    assert fix_text(text) == text
    assert fix_text("China\u0e42s " + text) != "China\u0e42s " + text
