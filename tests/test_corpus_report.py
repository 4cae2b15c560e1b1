"""``reetool report --html``: what the page holds, that corpus text is escaped, that it
is standalone (no script, no fetch, links that resolve), and that a real browser renders
it without console errors or network requests."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from typer.testing import CliRunner

from reetool.cli import app
from reetool.store import Store
from tests.trend_corpus import DOCS, build, extraction

HOSTILE = '<img src=x onerror="alert(1)">Evil & Co'


@pytest.fixture
def report(tmp_path: Path) -> Path:
    db = build(tmp_path / "trend.db")
    with Store.open(db) as store:  # an organization whose name is markup
        store.save(
            [
                extraction(
                    "h.txt", "2025-02-02", "<script>x()</script>", [("ORG", HOSTILE, HOSTILE, 1, None)], ""
                )
            ],
            model="test",
        )
    out = tmp_path / "site" / "corpus.html"
    result = CliRunner().invoke(app, ["report", "--html", str(out), "--db", str(db)])
    assert result.exit_code == 0, result.stderr
    assert "wrote" in result.stderr and "document pages" in result.stderr
    return out


class _Page(HTMLParser):
    """Tags, attributes and links of a page, as a browser's parser sees them."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str | None]] = []
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs.extend(attrs)
        if tag == "a":
            self.links.extend(v for k, v in attrs if k == "href" and v)


def _parse(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


def test_the_page_holds_counts_top_entities_and_charts(report: Path) -> None:
    html = report.read_text(encoding="utf-8")
    assert "<b>8</b>documents" in html and "<b>2</b>undated" in html
    for heading in ("People", "Organizations", "Elements", "Elements over time", "Element mentions by month"):
        assert f"<h2>{heading}" in html
    # The element timeline: one line per element with dated mentions.
    assert html.count("<polyline") == 3
    # The heat map: one cell per element with dated mentions and month, 2025-01 .. 2026-02.
    assert len(re.findall(r"<rect [^>]*fill-opacity", html)) == 3 * 14
    assert "dysprosium 2025-01: 4</title>" in html
    assert "2 of 8 documents have no publication date" in html


def test_corpus_text_is_escaped_and_nothing_runs(report: Path) -> None:
    html = report.read_text(encoding="utf-8")
    assert HOSTILE not in html and "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;Evil &amp; Co" in html
    for path in [report, *report.with_name("corpus_docs").iterdir()]:
        page = _parse(path)
        assert "script" not in page.tags and "iframe" not in page.tags and "img" not in page.tags
        assert not [k for k, _ in page.attrs if k.startswith("on")]
        assert "Content-Security-Policy" in path.read_text(encoding="utf-8")


def test_every_document_link_opens_its_entity_view(report: Path) -> None:
    links = set(_parse(report).links)
    titles = {title for _, _, title, _, _ in DOCS}
    assert len(links) == len(DOCS) + 1  # each document mentions a top entity
    for link in links:
        assert not re.match(r"^[a-z]+:", link)  # relative: no scheme, no network
        target = report.parent / link
        page = target.read_text(encoding="utf-8")
        assert '<mark class="entity' in page  # show's highlighted entity view
    assert all(t.replace("<", "&lt;").replace(">", "&gt;") in report.read_text() for t in titles)


def test_an_unwritable_target_is_a_one_line_error(tmp_path: Path) -> None:
    db = build(tmp_path / "trend.db")
    (tmp_path / "file").write_text("")
    result = CliRunner().invoke(app, ["report", "--html", str(tmp_path / "file" / "r.html"), "--db", str(db)])
    assert result.exit_code == 1 and result.stderr.count("\n") == 1


# -- in a real browser ---------------------------------------------------------------------

CHROMIUM = next((p for p in ("chromium", "chromium-browser", "google-chrome") if shutil.which(p)), None)
#: Quiet the browser's own background traffic, so what the net log shows is the page's.
QUIET = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--enable-logging=stderr",
    "--log-level=0",
]


def browse(page: Path, work: Path, *extra: str) -> tuple[str, list[str], list[str]]:
    """Open ``page`` in headless Chromium: its DOM after load, the console messages,
    and every network request the page made (from Chromium's net log)."""
    assert CHROMIUM is not None
    net = work / "net.json"
    done = subprocess.run(
        [
            CHROMIUM,
            *QUIET,
            f"--user-data-dir={work / 'profile'}",
            f"--log-net-log={net}",
            *extra,
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    console = [line for line in done.stderr.splitlines() if ":CONSOLE" in line]
    log = json.loads(net.read_text())
    types = {v: k for k, v in log["constants"]["logEventTypes"].items()}
    requests = [
        e["params"]["url"]
        for e in log["events"]
        if types.get(e["type"]) == "URL_REQUEST_START_JOB"
        and "file://" in e["params"].get("network_isolation_key", "")  # made by the page, not the browser
    ]
    return done.stdout, console, requests


@pytest.mark.slow
@pytest.mark.skipif(
    CHROMIUM is None, reason="no Chromium installed (apt-get install chromium) to render the report"
)
def test_chromium_renders_the_report_quietly(report: Path, tmp_path: Path) -> None:
    dom, console, requests = browse(report, tmp_path, "--dump-dom")
    assert "Rare earth news: corpus report" in dom and "<svg" in dom and "Evil &amp; Co" in dom
    assert "<script" not in dom
    assert console == []
    assert requests == []
    shot = tmp_path / "shot.png"
    browse(report, tmp_path, f"--screenshot={shot}", "--window-size=1000,1400")
    assert shot.stat().st_size > 10_000


@pytest.mark.slow
@pytest.mark.skipif(
    CHROMIUM is None, reason="no Chromium installed (apt-get install chromium) to render the report"
)
def test_the_browser_check_sees_scripts_and_requests(tmp_path: Path) -> None:
    """The check above can fail: a page with a script and a remote image is caught."""
    bad = tmp_path / "bad.html"
    bad.write_text(
        '<!DOCTYPE html><p>x</p><script>console.error("boom")</script><img src="http://127.0.0.1:9/a.png">'
    )
    _, console, requests = browse(bad, tmp_path, "--dump-dom")
    assert any("boom" in line for line in console)
    assert requests == ["http://127.0.0.1:9/a.png"]
