"""Properties of the reader and cleaner together, as `reetool clean` runs them.

Whatever bytes or JSON a scraper saved, the two stages yield a Document or a Failure for
each input, never raise, and cleaning what they produce again changes nothing. About
2,500 examples, a few seconds.
"""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reetool.cleaner import CleanRules, clean, clean_all, load_rules
from reetool.document import Document, Failure, Source
from reetool.reader import parse_bytes
from reetool.vocab import Vocab

RULES: CleanRules = load_rules(Vocab.load())


def many(examples: int) -> settings:
    return settings(max_examples=examples, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def read_and_clean(data: bytes) -> list[Document | Failure]:
    out = list(clean_all(parse_bytes("input", data), RULES))
    assert out, "every input yields at least one record"
    for item in out:
        assert isinstance(item, (Document, Failure))
        if isinstance(item, Failure):
            assert item.reason and "\n" not in item.reason
    return out


def assert_stable(doc: Document) -> None:
    """Cleaning the cleaned text again (as text) leaves it as it is."""
    again = clean(Source(doc.doc, doc.text), RULES)
    assert again.text == doc.text


@many(1000)
@given(st.binary(max_size=2000))
def test_any_bytes(data: bytes) -> None:
    for item in read_and_clean(data):
        if isinstance(item, Document):
            assert_stable(item)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=60),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=12,
)


@many(600)
@given(json_values)
def test_any_json(value: object) -> None:
    read_and_clean(json.dumps(value).encode("utf-8"))


html_bits = st.sampled_from(
    ["<p>", "</p>", "<li>", "<ul>", "</ul>", "<script>", "</script>", "<style>", "&amp;", "&#8217;",
     "<!--", "-->", "<![CDATA[", "]]>", "<br>", "<h2>", "â€™", "โ", "ยฉ", "\u00a0", "\n"]
)  # fmt: skip
# Plain text has no "<": a bare "<?" or "<!" opens a bogus comment that, in a browser as
# here, swallows the next tag, "<script>" included, and shows what follows as text.
plain = st.text(st.characters(blacklist_characters="<>"), max_size=12)
wordpress_html = st.lists(html_bits | plain, max_size=30).map("".join)


@many(600)
@given(title=wordpress_html, before=wordpress_html, after=wordpress_html, date=st.text(max_size=25))
def test_wordpress_posts_with_hostile_html(title: str, before: str, after: str, date: str) -> None:
    """Whatever tag soup surrounds it, a script's content never reaches the text."""
    body = f"{before}<script>var leaked = 'SCRIPTBODY';</script>{after}"
    post = {"title": {"rendered": title}, "content": {"rendered": body}, "date": date, "link": "https://x"}
    out = read_and_clean(json.dumps(post).encode("utf-8"))
    docs = [d for d in out if isinstance(d, Document)]
    assert len(docs) == 1
    assert_stable(docs[0])
    assert "SCRIPTBODY" not in docs[0].text


@many(300)
@given(st.lists(st.text(max_size=50), min_size=1, max_size=8))
def test_json_lines_keep_their_good_lines(texts: list[str]) -> None:
    lines = [json.dumps({"text": t}) for t in texts]
    out = read_and_clean("\n".join([*lines, "{not json"]).encode("utf-8"))
    assert sum(isinstance(i, Failure) for i in out) >= 1
