"""Reader: every supported format, decoding, directory walking, stdin and the size limit."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from reetool.decode import decode
from reetool.document import Failure, Source
from reetool.identity import stdin_name
from reetool.reader import (
    DEFAULT_MAX_BYTES,
    human_size,
    parse_bytes,
    parse_size,
    read_paths,
    resolve_max_bytes,
)
from tests.conftest import SEEDS

SEED_000 = SEEDS / "000_67cfdd6f7d210181.txt"


def items(doc: str, data: bytes) -> list[Source | Failure]:
    return list(parse_bytes(doc, data))


def only_source(doc: str, data: bytes) -> Source:
    out = items(doc, data)
    assert len(out) == 1 and isinstance(out[0], Source), out
    return out[0]


def post(n: int, **extra: object) -> dict:
    return {
        "id": 100 + n,
        "date": f"2026-01-0{n}T04:22:21",
        "date_gmt": f"2026-01-0{n}T11:22:21",
        "link": f"https://example.com/news/{n}/",
        "title": {"rendered": f"Post {n} &#8211; Lynas"},
        "content": {"rendered": f"<p>Body {n}</p>", "protected": False},
        **extra,
    }


# --------------------------------------------------------------------------- seeds


def test_seeds_are_read_in_sorted_order_with_wordpress_metadata() -> None:
    out = list(read_paths([str(SEEDS)]))
    assert all(isinstance(x, Source) for x in out), out
    assert [Path(x.doc).name[:3] for x in out] == ["000", "001", "002", "003", "004"]
    wp = out[0]
    assert wp.doc == str(SEED_000)
    assert wp.markup == "html"
    assert wp.title == "China Rare Earth Industry Association held its 2025 Optical Materials Conference"
    assert wp.published == "2026-01-12T04:22:21"
    assert wp.url == (
        "https://rareearthexchanges.com/news/"
        "china-rare-earth-industry-association-held-its-2025-optical-materials-conference-2/"
    )
    assert wp.body == json.loads(SEED_000.read_bytes())["content"]["rendered"]
    for src in out[1:]:
        assert src.markup == "text"
        assert src.title is None


@pytest.mark.parametrize("name", ["001_beb163726df72447.txt", "002_f349e353b77cb023.txt"])
def test_thai_mojibake_seeds_decode_as_utf8_unchanged(name: str) -> None:
    raw = (SEEDS / name).read_bytes()
    src = only_source(name, raw)
    assert src.body == raw.decode("utf-8")
    assert "โ" in src.body  # the damage is the cleaner's to repair, not the reader's


def test_doc_is_the_path_as_given(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("hello")
    out = list(read_paths([f"{tmp_path}/", str(tmp_path / "a.txt")]))
    assert [x.doc for x in out] == [f"{tmp_path}/a.txt", str(tmp_path / "a.txt")]


# --------------------------------------------------------------------------- WordPress


def test_wordpress_array_names_posts_one_based() -> None:
    data = json.dumps([post(1), post(2), post(3)]).encode()
    out = items("feed.json", data)
    assert [x.doc for x in out] == ["feed.json#1", "feed.json#2", "feed.json#3"]
    assert all(isinstance(x, Source) and x.markup == "html" for x in out)
    assert out[1].title == "Post 2 &#8211; Lynas"  # raw: the cleaner decodes entities
    assert out[1].published == "2026-01-02T04:22:21"  # `date` as given, not date_gmt
    assert out[1].url == "https://example.com/news/2/"
    assert out[1].body == "<p>Body 2</p>"


def test_wordpress_array_of_one_post_keeps_the_plain_name() -> None:
    assert only_source("one.json", json.dumps([post(1)]).encode()).doc == "one.json"


def test_wordpress_array_with_a_bad_item_keeps_the_others() -> None:
    data = json.dumps([post(1), 42, {"a": 1}, post(4)]).encode()
    out = items("f", data)
    assert [type(x).__name__ for x in out] == ["Source", "Failure", "Failure", "Source"]
    assert out[1] == Failure("f#2", "JSON is not a WordPress post: item is a number")
    assert out[2] == Failure("f#3", 'JSON is not a WordPress post: no "content" or "text" field (keys: a)')
    assert out[3].doc == "f#4"


def test_wordpress_content_as_plain_string_and_title_as_string() -> None:
    src = only_source(
        "p", json.dumps({"title": "Plain", "content": "<p>x</p>", "date": "2025-03-04"}).encode()
    )
    assert (src.body, src.title, src.published, src.url, src.markup) == (
        "<p>x</p>",
        "Plain",
        "2025-03-04",
        None,
        "html",
    )


def test_wordpress_pretty_printed_with_extension_that_lies() -> None:
    src = only_source("post.html", json.dumps(post(5), indent=2).encode())
    assert src.title == "Post 5 &#8211; Lynas"


def test_wordpress_non_string_fields_are_dropped_not_crashing() -> None:
    data = json.dumps({"content": {"rendered": "b"}, "title": {"rendered": 5}, "date": 7, "link": None})
    src = only_source("p", data.encode())
    assert (src.title, src.published, src.url) == (None, None, None)


def test_wordpress_content_rendered_not_a_string() -> None:
    out = items("p", b'{"content": {"rendered": 5}}')
    assert out == [Failure("p", 'JSON is not a WordPress post: "content.rendered" is not a string')]


# --------------------------------------------------------------------------- HTML


PAGE = b"""<!DOCTYPE html>
<html lang="en"><head>
<meta charset="utf-8">
<title>
  Fallback title | Site
</title>
<meta property="og:title" content="Lynas &amp; MP Materials sign deal" />
<meta property='article:published_time' content='2025-11-17T08:00:00+00:00'>
<link rel="stylesheet" href="/s.css"><link rel="canonical" href="https://news.example/a?x=1&amp;y=2">
<meta property="og:url" content="https://news.example/og">
</head><body><article><p>Text &amp; more</p></article></body></html>"""


def _page_doc(data: bytes):
    from reetool.cleaner import clean

    src = only_source("page", data)
    assert src.markup == "page" and src.body == data.decode()
    return clean(src)


def test_html_page_metadata_from_head() -> None:
    """The reader only says "whole page"; title, date and URL are read from its parse."""
    doc = _page_doc(PAGE)
    assert doc.title == "Lynas & MP Materials sign deal"
    assert doc.published == "2025-11-17"
    assert doc.url == "https://news.example/a?x=1&y=2"
    assert doc.text == "Text & more"


def test_html_fallbacks_title_tag_time_element_og_url() -> None:
    page = (
        b"<html><head><TITLE>Neo &amp; Dy</TITLE><meta property=og:url content=https://o.example/p>"
        b'</head><body><p>x <time class="d" datetime="2024-05-06">May 6</time></p></body></html>'
    )
    doc = _page_doc(page)
    assert (doc.title, doc.published, doc.url) == ("Neo & Dy", "2024-05-06", "https://o.example/p")


def test_html_json_ld_date() -> None:
    page = b'<html><head><script type="application/ld+json">{"datePublished": "2023-01-02"}</script></head>'
    assert _page_doc(page + b"<body><p>Text.</p></body></html>").published == "2023-01-02"


def test_html_fragment_starting_with_text_is_html() -> None:
    frag = b"Highlights\n<p>One</p>\n<p>Two</p>\n<ul><li>Three</li></ul>"
    assert only_source("f", frag).markup == "html"


def test_text_mentioning_a_tag_stays_text() -> None:
    assert only_source("t", b"Use the <p> element for paragraphs.").markup == "text"


def test_text_starting_with_bracket_is_not_json() -> None:
    src = only_source("t", b"[Updated] Lynas raises prices\nMore text.")
    assert src.markup == "text" and src.body.startswith("[Updated]")


def test_text_starting_with_brace_template_is_not_json() -> None:
    assert only_source("t", b"{{ template }} text").markup == "text"


# --------------------------------------------------------------------------- JSON lines


def test_jsonl_records_named_by_id_or_line() -> None:
    data = (
        b'{"id": "a1", "text": "First", "title": "T1", "date": "2025-01-01", "url": "https://u/1"}\n'
        b"\n"
        b'{"text": "Third line"}\r\n'
        b'{"id": 9, "text": "<p>Fourth</p><p>x</p><div>y</div>"}\n'
    )
    out = items("c.jsonl", data)
    assert [x.doc for x in out] == ["c.jsonl#a1", "c.jsonl#3", "c.jsonl#9"]
    assert (out[0].title, out[0].published, out[0].url, out[0].markup) == (
        "T1",
        "2025-01-01",
        "https://u/1",
        "text",
    )
    assert out[1].body == "Third line"
    assert out[2].markup == "html"


def test_single_object_with_text_is_one_document() -> None:
    src = only_source("one.json", b'{"id": 3, "text": "Only", "title": "T"}')
    assert (src.doc, src.body, src.title) == ("one.json", "Only", "T")


def test_json_array_of_text_records() -> None:
    out = items("a.json", b'[{"id": "x", "text": "one"}, {"text": "two"}]')
    assert [(x.doc, x.body) for x in out] == [("a.json#x", "one"), ("a.json#2", "two")]


def test_jsonl_line_with_a_10mb_text() -> None:
    big = "Neodymium " * 1_000_000
    data = json.dumps({"id": 1, "text": big}).encode() + b"\n" + b'{"id": 2, "text": "small"}\n'
    out = items("big.jsonl", data)
    assert [x.doc for x in out] == ["big.jsonl#1", "big.jsonl#2"]
    assert out[0].body == big


# --------------------------------------------------------------------------- decoding


@pytest.mark.parametrize(
    ("encoding", "bom"),
    [
        ("utf-8", b"\xef\xbb\xbf"),
        ("utf-16-le", b"\xff\xfe"),
        ("utf-16-be", b"\xfe\xff"),
        ("utf-32-le", b"\xff\xfe\x00\x00"),
        ("utf-32-be", b"\x00\x00\xfe\xff"),
    ],
)
def test_bom_encodings(encoding: str, bom: bytes) -> None:
    text = "China’s “rare earth” output – 12–13 Nd/Pr, Thai ภาษาไทย, emoji 🧲"
    src = only_source("b", bom + text.encode(encoding))
    assert src.body == text


def test_wordpress_json_in_utf16_with_bom() -> None:
    data = b"\xff\xfe" + json.dumps(post(1), ensure_ascii=False).encode("utf-16-le")
    assert only_source("w", data).title == "Post 1 &#8211; Lynas"


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_without_bom_from_nul_pattern(encoding: str) -> None:
    text = "Lynas Rare Earths reported record NdPr output in 2025.\n" * 3
    assert only_source("u", text.encode(encoding)).body == text


def test_windows_1252_never_replaced() -> None:
    raw = "Don’t — café “quoted” 5–6 €10 ™".encode("cp1252")
    src = only_source("w", raw + b" \x81\x8d\x8f\x90\x9d")  # the five bytes cp1252 leaves undefined
    assert src.body == "Don’t — café “quoted” 5–6 €10 ™ \x81\x8d\x8f\x90\x9d"
    assert "\ufffd" not in src.body
    assert decode(raw).encoding == "windows-1252"


def test_mostly_utf8_with_a_stray_cp1252_byte() -> None:
    src = only_source("m", "Don’t “x”".encode() + b" caf\xe9")
    assert src.body == "Don’t “x” café"


def test_genuine_thai_utf8_is_untouched() -> None:
    text = "ราคาแร่หายากในประเทศไทยเพิ่มขึ้น"
    assert only_source("th", text.encode()).body == text


# --------------------------------------------------------------------------- paths and stdin


def test_directory_recursive_sorted_and_hidden_skipped(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "z.txt").write_text("bz")
    (tmp_path / "b" / "a.txt").write_text("ba")
    (tmp_path / "a.txt").write_text("a")
    (tmp_path / "c.txt").write_text("c")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "HEAD").write_text("ref")
    (tmp_path / ".reetool").mkdir()
    (tmp_path / ".reetool" / "store").write_text("x")
    (tmp_path / ".hidden.txt").write_text("h")
    out = list(read_paths([str(tmp_path)]))
    rel = [Path(x.doc).relative_to(tmp_path).as_posix() for x in out]
    assert rel == ["a.txt", "b/a.txt", "b/z.txt", "c.txt"]
    assert [x.body for x in out] == ["a", "ba", "bz", "c"]


def test_explicit_hidden_file_is_read(tmp_path: Path) -> None:
    f = tmp_path / ".note"
    f.write_text("visible when asked for")
    assert [x.body for x in read_paths([str(f)])] == ["visible when asked for"]


def test_directory_symlink_followed(tmp_path: Path) -> None:
    real = tmp_path / "real"
    real.mkdir()
    (real / "x.txt").write_text("x")
    top = tmp_path / "top"
    top.mkdir()
    (top / "link").symlink_to(real)
    assert [x.doc for x in read_paths([str(top)])] == [str(top / "link" / "x.txt")]


def test_stdin_documents_are_named_by_their_content() -> None:
    data = json.dumps([post(1), post(2)]).encode()
    out = list(read_paths(["-"], stdin=io.BytesIO(data)))
    assert [x.doc for x in out] == [stdin_name(x.digest) for x in out]
    assert len({x.doc for x in out}) == 2 and all(x.doc.startswith("stdin:") for x in out)
    again = list(read_paths(["-"], stdin=io.BytesIO(data)))
    assert [x.doc for x in again] == [x.doc for x in out]  # the same text is the same document
    named = list(read_paths(["-"], stdin=io.BytesIO(data), stdin_name="feed.json"))
    assert [x.doc for x in named] == ["feed.json#1", "feed.json#2"]


def test_stdin_defaults_to_sys_stdin_buffer(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = io.TextIOWrapper(io.BytesIO("caf\xe9 from stdin".encode("cp1252")), encoding="utf-8")
    monkeypatch.setattr("sys.stdin", fake)
    assert [x.body for x in read_paths(["-"])] == ["café from stdin"]


def test_empty_stdin() -> None:
    assert list(read_paths(["-"], stdin=io.BytesIO(b""))) == [Failure("-", "empty input")]


def test_read_paths_is_lazy(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("a")
    it = read_paths([str(tmp_path), str(tmp_path / "missing")])
    assert next(it).body == "a"  # the missing path has not been looked at yet
    assert next(it) == Failure(str(tmp_path / "missing"), "no such file")


# --------------------------------------------------------------------------- size limit


def test_parse_size_and_human_size() -> None:
    assert parse_size("250000") == 250_000
    assert parse_size("200MB") == 200_000_000
    assert parse_size("1.5g") == 1_500_000_000
    assert parse_size(" 10 k ") == 10_000
    with pytest.raises(ValueError, match="is not a size"):
        parse_size("lots")
    assert human_size(250_000_000) == "250 MB"
    assert human_size(100_400_000) == "100.4 MB"
    assert human_size(1500) == "1.5 KB"
    assert human_size(12) == "12 bytes"


def test_resolve_max_bytes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("REETOOL_MAX_BYTES", raising=False)
    assert resolve_max_bytes(None) == DEFAULT_MAX_BYTES == 100_000_000
    assert resolve_max_bytes(5) == 5
    assert resolve_max_bytes(0) is None  # explicit "no limit"
    monkeypatch.setenv("REETOOL_MAX_BYTES", "2KB")
    assert resolve_max_bytes(None) == 2000
    assert resolve_max_bytes(7) == 7  # the argument beats the environment


def test_max_bytes_argument_refuses_bigger_files(tmp_path: Path) -> None:
    (tmp_path / "big.txt").write_bytes(b"x" * 1500)
    (tmp_path / "small.txt").write_bytes(b"y" * 10)
    out = list(read_paths([str(tmp_path)], max_bytes=1000))
    assert out[0] == Failure(
        str(tmp_path / "big.txt"),
        "file is 1.5 KB, over the 1 KB limit (set REETOOL_MAX_BYTES or --max-bytes)",
    )
    assert out[1].body == "y" * 10


def test_env_var_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    f = tmp_path / "f.txt"
    f.write_bytes(b"x" * 3000)
    monkeypatch.setenv("REETOOL_MAX_BYTES", "2000")
    assert [x.reason for x in read_paths([str(f)])] == [
        "file is 3 KB, over the 2 KB limit (set REETOOL_MAX_BYTES or --max-bytes)"
    ]


def test_invalid_env_var_is_reported_and_default_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    f = tmp_path / "f.txt"
    f.write_text("fine")
    monkeypatch.setenv("REETOOL_MAX_BYTES", "huge")
    out = list(read_paths([str(f)]))
    assert out[0] == Failure(
        "REETOOL_MAX_BYTES", "REETOOL_MAX_BYTES='huge' is not a size (use bytes, or e.g. 200MB)"
    )
    assert out[1].body == "fine"


def test_stdin_over_the_limit() -> None:
    out = list(read_paths(["-"], stdin=io.BytesIO(b"z" * 5000), max_bytes=4000))
    assert out == [Failure("-", "input is over the 4 KB limit (set REETOOL_MAX_BYTES or --max-bytes)")]
