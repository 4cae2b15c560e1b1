from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import GOLDEN, SEEDS
from hypothesis import given, settings
from hypothesis import strategies as st

from reetool import boilerplate
from reetool.cleaner import CleanRules, clean, clean_all, load_rules, normalize_whitespace
from reetool.document import Document, Failure, Source
from reetool.reader import read_paths
from reetool.vocab import Vocab

GOLDEN_CLEAN = GOLDEN / "clean"
SEED_FILES = sorted(p for p in SEEDS.iterdir() if p.is_file())


@pytest.fixture(scope="module")
def rules() -> CleanRules:
    return load_rules(Vocab.load())


def _furniture(text: str, rules: CleanRules) -> tuple[str, dict[str, int]]:
    return boilerplate.remove(text, rules.furniture)


def _text(body: str, rules: CleanRules, markup: str = "text") -> str:
    return clean(Source("t", body, markup), rules).text


# -- furniture rules ------------------------------------------------------


@pytest.mark.parametrize(
    "line",
    [
        "0 Comments",
        "12 comments",
        "1 Reply",
        "No replies yet",
        "No comments yet.",
        "Loading new replies...",
        "Loading comments…",
        "Join the full discussion at the Rare Earth Exchanges Forum →",
        "Join the discussion",
        "Table of Contents",
        "Table of Contents [hide]",
        "Share this:",
        "Share on Facebook",
        "Click to share on X (Opens in new window)",
        "Click to share on LinkedIn (Opens in new window)",
        "Tweet",
        "Print",
        "Related posts",
        "Related Articles:",
        "You may also like",
        "Read more",
        "Read more »",
        "Continue reading →",
        "This website uses cookies to improve your experience. We'll assume you're ok with this.",
        "Accept all cookies",
        "Leave a Reply",
        "Advertisement",
        "Skip to content",
        "  Share this article  ",
        "- Share on Facebook",
        "- Print",
        "• Click to share on Telegram (Opens in new window)",
    ],
)
def test_line_furniture_is_dropped(line: str, rules: CleanRules) -> None:
    text, fixes = _furniture(f"Article text.\n{line}\nMore text.", rules)
    assert text == "Article text.\nMore text."
    assert fixes == {"boilerplate_line": 1}


@pytest.mark.parametrize(
    "line",
    [
        "The company said 12 comments were received during the consultation period.",
        "Investors share the view that prices will rise.",
        "Share prices of Lynas rose 5% on Monday.",
        "The board will print new shares to fund the mine.",
        "Read more about the deal in our earlier report, which covered the terms.",
        "Table of contents of the report lists 14 chapters.",
        "No replies yet have come from the ministry, officials said.",
        "Join the discussion on critical minerals policy, the minister urged industry leaders in Perth.",
        "Moderator",
        "Reply",
        "© 2025 Rare Earth Exchanges™ – Accelerating Transparency.",
        "Copyright © 2024 Example Media. All rights reserved.",
        "Comments from the ministry are expected next week.",
        "Related posts on social media drew criticism.",
        "- Investors share the view that prices will rise.",
        "1. Related posts on social media drew criticism.",
    ],
)
def test_article_lines_survive(line: str, rules: CleanRules) -> None:
    body = f"Article text.\n{line}\nMore text."
    assert _furniture(body, rules) == (body, {})


def test_widget_words_go_only_next_to_other_furniture(rules: CleanRules) -> None:
    body = "Text.\n0 Comments\nNo replies yet\nLoading replies...\nModerator\n\nJoin the discussion at X →"
    assert _furniture(body, rules) == ("Text.\n", {"boilerplate_line": 5})
    assert (
        _furniture("The panel:\nModerator\nJane Doe, CEO", rules)[0] == "The panel:\nModerator\nJane Doe, CEO"
    )
    assert _furniture("Reply\n\nShare this:\nText.", rules)[0] == "\nText."


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("met Wang Liping (opens in a new tab), Director of CAS", "met Wang Liping, Director of CAS"),
        ("annual meeting (opens in a new tab) in Tonglu County", "annual meeting in Tonglu County"),
        ("the president (Opens in new window) of CREIA.", "the president of CREIA."),
        ("see the report (opens in a new tab).", "see the report."),
        ("©!-- /wp:paragraph -->", ""),
        ('Text <!-- wp:paragraph {"align":"left"} --> more', "Text more"),
        ('[caption id="a" width="300"]Photo of a mine[/caption]', "Photo of a mine"),
        ("(opens in a (opens in a new tab)new tab) nested", "nested"),
    ],
)
def test_inline_furniture_is_cut_cleanly(line: str, expected: str, rules: CleanRules) -> None:
    text, fixes = _furniture(line, rules)
    assert text == expected
    assert fixes.get("inline_furniture", 0) >= 1


def test_user_vocab_adds_rules_and_bad_rules_are_reported(tmp_path: Path) -> None:
    (tmp_path / "boilerplate.tsv").write_text("kind\tpattern\tnote\nline\tSponsored by \\w+\tmine\n")
    rules = load_rules(Vocab.load([tmp_path]))
    assert _text("Text.\nSponsored by Acme\nMore.", rules) == "Text.\nMore."
    (tmp_path / "boilerplate.tsv").write_text("kind\tpattern\tnote\nline\t(unclosed\tbad\n")
    with pytest.raises(ValueError, match="bad pattern"):
        load_rules(Vocab.load([tmp_path]))
    (tmp_path / "boilerplate.tsv").write_text("kind\tpattern\tnote\nblock\tx\tbad\n")
    with pytest.raises(ValueError, match="unknown kind"):
        load_rules(Vocab.load([tmp_path]))


# -- the cleaner ----------------------------------------------------------


def test_clean_html_counts_every_step(rules: CleanRules) -> None:
    src = Source(
        "d",
        "<p>Lynas&#8217;s plant</p><script>x()</script><p>Share this:</p><p>Text (opens in a new tab).</p>",
        "html",
        title="Lynas&#8217;s <em>news</em>",
        published="2025-01-02",
        url="https://example.com/a",
    )
    doc = clean(src, rules)
    assert isinstance(doc, Document)
    assert doc.text.replace("'", "’") == "Lynas’s plant\n\nText."
    assert doc.title is not None and doc.title.replace("'", "’") == "Lynas’s news"
    assert (doc.published, doc.url, doc.digest) == ("2025-01-02", "https://example.com/a", src.digest)
    assert doc.fixes["html_to_text"] == 1
    assert doc.fixes["html_dropped_script"] == 1
    assert doc.fixes["boilerplate_line"] == 1
    assert doc.fixes["inline_furniture"] == 1


def test_wordpress_page_furniture_goes_article_stays(rules: CleanRules) -> None:
    html = """
    <div class="entry-content">
      <h2>Lynas expands</h2>
      <p>Lynas said investors share its view; 12 comments were filed with the regulator.</p>
      <ul><li>Output rose 5%.</li><li>Prices fell.</li></ul>
      <div class="sharedaddy"><h3>Share this:</h3><ul>
        <li><a href="#">Click to share on X (Opens in new window)</a></li>
        <li><a href="#">X</a></li><li><a href="#">Print</a></li></ul></div>
      <p>©!-- /wp:paragraph --&gt;</p>
      <h3>Related posts</h3>
      <div class="comments"><span>0 Comments</span><div>Moderator</div></div>
    </div>"""
    doc = clean(Source("wp", html, "html"), rules)
    assert doc.text == (
        "Lynas expands\n\n"
        "Lynas said investors share its view; 12 comments were filed with the regulator.\n\n"
        "- Output rose 5%.\n- Prices fell."
    )
    assert doc.fixes["boilerplate_line"] == 7
    assert clean(Source("wp", doc.text), rules).text == doc.text


def test_whitespace_normalisation() -> None:
    fixes: dict[str, int] = {}
    from collections import Counter

    counter: Counter[str] = Counter(fixes)
    raw = "  \r\nA  \r\n\r\n\r\n\r\nB\u200b\u00a0C\t\n\n"
    # A no-break space inside a line is the author's (20\u00a0km); only HTML's &nbsp; becomes a space.
    assert normalize_whitespace(raw, counter) == "A\n\nB\u00a0C"
    assert counter["line_breaks"] == 5
    assert counter["blank_lines"] == 1
    assert counter["invisible_chars"] == 1


def test_clean_all_passes_failures_and_turns_errors_into_failures(rules: CleanRules) -> None:
    bad = Source("bad", None, "text")  # type: ignore[arg-type]
    items = [Failure("missing", "No such file"), Source("ok", "Hello"), bad, Source("ok2", "World")]
    out = list(clean_all(items, rules))
    assert [type(x).__name__ for x in out] == ["Failure", "Document", "Failure", "Document"]
    assert out[0] == items[0]
    assert isinstance(out[2], Failure) and out[2].doc == "bad" and "cannot clean" in out[2].reason


def _seed_documents(rules: CleanRules) -> list[Document]:
    docs = [d for d in clean_all(read_paths([str(p) for p in SEED_FILES]), rules)]
    assert all(isinstance(d, Document) for d in docs), docs
    return docs  # type: ignore[return-value]


def test_seeds_match_golden_files(rules: CleanRules) -> None:
    """REETOOL_UPDATE_GOLDEN=1 rewrites the golden files; read the diff before keeping it."""
    update = os.environ.get("REETOOL_UPDATE_GOLDEN") == "1"
    docs = _seed_documents(rules)
    assert len(docs) == len(SEED_FILES) == 5
    for path, doc in zip(SEED_FILES, docs, strict=True):
        golden = GOLDEN_CLEAN / f"{path.stem}.txt"
        if update:
            golden.parent.mkdir(parents=True, exist_ok=True)
            golden.write_text(doc.text + "\n", encoding="utf-8")
        assert doc.text + "\n" == golden.read_text(encoding="utf-8"), f"{path.name} differs from {golden}"


def test_seeds_are_clean(rules: CleanRules) -> None:
    for doc in _seed_documents(rules):
        assert not any("\u0e00" <= ch <= "\u0e7f" for ch in doc.text), doc.doc
        assert "<" not in doc.text and ">" not in doc.text, doc.doc
        assert "&amp;" not in doc.text and "&#" not in doc.text, doc.doc
        for furniture in ("0 Comments", "Table of Contents", "(opens in a new tab)", "Loading new replies"):
            assert furniture not in doc.text, (doc.doc, furniture)
        assert "verified" in doc.text  # the articles' own closing caveat stays


def test_clean_is_idempotent_on_the_seeds(rules: CleanRules) -> None:
    for doc in _seed_documents(rules):
        again = clean(Source(doc.doc, doc.text), rules)
        assert again.text == doc.text, doc.doc


@settings(max_examples=300, deadline=None)
@given(text=st.text(), markup=st.sampled_from(["text", "html"]))
def test_clean_never_raises_and_is_idempotent(text: str, markup: str, rules: CleanRules) -> None:
    once = clean(Source("h", text, markup), rules).text
    assert clean(Source("h", once), rules).text == once


@settings(max_examples=200, deadline=None)
@given(
    lines=st.lists(
        st.sampled_from(
            [
                "0 Comments",
                "Share this:",
                "Moderator",
                "Reply",
                "(opens in a new tab)",
                "Text here.",
                "Loading new replies...",
                "",
                "  ",
                "Table of Contents",
                "China’s 12–13 output",
            ]
        ),
        max_size=20,
    )
)
def test_furniture_removal_is_idempotent(lines: list[str], rules: CleanRules) -> None:
    once = _text("\n".join(lines), rules)
    assert _text(once, rules) == once
