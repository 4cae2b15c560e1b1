"""The benchmark's corpus builder: the promised mix of shapes and damage, deterministically.

A benchmark is only comparable across runs if it measures the same bytes every time,
and only meaningful if the corpus holds what users feed reetool (WordPress JSON, HTML,
plain text, mojibake) at news length.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench"
sys.path.insert(0, str(BENCH))

import corpus  # noqa: E402
import measure  # noqa: E402

N = 80


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("bench") / f"corpus-{N}"
    return out, corpus.build(N, out)


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_same_parameters_give_identical_bytes(built: tuple[Path, dict], tmp_path: Path) -> None:
    out, manifest = built
    again = corpus.build(N, tmp_path / "again")
    assert again == manifest
    assert _files(tmp_path / "again") == _files(out)


def test_another_seed_gives_another_corpus(built: tuple[Path, dict], tmp_path: Path) -> None:
    out, _ = built
    corpus.build(N, tmp_path / "other", seed=7)
    assert _files(tmp_path / "other") != _files(out)


def test_documents_are_counted_per_post(built: tuple[Path, dict]) -> None:
    out, manifest = built
    docs = 0
    arrays = 0
    for path in out.iterdir():
        text = path.read_text("utf-8")
        if text.startswith("["):
            posts = json.loads(text)
            assert 2 <= len(posts) <= 5
            assert all("rendered" in p["content"] for p in posts)
            arrays += 1
            docs += len(posts)
        else:
            docs += 1
    assert docs == manifest["documents"] == N
    assert arrays > 0
    assert manifest["files"] == len(list(out.iterdir()))


def test_mix_of_shapes_damage_and_news_length(built: tuple[Path, dict]) -> None:
    out, manifest = built
    assert set(manifest["shapes"]) == {"text", "html", "wp_single", "wp_array"}
    assert set(manifest["damage"]) == {"none", "cp1252", "tis620"}
    assert corpus.WORDS_MIN <= manifest["words"] / N <= corpus.WORDS_MAX + 60
    blobs = [p.read_text("utf-8") for p in out.iterdir()]
    assert any("â€" in b for b in blobs), "no UTF-8-as-cp1252 damage"
    assert any("โ" in b for b in blobs), "no UTF-8-as-TIS-620 damage"
    assert any(b.lstrip().startswith("<!DOCTYPE html>") for b in blobs)
    assert {p.suffix for p in out.iterdir()} == {".txt", ".html", ".json"}


def test_damage_is_the_scraper_kind() -> None:
    assert corpus.damage("it’s", "cp1252") == "itâ€™s"
    assert corpus.damage("it’s", "tis620") == "it’s".encode().decode("tis-620", errors="ignore")
    assert corpus.damage("it’s", "none") == "it’s"


def test_ensure_reuses_a_matching_corpus(built: tuple[Path, dict]) -> None:
    out, manifest = built
    marker = min(out.iterdir())
    before = marker.stat().st_mtime_ns
    assert corpus.ensure(N, out) == manifest
    assert marker.stat().st_mtime_ns == before


def test_measure_reports_peak_memory_of_its_child(tmp_path: Path) -> None:
    code = "x = bytearray(120 * 2**20); print('ok')"
    result = measure.measure([sys.executable, "-c", code], str(tmp_path / "out.txt"))
    assert result["rc"] == 0 and not result["timed_out"]
    assert result["maxrss_mb"] >= 120
    assert (tmp_path / "out.txt").read_text() == "ok\n"


def test_measure_kills_a_command_that_overruns() -> None:
    result = measure.measure([sys.executable, "-c", "import time; time.sleep(30)"], "/dev/null", timeout=0.5)
    assert result["timed_out"] and result["wall_s"] < 10


def test_measure_tells_the_command_from_its_worker_processes(tmp_path: Path) -> None:
    child = (
        "import time\nx = bytearray(150 * 2**20)\nt = time.process_time()\n"
        "while time.process_time() - t < 0.5:\n    pass\ntime.sleep(0.3)\n"
    )
    code = f"import subprocess, sys; subprocess.run([sys.executable, '-c', {child!r}], check=True)"
    result = measure.measure([sys.executable, "-c", code], str(tmp_path / "out.txt"))
    assert result["rc"] == 0
    assert result["child_peak_mb"] >= 150 > result["root_peak_mb"]
    assert result["children_cpu_s"] >= 0.3 > result["root_cpu_s"]
