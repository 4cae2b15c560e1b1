"""Properties of mojibake repair: total, idempotent, and harmless to clean ASCII and real Thai."""

from __future__ import annotations

import string

from hypothesis import given, settings
from hypothesis import strategies as st

from reetool.mojibake import repair

# Real Thai orthography: optional leading vowel, consonant, optional vowel above/below, optional
# tone mark, optional final consonant.
CONSONANTS = "กขคฆงจฉชซฌญฎฏฐฑฒณดตถทธนบปผฝพฟภมยรลวศษสหฬอฮ"
LEADING_VOWELS = "เแโใไ"
INNER_VOWELS = "ัิีึืุู"
TONE_MARKS = "่้๊๋"
FOLLOWING_VOWELS = ["", "า", "ะ", "ำ", "อ"]
FINALS = "กงดนบมยว"


@st.composite
def thai_syllables(draw: st.DrawFn) -> str:
    lead = draw(st.sampled_from(["", *LEADING_VOWELS]))
    cons = draw(st.sampled_from(CONSONANTS))
    inner = draw(st.sampled_from(["", *INNER_VOWELS])) if not lead else ""
    tone = draw(st.sampled_from(["", *TONE_MARKS]))
    follow = draw(st.sampled_from(FOLLOWING_VOWELS)) if not inner else ""
    final = draw(st.sampled_from(["", *FINALS]))
    return lead + cons + inner + tone + follow + final


thai_words = st.lists(thai_syllables(), min_size=1, max_size=4).map("".join)
thai_sentences = st.lists(
    st.one_of(thai_words, thai_words, st.integers(0, 10**6).map(str)), min_size=1, max_size=12
).map(" ".join)

# Printable ASCII and the usual whitespace; "&" is left out because "&amp;" is an HTML entity
# that ftfy (rightly) decodes.
clean_ascii = st.text(alphabet="".join(c for c in string.printable if c not in "&\r\x0b\x0c"))

# Text that hits the interesting paths: Thai letters, C1 controls, mojibake-prone Latin-1,
# curly quotes and dashes, among ASCII.
mixed = st.text(
    alphabet=st.one_of(
        st.sampled_from("โขยฉรกฆฌ\x80\x93\x94\x99ÃÂâ€™œ\u2019\u201c\u201d\u2014\u2013 \nas1."),
        st.characters(),
    ),
    max_size=80,
)


@settings(max_examples=800, deadline=None)
@given(st.one_of(st.text(), mixed))
def test_never_raises_and_is_idempotent(text: str) -> None:
    fixed, fixes = repair(text)
    assert isinstance(fixed, str)
    assert all(isinstance(n, str) and c > 0 for n, c in fixes.items())
    assert repair(fixed)[0] == fixed


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF) | st.characters()))
def test_lone_surrogates_do_not_crash(text: str) -> None:
    repair(text)


@settings(max_examples=500, deadline=None)
@given(clean_ascii)
def test_clean_ascii_unchanged(text: str) -> None:
    assert repair(text) == (text, {})


@settings(max_examples=500, deadline=None)
@given(thai_sentences)
def test_genuine_thai_unchanged(text: str) -> None:
    assert repair(text) == (text, {})


@settings(max_examples=400, deadline=None)
@given(
    st.lists(st.sampled_from(["โข", "โ", "ยฉ", "รถ", "โก", "รฉ"]) | thai_words, min_size=1, max_size=3),
    st.sampled_from(["Bangkok", "The word", "Thai script:", "rare earths in Thailand"]),
)
def test_thai_quoted_in_english_unchanged(words: list[str], english: str) -> None:
    """Short Thai words that look like damaged symbols ("โข" for "™") stay Thai in clean text."""
    text = f"{english} {' '.join(words)} ({words[0]}) and 12 {words[-1]} 13."
    assert repair(text)[0] == text
