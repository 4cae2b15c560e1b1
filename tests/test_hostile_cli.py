"""Issue 6 as a user meets it: hostile inputs given to `reetool extract` / `reetool clean`.

Each test is one case of the issue and asserts the three things it promises: a one-line
``reetool: <file>: <reason>`` message on stderr (no traceback), a non-zero exit, and that
the good inputs of the same run are still in the output AND in the store.

Why one shared run: loading spaCy costs seconds, so every reader-level case goes through
a single ``reetool extract`` over a folder of hostile files mixed with good ones (the
way a scraper folder looks). Cases that need their own process (memory, pipes, FIFOs)
or their own store run separately and use ``reetool clean`` where spaCy is not needed.
The reader's unit tests (test_reader_hostile.py) cover the reasons in detail; here we
match only the file name and a reason keyword.
"""

from __future__ import annotations

import builtins
import errno
import gzip
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import ROOT, SEEDS
from typer.testing import CliRunner

from reetool.cli import app
from reetool.identity import key_path, store_root

pytestmark = pytest.mark.slow

# Environment that must not leak in from the developer's shell into these runs.
CLEAN_ENV = {"REETOOL_MAX_BYTES": None, "REETOOL_DB": None, "NO_COLOR": "1"}

GOOD_TEXT = "Lynas Rare Earths said on 3 March 2024 that neodymium output rose in Malaysia.\n"
WP_POST = {
    "id": 7,
    "date": "2024-03-05T10:00:00",
    "link": "https://example.com/lynas-expands",
    "title": {"rendered": "Lynas expands"},
    "content": {"rendered": "<p>Iluka Resources will refine dysprosium in Western Australia.</p>"},
}
# Invalid UTF-8: the bytes are Windows-1252 (é, curly quotes, ÿ, þ).
CP1252_BYTES = b"Caf\xe9 owners said terbium prices rose \x93sharply\x94 this year. \xff\xfe\n"
UTF16_TEXT = "MP Materials shipped praseodymium oxide to Japan in April 2024.\n"
MALFORMED_HTML = """\
<!DOCTYPE html><html><head><title>Broken page</title>
<style>body{color:red} .STYLESECRET{}</style>
<script>var x = "SCRIPTSECRET"; if (a < b) { document.write("</p>"); }</script></head>
<body><div><p>Neo Performance Materials produces <b>samarium magnets
<!-- COMMENTSECRET <p>hidden</p> -->
<p>Second paragraph about cerium <i>unclosed
<![CDATA[ CDATASECRET ]]>
<p>Third paragraph about gadolinium
<style>.STYLESECRET2 { x: y }
<script type="text/javascript">alert("SCRIPTSECRET2")
"""
SECRETS = ("STYLESECRET", "SCRIPTSECRET", "COMMENTSECRET", "CDATASECRET", "alert(", "document.write")
JSONL_LINES = [
    '{"id": "a1", "title": "First", "text": "Lynas Rare Earths mined lanthanum in 2023."}',
    '{"id": "a2", "title": "Second", "text": "unterminated',
    "[1, 2]",
    '{"id": "a3", "text": "Iluka Resources refined yttrium at Eneabba."}',
    "not json at all",
]
BIG_BYTES = 200_000_000

# What the shared run must keep: exactly these documents, nothing from the hostile files.
GOOD_DOCS = {
    "good.txt",
    "post.json",
    "cp1252.txt",
    "utf16.txt",
    "malformed.html",
    "lines.jsonl#a1",
    "lines.jsonl#a3",
}


@dataclass
class Run:
    dir: Path
    db: Path
    exit_code: int
    stdout: str
    stderr: str

    def path(self, name: str) -> str:
        return str(self.dir / name)

    def message(self, name: str, suffix: str = ":") -> str:
        """The one stderr line about ``name``; fails unless there is exactly one."""
        prefix = f"reetool: {self.path(name)}{suffix}"
        lines = [ln for ln in self.stderr.splitlines() if ln.startswith(prefix)]
        assert len(lines) == 1, f"want one line starting {prefix!r} in stderr:\n{self.stderr}"
        return lines[0]

    def out_docs(self) -> set[str]:
        return {json.loads(ln)["doc"] for ln in self.stdout.splitlines() if ln.strip()}

    def stored(self) -> dict[str, str]:
        """doc name (relative to the run folder) -> cleaned text, read with plain sqlite3."""
        with sqlite3.connect(self.db) as conn:
            rows = conn.execute("SELECT doc, text FROM documents").fetchall()
        root = store_root(self.db)
        return {os.path.relpath(key_path(doc, root), self.dir): text for doc, text in rows}


def assert_good_kept(run: Run) -> None:
    """The good inputs of the run are in the output and in the store, and nothing else is stored."""
    assert run.exit_code == 1, run.stderr
    assert "Traceback" not in run.stderr
    # Documents with entities show up in the JSON lines output.
    out = {os.path.relpath(d, run.dir) for d in run.out_docs()}
    assert {"good.txt", "post.json", "utf16.txt", "lines.jsonl#a1", "lines.jsonl#a3"} <= out
    assert set(run.stored()) == GOOD_DOCS


def _fake_permission(path: object) -> None:
    if os.path.basename(os.fsdecode(path)) == "locked.txt":  # type: ignore[arg-type]
        raise PermissionError(errno.EACCES, "Permission denied", os.fsdecode(path))  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    d = tmp_path_factory.mktemp("hostile")
    # good inputs
    (d / "good.txt").write_text(GOOD_TEXT, encoding="utf-8")
    (d / "post.json").write_text(json.dumps(WP_POST), encoding="utf-8")
    (d / "cp1252.txt").write_bytes(CP1252_BYTES)
    (d / "utf16.txt").write_bytes(UTF16_TEXT.encode("utf-16"))  # BOM + native order
    (d / "malformed.html").write_text(MALFORMED_HTML, encoding="utf-8")
    (d / "lines.jsonl").write_text("\n".join(JSONL_LINES) + "\n", encoding="utf-8")
    # hostile inputs
    (d / "locked.txt").write_text("readable only as root\n", encoding="utf-8")
    (d / "empty_dir").mkdir()
    (d / "fifo_dir").mkdir()
    os.mkfifo(d / "fifo_dir" / "pipe")
    os.symlink("loop", d / "loop")
    (d / "loopdir" / "sub").mkdir(parents=True)
    os.symlink("..", d / "loopdir" / "sub" / "back")  # points back at loopdir
    (d / "empty.txt").write_bytes(b"")
    (d / "image.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01")
    (d / "archive.gz").write_bytes(gzip.compress(GOOD_TEXT.encode()))
    (d / "cut.json").write_text(json.dumps(WP_POST)[:120], encoding="utf-8")
    (d / "array.json").write_text("[1, 2]", encoding="utf-8")
    (d / "object.json").write_text('{"a": 1}', encoding="utf-8")
    (d / "deep.json").write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    (d / "deep_obj.json").write_text('{"a": ' * 100_000 + "1" + "}" * 100_000, encoding="utf-8")
    line = b"Rare earth prices moved again today in a long repeated line of text.\n"
    with open(d / "big.txt", "wb") as fh:
        block = line * (1_000_000 // len(line) + 1)
        written = 0
        while written < BIG_BYTES:
            fh.write(block)
            written += len(block)

    names = [
        "good.txt", "missing.txt", "locked.txt", "empty_dir", "fifo_dir", "loop", "loopdir",
        "empty.txt", "image.png", "archive.gz", "cp1252.txt", "utf16.txt", "cut.json",
        "array.json", "object.json", "deep.json", "deep_obj.json", "lines.jsonl", "big.txt", "malformed.html",
        "post.json",
    ]  # fmt: skip
    real_open, real_os_open = builtins.open, os.open

    def fake_open(file, *args, **kwargs):  # type: ignore[no-untyped-def]
        if isinstance(file, (str, bytes, os.PathLike)):
            _fake_permission(file)
        return real_open(file, *args, **kwargs)

    def fake_os_open(path, *args, **kwargs):  # type: ignore[no-untyped-def]
        _fake_permission(path)
        return real_os_open(path, *args, **kwargs)

    db = d / "s.db"
    with pytest.MonkeyPatch.context() as mp:
        # Tests run as root, where chmod 000 does not stop a read: simulate EACCES instead.
        mp.setattr(builtins, "open", fake_open)
        mp.setattr(os, "open", fake_os_open)
        result = CliRunner().invoke(
            app,
            ["extract", *(str(d / n) for n in names), "--db", str(db), "--format", "jsonl"],
            env=CLEAN_ENV,
        )
    (d / "big.txt").unlink()  # 200 MB is not worth keeping around
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return Run(d, db, result.exit_code, result.stdout, result.stderr)


# --------------------------------------------------------------------------- shared run


def test_every_error_is_one_line_without_traceback(run: Run) -> None:
    assert run.exit_code == 1
    assert "Traceback" not in run.stderr
    for line in run.stderr.splitlines():
        assert re.match(r"reetool: \S.*: \S", line), line
    with sqlite3.connect(run.db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        orphans = conn.execute(
            "SELECT count(*) FROM mentions WHERE doc_id NOT IN (SELECT id FROM documents)"
        ).fetchone()[0]
    assert orphans == 0
    assert_good_kept(run)


def test_missing_path(run: Run) -> None:
    assert "no such file" in run.message("missing.txt")
    assert_good_kept(run)


def test_unreadable_file(run: Run) -> None:
    # Simulated with a patched open() raising EACCES (root ignores chmod 000); a FIFO
    # given where a file is expected is test_fifo_given_as_a_file below.
    assert "permission denied" in run.message("locked.txt").lower()
    assert_good_kept(run)


def test_directory_with_nothing_readable(run: Run) -> None:
    assert "no readable files" in run.message("empty_dir")
    assert "not a regular file" in run.message("fifo_dir/pipe")
    assert_good_kept(run)


def test_symlink_loop(run: Run) -> None:
    assert "symlink loop" in run.message("loop")
    assert "symlink loop" in run.message("loopdir/sub/back")
    assert_good_kept(run)


def test_empty_file(run: Run) -> None:
    assert "empty" in run.message("empty.txt")
    assert_good_kept(run)


@pytest.mark.parametrize(("name", "kind"), [("image.png", "png"), ("archive.gz", "gzip")])
def test_binary_file(run: Run, name: str, kind: str) -> None:
    line = run.message(name)
    assert "binary" in line and kind in line
    assert_good_kept(run)


def test_invalid_utf8_is_read_as_windows_1252(run: Run) -> None:
    assert f"reetool: {run.path('cp1252.txt')}" not in run.stderr
    text = run.stored()["cp1252.txt"]
    assert "Café owners" in text and "“sharply”" in text
    assert "\ufffd" not in text
    assert_good_kept(run)


def test_utf16_with_bom_is_read_correctly(run: Run) -> None:
    assert f"reetool: {run.path('utf16.txt')}" not in run.stderr
    assert run.stored()["utf16.txt"].strip() == UTF16_TEXT.strip()
    found = [r for r in map(json.loads, run.stdout.splitlines()) if r["doc"] == run.path("utf16.txt")]
    assert any(r["label"] == "ELEMENT" and r["text"] == "praseodymium" for r in found)
    assert_good_kept(run)


def test_wordpress_json_cut_off_mid_string(run: Run) -> None:
    assert "truncated JSON" in run.message("cut.json")
    assert_good_kept(run)


@pytest.mark.parametrize("name", ["array.json", "object.json"])
def test_valid_json_that_is_not_a_post(run: Run, name: str) -> None:
    assert "not a WordPress post" in run.message(name)
    assert_good_kept(run)


@pytest.mark.parametrize("name", ["deep.json", "deep_obj.json"])
def test_json_nested_100000_levels(run: Run, name: str) -> None:
    assert "nested too deeply" in run.message(name)
    assert_good_kept(run)


def test_json_lines_with_bad_lines_keep_the_good_ones(run: Run) -> None:
    for lineno, keyword in ((2, "JSON"), (3, "not a JSON object"), (5, "JSON")):
        assert keyword in run.message("lines.jsonl", f":{lineno}:")
    stored = run.stored()
    assert "lanthanum" in stored["lines.jsonl#a1"] and "yttrium" in stored["lines.jsonl#a3"]
    assert_good_kept(run)


def test_200mb_file_is_refused_above_the_default_limit(run: Run) -> None:
    line = run.message("big.txt")
    assert "200 MB" in line and "limit" in line and "REETOOL_MAX_BYTES" in line
    assert_good_kept(run)


def test_malformed_html_never_leaks_script_style_or_comments(run: Run) -> None:
    assert f"reetool: {run.path('malformed.html')}" not in run.stderr
    text = run.stored()["malformed.html"]
    for secret in SECRETS:
        assert secret not in text, secret
    for visible in ("Neo Performance Materials produces samarium magnets", "cerium", "gadolinium"):
        assert visible in text
    assert "<" not in text
    assert_good_kept(run)


# --------------------------------------------------------------------------- own runs

runner = CliRunner()


def test_size_limit_lowered_by_env(tmp_path: Path) -> None:
    small = tmp_path / "small.txt"
    small.write_text(GOOD_TEXT, encoding="utf-8")
    five_kb = tmp_path / "five_kb.txt"
    five_kb.write_text(GOOD_TEXT * (5000 // len(GOOD_TEXT) + 1), encoding="utf-8")
    env = {**CLEAN_ENV, "REETOOL_MAX_BYTES": "1000"}
    result = runner.invoke(app, ["clean", "-f", "jsonl", str(five_kb), str(small)], env=env)
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"reetool: {five_kb}:")
    assert "1 KB limit" in lines[0] and "REETOOL_MAX_BYTES" in lines[0]
    assert [json.loads(ln)["doc"] for ln in result.stdout.splitlines()] == [str(small)]


def test_size_limit_option_on_extract(tmp_path: Path) -> None:
    # Only refused inputs: spaCy is never loaded, and the store holds nothing.
    five_kb = tmp_path / "five_kb.txt"
    five_kb.write_text(GOOD_TEXT * 70, encoding="utf-8")
    db = tmp_path / "s.db"
    args = ["extract", str(five_kb), "--max-bytes", "1000", "--db", str(db), "-f", "jsonl"]
    result = runner.invoke(app, args, env=CLEAN_ENV)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"reetool: {five_kb}: file is 5.")
    assert "limit" in result.stderr and result.stderr.count("\n") == 1
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM documents").fetchone()[0] == 0


PEAK_RSS = """
import resource, subprocess, sys
with open(sys.argv[1], "wb") as out:
    rc = subprocess.run(sys.argv[2:], stdout=out, stderr=subprocess.PIPE).returncode
print(rc, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""


def test_single_10mb_line_in_bounded_memory(tmp_path: Path) -> None:
    words = "Lynas Rare Earths neodymium praseodymium "
    line = tmp_path / "line.txt"
    line.write_text(words * (10_000_000 // len(words) + 1), encoding="utf-8")  # no newline at all
    out = tmp_path / "out.jsonl"
    cmd = [sys.executable, "-m", "reetool", "clean", "-f", "jsonl", str(line)]
    env = {k: v for k, v in os.environ.items() if k not in ("REETOOL_MAX_BYTES", "REETOOL_DB")}
    proc = subprocess.run(
        [sys.executable, "-c", PEAK_RSS, str(out), *cmd], capture_output=True, text=True, timeout=120, env=env
    )
    rc, peak_kb = map(int, proc.stdout.split())
    assert rc == 0, proc.stderr
    assert peak_kb < 600 * 1024, f"peak RSS {peak_kb // 1024} MB"
    records = [json.loads(ln) for ln in out.read_text(encoding="utf-8").splitlines()]
    assert len(records) == 1 and len(records[0]["text"]) > 9_900_000


def test_fifo_given_as_a_file(tmp_path: Path) -> None:
    # A FIFO named on the command line, with no writer: opening it naively blocks forever.
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    good = tmp_path / "good.txt"
    good.write_text(GOOD_TEXT, encoding="utf-8")
    cmd = [sys.executable, "-m", "reetool", "clean", "-f", "jsonl", str(fifo), str(good)]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=15, cwd=tmp_path)
    assert proc.returncode == 1
    assert proc.stderr.startswith(f"reetool: {fifo}: ") and proc.stderr.count("\n") == 1
    assert "Traceback" not in proc.stderr
    assert [json.loads(ln)["doc"] for ln in proc.stdout.splitlines()] == [str(good)]


# --------------------------------------------------------------------------- stores


def _extract_into(db: str | Path, tmp_path: Path) -> tuple[int, str, str]:
    good = tmp_path / "good.txt"
    good.write_text(GOOD_TEXT, encoding="utf-8")
    result = runner.invoke(app, ["extract", str(good), "--db", str(db), "-f", "jsonl"], env=CLEAN_ENV)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


def test_store_that_is_not_sqlite(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    junk = b"these are my notes, not a database\n" * 100
    db.write_bytes(junk)
    code, out, err = _extract_into(db, tmp_path)
    assert code == 1 and out == ""
    assert err.startswith(f"reetool: {db}: ") and err.count("\n") == 1
    assert "not a reetool store" in err
    assert db.read_bytes() == junk  # the user's file is untouched


def test_store_with_a_newer_schema(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE future (x)")
        conn.execute("INSERT INTO future VALUES (42)")
        conn.execute("PRAGMA user_version = 999")
    code, out, err = _extract_into(db, tmp_path)
    assert code == 1 and out == ""
    assert err.startswith(f"reetool: {db}: ") and err.count("\n") == 1
    assert "999" in err and "newer" in err
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 999
        assert conn.execute("SELECT x FROM future").fetchall() == [(42,)]
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert tables == {"future"}


def _read_only_dir(tmp_path: Path) -> Path:
    """A folder nobody can write in: chmod works for users; root needs a read-only filesystem."""
    if os.geteuid() != 0:
        ro = tmp_path / "ro"
        ro.mkdir()
        ro.chmod(0o555)
        return ro
    for candidate in (Path("/sys"), Path("/proc")):
        if candidate.is_dir() and not os.access(candidate, os.W_OK):
            return candidate
        probe = candidate / "reetool-probe"
        try:
            probe.touch()
        except OSError:
            return candidate
        probe.unlink()
    pytest.skip("no read-only location available to root here")


def test_read_only_store_location(tmp_path: Path) -> None:
    db = _read_only_dir(tmp_path) / "reetool-test.db"
    code, out, err = _extract_into(db, tmp_path)
    assert code == 1 and out == ""
    assert err.startswith(f"reetool: {db}: ") and err.count("\n") == 1
    assert re.search(r"read-only|not writable|cannot (open|create)", err), err
    assert not db.exists()


def test_full_disk_keeps_the_store_consistent_and_a_rerun_resumes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A full disk simulated with ``PRAGMA max_page_count``: SQLite then fails the write
    with SQLITE_FULL, the very error a full filesystem gives, without needing a mount."""
    from reetool.store import Store

    db = tmp_path / "s.db"
    Store.open(db).close()  # an existing, empty store
    with sqlite3.connect(db) as conn:  # no free pages left over by the migrations' dropped indexes
        conn.execute("VACUUM")
    doc = tmp_path / "long.txt"
    filler = "and then the quick brown fox jumped over the lazy dog again.\n" * 100
    doc.write_text(GOOD_TEXT + filler, encoding="utf-8")  # 6 KB: more than a page, cheap for spaCy
    real_connect = sqlite3.connect

    def full_connect(*args, **kwargs):  # type: ignore[no-untyped-def]
        conn = real_connect(*args, **kwargs)
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        conn.execute("PRAGMA max_page_count = " + str(int(pages)))
        return conn

    with monkeypatch.context() as mp:
        mp.setattr(sqlite3, "connect", full_connect)
        result = runner.invoke(app, ["extract", str(doc), "--db", str(db), "-f", "jsonl"], env=CLEAN_ENV)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"reetool: {db}: ") and result.stderr.count("\n") == 1
    assert "disk full" in result.stderr and "Traceback" not in result.stderr
    with real_connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("SELECT count(*) FROM documents").fetchone()[0] == 0
        assert conn.execute("SELECT count(*) FROM mentions").fetchone()[0] == 0
    # Space freed: the next run stores the document.
    again = runner.invoke(app, ["extract", str(doc), "--db", str(db), "-f", "jsonl"], env=CLEAN_ENV)
    assert again.exit_code == 0, again.stderr
    assert {json.loads(ln)["doc"] for ln in again.stdout.splitlines()} == {str(doc)}
    with real_connect(db) as conn:
        assert conn.execute("SELECT doc FROM documents").fetchall() == [(doc.name,)]  # relative to the store


# --------------------------------------------------------------------------- pipes


@pytest.mark.parametrize("fmt", ["jsonl", "text"])
def test_clean_piped_into_head_exits_quietly_with_success(tmp_path: Path, fmt: str) -> None:
    """Far more output than a pipe buffer holds, so the write really hits the closed pipe."""
    for i in range(40):
        shutil.copytree(SEEDS, tmp_path / "corpus" / f"copy{i:02d}")
    command = f'"{sys.executable}" -m reetool clean corpus --format {fmt} 2>err.txt | head -1 >/dev/null'
    script = f'set -o pipefail; {command}; echo "status=$?"'
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run(
        ["bash", "-c", script], capture_output=True, text=True, timeout=180, cwd=tmp_path, env=env
    )
    assert (tmp_path / "err.txt").read_text(encoding="utf-8") == ""
    assert proc.stdout.strip() == "status=0"


def test_extract_piped_into_head_has_no_broken_pipe_noise(tmp_path: Path) -> None:
    shutil.copytree(SEEDS, tmp_path / "seeds")
    script = textwrap.dedent(
        f"""\
        "{sys.executable}" -m reetool extract seeds/ --format jsonl --db s.db 2>err.txt | head -1
        echo "status=${{PIPESTATUS[0]}}"
        """
    )
    env = {k: v for k, v in os.environ.items() if k not in ("REETOOL_MAX_BYTES", "REETOOL_DB")}
    env["PYTHONPATH"] = str(ROOT)
    proc = subprocess.run(
        ["bash", "-c", script], capture_output=True, text=True, timeout=180, cwd=tmp_path, env=env
    )
    err = (tmp_path / "err.txt").read_text(encoding="utf-8")
    assert "Traceback" not in err and "Broken pipe" not in err and "BrokenPipe" not in err, err
    assert err == ""
    *lines, status = proc.stdout.splitlines()
    assert status == "status=0", status
    assert len(lines) == 1 and json.loads(lines[0])["doc"].startswith("seeds/")
