"""Reader against what a scraper's folder really holds (issue 6).

Every hostile file is made at run time. Each test checks the exact reason a user sees
(`reetool: <doc>: <reason>`) and that the good inputs next to the bad one still come out.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import pickle
import shutil
import tempfile
import threading
import time
import tracemalloc
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from reetool.document import Failure, Source
from reetool.reader import parse_bytes, read_paths
from tests.conftest import SEEDS

SEED_000 = SEEDS / "000_67cfdd6f7d210181.txt"
GOOD = "Lynas Rare Earths opened a new plant in Kalgoorlie."


def good(tmp_path: Path, name: str = "good.txt") -> Path:
    p = tmp_path / name
    p.write_text(GOOD)
    return p


def read(*paths: Path | str, **kw: object) -> list[Source | Failure]:
    return list(read_paths([str(p) for p in paths], **kw))


def assert_failure_then_good(out: list, doc: str, reason: str) -> None:
    assert out[0] == Failure(doc, reason), out[0]
    assert len(out) == 2 and isinstance(out[1], Source) and out[1].body == GOOD, out


# --------------------------------------------------------------------------- paths


def test_missing_path(tmp_path: Path) -> None:
    missing = tmp_path / "nope.json"
    assert_failure_then_good(read(missing, good(tmp_path)), str(missing), "no such file")


def test_missing_parent_is_a_file(tmp_path: Path) -> None:
    g = good(tmp_path)
    out = read(f"{g}/child", g)
    assert_failure_then_good(out, f"{g}/child", "no such file (a parent is not a directory)")


def test_broken_symlink(tmp_path: Path) -> None:
    link = tmp_path / "dangling"
    link.symlink_to(tmp_path / "gone")
    assert_failure_then_good(read(link, good(tmp_path)), str(link), "broken symlink")


def test_symlink_loop_between_files(tmp_path: Path) -> None:
    (tmp_path / "a").symlink_to(tmp_path / "b")
    (tmp_path / "b").symlink_to(tmp_path / "a")
    assert_failure_then_good(read(tmp_path / "a", good(tmp_path)), str(tmp_path / "a"), "symlink loop")


def test_symlink_loop_inside_a_directory(tmp_path: Path) -> None:
    top = tmp_path / "top"
    top.mkdir()
    good(top, "a.txt")
    (top / "b_self").symlink_to(top / "b_self")  # ELOOP on stat
    (top / "c_up").symlink_to(top)  # a folder link back to an ancestor
    out = read(top)
    assert out[0].body == GOOD
    assert out[1:] == [
        Failure(str(top / "b_self"), "symlink loop"),
        Failure(str(top / "c_up"), "symlink loop"),
    ]


def test_directory_with_no_readable_files(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    (empty / "sub" / "deeper").mkdir(parents=True)
    (empty / ".git").mkdir()
    (empty / ".git" / "config").write_text("x")
    out = read(empty, good(tmp_path))
    assert_failure_then_good(out, str(empty), "directory has no readable files")


def test_fifo_in_a_directory_is_not_opened(tmp_path: Path) -> None:
    top = tmp_path / "top"
    top.mkdir()
    os.mkfifo(top / "a_fifo")  # opening it would block forever
    good(top, "b.txt")
    out = read(top)
    assert out[0] == Failure(str(top / "a_fifo"), "not a regular file")
    assert out[1].body == GOOD


def test_fifo_named_directly_without_a_writer_does_not_block(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    assert_failure_then_good(read(fifo, good(tmp_path)), str(fifo), "no data (a FIFO with no writer)")


def test_fifo_named_directly_with_a_writer_is_read(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)

    done = threading.Event()

    def write() -> None:
        # open() blocks until a reader opens; if the reader saw EOF before this end was
        # registered, the write fails with EPIPE and the next reader attempt gets it all.
        while not done.is_set():
            try:
                with open(fifo, "wb") as w:
                    for _ in range(50):
                        w.write(b"chunk of text ")
                        w.flush()
                        time.sleep(0.001)
                return
            except BrokenPipeError:
                continue

    writer = threading.Thread(target=write, daemon=True)
    writer.start()
    out: list = []
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            out = read(fifo)
            if isinstance(out[0], Source):
                break
    finally:
        done.set()
        if writer.is_alive():  # unblock a writer still waiting in open()
            os.close(os.open(fifo, os.O_RDONLY | os.O_NONBLOCK))
        writer.join(5)
    assert [x.body for x in out] == ["chunk of text " * 50]


def test_very_deep_directory_tree(tmp_path: Path) -> None:
    d = tmp_path / "deep"
    path = str(d)
    for _ in range(300):  # deeper trees hit PATH_MAX; the walk itself has no recursion
        path = os.path.join(path, "d")
    os.makedirs(path)
    Path(path, "x.txt").write_text(GOOD)
    out = read(d)
    assert [x.body for x in out] == [GOOD]


# --------------------------------------------------------------------------- permissions


def _collect_unprivileged(paths: list[str]) -> list[tuple[str, str]]:
    """Run read_paths as a user the kernel really refuses, even when the tests run as root.

    Root ignores file modes, so a forked child drops to ``nobody`` first; the kernel then
    returns EACCES exactly as it would for a normal user. Results come back pickled.
    """

    def run() -> list[tuple[str, str]]:
        return [
            (x.doc, x.reason if isinstance(x, Failure) else "SOURCE:" + x.body) for x in read_paths(paths)
        ]

    if os.geteuid() != 0:
        return run()
    rfd, wfd = os.pipe()
    pid = os.fork()
    if pid == 0:  # child: never return into pytest
        code = 0
        try:
            os.close(rfd)
            os.setgroups([])
            os.setgid(65534)
            os.setuid(65534)
            payload = pickle.dumps(run())
            with os.fdopen(wfd, "wb") as w:
                w.write(payload)
        except BaseException:
            code = 1
        os._exit(code)
    os.close(wfd)
    with os.fdopen(rfd, "rb") as r:
        payload = r.read()
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0, "unprivileged child failed"
    return pickle.loads(payload)


@pytest.fixture
def world_dir() -> Iterator[Path]:
    """A folder the unprivileged child can reach (pytest's own tmp dirs are 0700)."""
    base = Path(tempfile.mkdtemp(prefix="reetool-perm-"))
    base.chmod(0o755)
    try:
        yield base
    finally:
        for p in base.rglob("*"):
            if p.is_dir() and not p.is_symlink():
                p.chmod(0o755)
        shutil.rmtree(base)


def test_permission_denied_file_and_directory(world_dir: Path) -> None:
    top = world_dir / "top"
    top.mkdir()
    good(top, "a_good.txt")
    (top / "b_secret.txt").write_text("secret")
    (top / "b_secret.txt").chmod(0)
    (top / "c_locked").mkdir()
    (top / "c_locked" / "x.txt").write_text("x")
    (top / "c_locked").chmod(0)
    (top / "d_good.txt").write_text(GOOD)
    try:
        out = _collect_unprivileged([str(top), str(top / "b_secret.txt")])
    finally:
        (top / "c_locked").chmod(0o755)
    assert out == [
        (str(top / "a_good.txt"), "SOURCE:" + GOOD),
        (str(top / "b_secret.txt"), "permission denied"),
        (str(top / "c_locked"), "permission denied"),
        (str(top / "d_good.txt"), "SOURCE:" + GOOD),
        (str(top / "b_secret.txt"), "permission denied"),
    ]


def test_unreadable_directory_given_directly(world_dir: Path) -> None:
    locked = world_dir / "locked"
    locked.mkdir()
    (locked / "x.txt").write_text("x")
    locked.chmod(0o311)  # can traverse, cannot list
    try:
        out = _collect_unprivileged([str(locked)])
    finally:
        locked.chmod(0o755)
    assert out == [(str(locked), "permission denied")]


# --------------------------------------------------------------------------- empty and binary


def test_empty_file(tmp_path: Path) -> None:
    e = tmp_path / "empty.json"
    e.write_bytes(b"")
    assert_failure_then_good(read(e, good(tmp_path)), str(e), "empty file")


def test_whitespace_only_file(tmp_path: Path) -> None:
    e = tmp_path / "blank.txt"
    e.write_bytes(b" \n\t\r\n")
    assert_failure_then_good(read(e, good(tmp_path)), str(e), "empty file (only whitespace)")


def _png() -> bytes:
    return b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(50)


def _zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("a.txt", "hello")
    return buf.getvalue()


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (gzip.compress(b"<html>compressed page</html>"), "binary file (gzip)"),
        (_png(), "binary file (png)"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(40), "binary file (jpeg)"),
        (_zip(), "binary file (zip)"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "binary file (pdf)"),
        (b"GIF89a\x01\x00\x01\x00", "binary file (gif)"),
        (b"SQLite format 3\x00" + bytes(84), "binary file (SQLite database)"),
        (b"\x7fELF\x02\x01\x01" + bytes(9), "binary file (ELF executable)"),
        (b"text\x00with\x00nuls" * 10, "binary file (contains NUL bytes)"),
        (bytes(range(1, 8)) * 100, "binary file (control bytes, not text)"),
    ],
)
def test_binary_files(tmp_path: Path, data: bytes, reason: str) -> None:
    b = tmp_path / "blob.txt"  # a lying extension: content decides
    b.write_bytes(data)
    assert_failure_then_good(read(b, good(tmp_path)), str(b), reason)


def test_text_starting_like_bzip_magic_is_still_text() -> None:
    assert [x.body for x in parse_bytes("t", b"BZh is not bzip2 without a level digit")] == [
        "BZh is not bzip2 without a level digit"
    ]


# --------------------------------------------------------------------------- encodings


def test_invalid_utf8_is_read_as_windows_1252(tmp_path: Path) -> None:
    f = tmp_path / "latin.txt"
    f.write_bytes(b"Lynas\x92s CEO \x96 Amanda Lacaze \x93quoted\x94 \xff\xfe?")
    out = read(f, good(tmp_path))
    assert out[0].body == "Lynas’s CEO – Amanda Lacaze “quoted” ÿþ?"
    assert out[1].body == GOOD


def test_utf16_with_bom(tmp_path: Path) -> None:
    f = tmp_path / "u16.txt"
    f.write_bytes("China’s “rare earth” exports".encode("utf-16"))
    assert [x.body for x in read(f)] == ["China’s “rare earth” exports"]


def test_utf16_with_bom_and_odd_length_does_not_crash() -> None:
    out = list(parse_bytes("u", b"\xff\xfe" + "abc".encode("utf-16-le") + b"\x00"))
    assert isinstance(out[0], Source) and out[0].body.startswith("abc")


# --------------------------------------------------------------------------- JSON


def test_wordpress_json_cut_off_mid_string(tmp_path: Path) -> None:
    raw = SEED_000.read_bytes()
    cut = raw.index(b'"rendered":"China Rare Earth') + 30  # inside the title string
    f = tmp_path / "cut.json"
    f.write_bytes(raw[:cut])
    assert_failure_then_good(
        read(f, good(tmp_path)), str(f), f"truncated JSON (unexpected end at byte {cut})"
    )


def test_truncated_json_position_counts_the_bom() -> None:
    out = list(parse_bytes("b", b"\xef\xbb\xbf" + b'{"content": "abc'))
    assert out == [Failure("b", "truncated JSON (unexpected end at byte 19)")]


def test_truncated_utf16_json_counts_characters() -> None:
    out = list(parse_bytes("u", b"\xff\xfe" + '{"content": "abc'.encode("utf-16-le")))
    assert out == [Failure("u", "truncated JSON (unexpected end at character 16)")]


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"[1, 2]", "JSON is not a WordPress post: got an array of numbers"),
        (b'{"a": 1}', 'JSON is not a WordPress post: no "content" or "text" field (keys: a)'),
        (b"{}", 'JSON is not a WordPress post: empty object (no "content" or "text" field)'),
        (b"[]", "JSON is not a WordPress post: got an empty array"),
        (b'["x", null, true]', "JSON is not a WordPress post: got an array of booleans, nulls, strings"),
        (
            b'{"code": "rest_post_invalid_id", "message": "Invalid post ID.", "data": {"status": 404}}',
            "JSON is not a WordPress post: WordPress API error rest_post_invalid_id: Invalid post ID.",
        ),
        (b'{"a": 1,}', "invalid JSON (trailing comma is not allowed at line 1 column 8)"),
    ],
)
def test_valid_json_that_is_not_a_post(tmp_path: Path, data: bytes, reason: str) -> None:
    f = tmp_path / "x.json"
    f.write_bytes(data)
    assert_failure_then_good(read(f, good(tmp_path)), str(f), reason)


def test_key_names_in_reasons_stay_on_one_line() -> None:
    out = list(parse_bytes("k", json.dumps({"evil\nkey\x1b[31m": 1}).encode()))
    assert len(out) == 1 and "\n" not in out[0].reason and "\x1b" not in out[0].reason


@pytest.mark.parametrize("opener", [b"[", b'{"a":', b'[{"content":'])
def test_json_nested_100000_levels(tmp_path: Path, opener: bytes) -> None:
    closer = b"]" if opener == b"[" else b"}" if opener == b'{"a":' else b"}]"
    f = tmp_path / "deep.json"
    f.write_bytes(opener * 100_000 + b"1" + closer * 100_000)
    assert_failure_then_good(read(f, good(tmp_path)), str(f), "JSON nested too deeply (over 1024 levels)")


def test_deep_json_the_stdlib_would_also_see_is_caught() -> None:
    # A lone surrogate escape makes orjson refuse first, so the stdlib parser gets the deep part.
    data = b'["\\ud800", ' + b"[" * 100_000 + b"]" * 100_001
    assert list(parse_bytes("d", data)) == [Failure("d", "JSON nested too deeply (over 1024 levels)")]


def test_lone_surrogate_and_huge_number_are_read_safely() -> None:
    data = b'{"text": "a\\ud800b", "title": "\\udfff", "n": 1234567890123456789012345678901234567890}'
    (src,) = parse_bytes("s", data)
    assert (src.body, src.title) == ("a\ufffdb", "\ufffd")
    src.body.encode("utf-8")  # writable by the JSON lines writer


def test_jsonl_with_bad_lines_keeps_the_good_ones(tmp_path: Path) -> None:
    f = tmp_path / "scrape.jsonl"
    f.write_bytes(
        b'{"id": 1, "text": "one"}\n'
        b"<p>this line is not json</p>\n"
        b'{"id": 3, "text": 3}\n'
        b"[1, 2]\n"
        b'{"id": 5, "title": "no text"}\n'
        b'{"text": "six"}\n' + b"[" * 5000 + b"\n" + b'{"id": 8, "text": "eight, cut off'
    )
    out = read(f)
    doc = str(f)
    assert out == [
        Source(f"{doc}#1", "one"),
        Failure(f"{doc}:2", "invalid JSON (unexpected character, expected a JSON value at column 1)"),
        Failure(f"{doc}:3", '"text" is not a string (got a number)'),
        Failure(f"{doc}:4", "not a JSON object (got an array)"),
        Failure(f"{doc}:5", 'JSON is not a WordPress post: no "content" or "text" field (keys: id, title)'),
        Source(f"{doc}#6", "six"),
        Failure(f"{doc}:7", "JSON nested too deeply (over 1024 levels)"),
        Failure(f"{doc}:8", "truncated JSON (unexpected end at column 34)"),
    ]


# --------------------------------------------------------------------------- size


def test_200mb_file_is_refused_without_reading_it(tmp_path: Path) -> None:
    big = tmp_path / "huge.txt"
    with big.open("wb") as fh:  # sparse: 200 MB of size, no disk used
        fh.truncate(200_000_000)
    tracemalloc.start()
    try:
        out = read(big, good(tmp_path))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert_failure_then_good(
        out, str(big), "file is 200 MB, over the 100 MB limit (set REETOOL_MAX_BYTES or --max-bytes)"
    )
    assert peak < 5_000_000


def test_250mb_message_and_limit_raised_by_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    big = tmp_path / "huge.txt"
    with big.open("wb") as fh:
        fh.truncate(250_000_000)
    monkeypatch.setenv("REETOOL_MAX_BYTES", "200MB")
    assert read(big) == [
        Failure(str(big), "file is 250 MB, over the 200 MB limit (set REETOOL_MAX_BYTES or --max-bytes)")
    ]


def test_endless_device_stops_at_the_limit() -> None:
    # /dev/zero reports size 0: the limit must hold while reading, not only from stat.
    out = read("/dev/zero", max_bytes=1_000_000)
    assert out == [Failure("/dev/zero", "file is over the 1 MB limit (set REETOOL_MAX_BYTES or --max-bytes)")]


def test_single_10mb_line(tmp_path: Path) -> None:
    f = tmp_path / "line.txt"
    line = "Dysprosium prices rose. " * 440_000  # ~10.5 MB, no newline at all
    f.write_text(line)
    out = read(f, good(tmp_path))
    assert out[0].body == line and out[0].markup == "text"
    assert out[1].body == GOOD


def test_large_windows_1252_file_decodes_in_linear_time(tmp_path: Path) -> None:
    # 20 MB with four million invalid-UTF-8 bytes: per-error work must stay bounded.
    f = tmp_path / "big1252.txt"
    text = "Café déjà vu “Nd” – " * 800_000
    f.write_bytes(text.encode("cp1252"))
    (src,) = read(f)
    assert src.body == text


def test_mostly_utf8_with_stray_bytes_across_window_boundaries() -> None:
    text = "Lynas’ “NdPr” 🧲 " * 20_000  # multi-byte characters straddle every 64 KB window
    data = text.encode() + b" caf\xe9 " + text.encode()
    (src,) = parse_bytes("m", data)
    assert src.body == text + " café " + text
