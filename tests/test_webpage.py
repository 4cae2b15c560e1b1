"""Whole saved web pages: the article and the page's metadata, never silently empty.

The pages under tests/data/pages were written for these tests, one per kind of clutter
named in issue 10; their cleaned text is kept next to them as ``NAME.txt`` (and their
metadata as ``NAME.meta.json``). REETOOL_UPDATE_GOLDEN=1 rewrites both; read the diff.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from reetool.cleaner import clean, clean_all, load_rules
from reetool.cli import app
from reetool.document import Failure, Source
from reetool.reader import parse_bytes
from reetool.vocab import Vocab
from reetool.webpage import MAX_EXTRACT_CHARS, PageOptions, read_page

PAGES = Path(__file__).resolve().parent / "data" / "pages"
ROOT = Path(__file__).resolve().parent.parent
UPDATE = os.environ.get("REETOOL_UPDATE_GOLDEN") == "1"
META_KEYS = ("title", "author", "published", "url", "site")


def _clean_file(path: Path, page: PageOptions | None = None):
    rules = load_rules(Vocab.load(), page)
    (source,) = list(parse_bytes(str(path), path.read_bytes()))
    return clean(source, rules)


@pytest.mark.parametrize("path", sorted(PAGES.glob("*.html")), ids=lambda p: p.stem)
def test_pages_match_golden_text_and_metadata(path: Path) -> None:
    doc = _clean_file(path)
    meta = {k: getattr(doc, k) for k in META_KEYS}
    text_file, meta_file = path.with_suffix(".txt"), path.with_suffix(".meta.json")
    if UPDATE:
        text_file.write_text(doc.text + "\n", encoding="utf-8")
        meta_file.write_text(json.dumps(meta, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    assert doc.text + "\n" == text_file.read_text(encoding="utf-8")
    assert meta == json.loads(meta_file.read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("page", "clutter"),
    [
        ("menus_share_row", ["Markets", "SubscribeSign In", "Sign In", "Share to", "LinkedIn", "Privacy"]),
        ("related_comments_photos", ["3h ago", "Close", "Image 1 of 23", "Photo:", "Related", "geologist_88",
                                     "feasibility study they keep", "Reply", "Agriculture"]),
        ("structure_inline", ["cookies", "inbox", "Most read", "Gallium"]),
        ("aspnet_form", ["Mining permits", "Search", "Contact", "\u00a9"]),
    ],
)
def test_clutter_is_left_out(page: str, clutter: list[str]) -> None:
    text = _clean_file(PAGES / f"{page}.html").text
    assert [c for c in clutter if c in text] == []


def test_a_body_inside_a_form_comes_through() -> None:
    doc = _clean_file(PAGES / "aspnet_form.html")
    assert "critical minerals strategy, which names rare earth elements" in doc.text
    assert "matched the public funding." in doc.text
    # the <br><br> paragraphs of the layout cell stay paragraphs
    assert "\n\nThe strategy commits" in doc.text


def test_structure_is_kept() -> None:
    text = _clean_file(PAGES / "structure_inline.html").text
    assert "led by dysprosium, while cerium and lanthanum stayed close to their lows" in text
    assert "\n\nPrices at the end of March\n\n" in text
    assert "Dysprosium oxide | $255/kg | +9%" in text
    assert "- Lower output from mines in Myanmar during the rainy season\n" in text
    assert "Price Reporter\n12 Market Street\nLondon" in text


def test_comments_only_when_asked() -> None:
    path = PAGES / "related_comments_photos.html"
    assert "geologist_88" not in _clean_file(path).text
    with_comments = _clean_file(path, PageOptions(comments=True)).text
    assert "without damaging the local water supply" in with_comments
    assert with_comments.startswith("Brazil clay deposit draws new investors")


def test_full_keeps_the_whole_page_text_but_scripts() -> None:
    doc = _clean_file(PAGES / "menus_share_row.html", PageOptions(full=True))
    assert "Markets" in doc.text and "Copyright 2025 Metals Desk" in doc.text
    assert "once it reaches full capacity" in doc.text
    assert doc.fixes.get("page_full_text") == 1
    form = _clean_file(PAGES / "aspnet_form.html", PageOptions(full=True))
    assert "Mining permits" in form.text and "matched the public funding" in form.text


def test_fragments_are_never_cut_down_to_a_main_text() -> None:
    """A WordPress post's content and a JSON lines HTML field are all article: every
    paragraph stays, even a short one next to a list that an extractor would drop."""
    body = "<p>Short lead.</p><ul><li><a href='/a'>Lynas</a></li><li><a href='/b'>Iluka</a></li></ul>"
    body += "<p>End.</p>"
    post = json.dumps({"id": 1, "title": {"rendered": "T"}, "content": {"rendered": body}, "date": "2025-01"})
    line = json.dumps({"id": "a", "text": body}) + "\n" + json.dumps({"id": "b", "text": "plain"})
    expected = "Short lead.\n\n- Lynas\n- Iluka\n\nEnd."
    for name, data in (("post.json", post), ("lines.jsonl", line), ("snippet.html", body)):
        first = next(iter(parse_bytes(name, data.encode())))
        assert isinstance(first, Source) and first.markup == "html"
        assert clean(first).text == expected


@pytest.mark.slow
def test_page_date_feeds_date_inference_as_a_wordpress_date_does(extractor) -> None:
    doc = _clean_file(PAGES / "menus_share_row.html")
    assert doc.published == "2025-02-11"
    doc.text += "\n\nMagnet prices rose last month, traders said."
    dates = {e.text: e.value for e in extractor.extract_one(doc).entities if e.label == "DATE"}
    assert dates.get("last month") == "2025-01"


def test_page_with_little_article_falls_back_to_full_text_and_says_so() -> None:
    # libxml2 gives up past 256 levels of nesting, so the extractor sees no article
    page = _nested(3000, "<nav>Menu</nav>", "<p>Deep text about neodymium magnets in the Baotou plant.</p>")
    result = read_page(page)
    assert result.text == "Deep text about neodymium magnets in the Baotou plant."
    assert result.fixes.get("page_fallback") == 1


def test_page_of_only_script_is_empty_with_a_warning(tmp_path: Path) -> None:
    page = tmp_path / "script.html"
    page.write_text("<html><head><script>var a = 1;</script></head><body><script>x()</script></body></html>")
    result = CliRunner().invoke(app, ["clean", str(page), "--format", "jsonl"])
    assert result.exit_code == 0
    assert json.loads(result.stdout)["text"] == ""
    assert result.stderr.strip() == f"reetool: {page}: warning: the page has no text"


def test_fallback_warns_once_on_stderr_and_exits_0(tmp_path: Path) -> None:
    page = tmp_path / "deep.html"
    page.write_text(_nested(3000, "", "<p>Terbium output rose sharply this year at the mine.</p>"))
    result = CliRunner().invoke(app, ["clean", str(page), "--format", "text"])
    assert result.exit_code == 0
    assert "Terbium output rose sharply" in result.stdout
    assert result.stderr == f"reetool: {page}: warning: no article found in the page, kept its full text\n"


def test_unparseable_page_is_a_one_line_error_and_others_go_on(tmp_path: Path) -> None:
    bad = tmp_path / "bad.html"
    bad.write_text("<!DOCTYPE html>")
    good = PAGES / "menus_share_row.html"
    result = CliRunner().invoke(app, ["clean", str(bad), str(good), "--format", "jsonl"])
    assert result.exit_code == 1
    assert result.stderr == f"reetool: {bad}: cannot parse the HTML page: no document in it\n"
    assert json.loads(result.stdout)["doc"] == str(good)


def test_clean_all_turns_an_unparseable_page_into_a_failure() -> None:
    (item,) = clean_all([Source("x.html", "<!DOCTYPE html>", markup="page")])
    assert isinstance(item, Failure) and "cannot parse" in item.reason


def test_options_reach_extract() -> None:
    result = CliRunner().invoke(app, ["extract", "--help"])
    assert "--full" in result.stdout and "--comments" in result.stdout


@pytest.mark.parametrize(
    ("charset_meta", "encoding"),
    [
        ('<meta charset="windows-1251">', "cp1251"),  # declared, and true
        ("", "cp1251"),  # undeclared
        ('<meta http-equiv="Content-Type" content="text/html; charset=utf-8">', "cp1251"),  # a lie
        ('<meta charset="iso-8859-1">', "utf-8"),  # a lie the other way
        ("", "cp1252"),  # undeclared Western text stays Windows-1252, not a look-alike
    ],
)
def test_page_encoding_is_found(charset_meta: str, encoding: str) -> None:
    words = (
        "Редкоземельные металлы: добыча неодима и празеодима растёт на новом месторождении."
        if encoding == "cp1251"
        else "Die Förderung seltener Erden in Grönland wächst, sagte der Geschäftsführer: très naïve."
    )
    page = f"<html><head>{charset_meta}<title>t</title></head><body><p>{words}</p></body></html>"
    (source,) = list(parse_bytes("p.html", page.encode(encoding)))
    assert words in clean(source).text


def _nested(depth: int, before: str, inner: str) -> str:
    return f"<html><body>{before}" + "<div>" * depth + inner + "</div>" * depth + "</body></html>"


def _run_hostile(tmp_path: Path, name: str, content: str) -> subprocess.CompletedProcess[str]:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    # 1 GB of address space: a page that made the cleaner balloon would fail here
    limit = "import resource; resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30)); "
    code = limit + "import sys; from reetool.cli import main; "
    code += "sys.argv[1:] = ['clean', sys.argv[1], '-f', 'jsonl']; main()"
    return subprocess.run(
        [sys.executable, "-c", code, str(path)], capture_output=True, text=True, env=env, timeout=600
    )


@pytest.mark.slow
def test_hostile_nested_divs(tmp_path: Path) -> None:
    n = 100_000
    proc = _run_hostile(tmp_path, "nested.html", _nested(n, "", "<p>Deep yttrium.</p>"))
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["text"] == "Deep yttrium."
    assert "Traceback" not in proc.stderr and len(proc.stderr.splitlines()) <= 1


@pytest.mark.slow
def test_hostile_entity_expansion_bomb(tmp_path: Path) -> None:
    entities = '<!ENTITY a0 "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx">' + "".join(
        f'<!ENTITY a{i} "{f"&a{i - 1};" * 10}">' for i in range(1, 10)
    )
    page = (
        f'<?xml version="1.0"?>\n<!DOCTYPE html [{entities}]>\n'
        '<html xmlns="http://www.w3.org/1999/xhtml"><body><p>&a9;</p><p>Lanthanum text.</p></body></html>'
    )
    proc = _run_hostile(tmp_path, "bomb.xhtml", page)
    assert proc.returncode == 0, proc.stderr
    text = json.loads(proc.stdout)["text"]
    assert "Lanthanum text." in text and "xxxxxxxx" not in text


@pytest.mark.slow
def test_hostile_big_page_skips_the_extractor(tmp_path: Path) -> None:
    para = "<p>Output of neodymium and praseodymium rose at the plant, beating forecasts again.</p>\n"
    body = para * (MAX_EXTRACT_CHARS // len(para) + 10)
    page = f"<html><body><nav>Menu</nav><article>{body}</article></body></html>"
    proc = _run_hostile(tmp_path, "big.html", page)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.strip().endswith("warning: page too big to look for its article, kept its full text")
    record = json.loads(proc.stdout)
    assert record["fixes"]["page_too_big"] == 1 and "Menu" not in record["text"]
