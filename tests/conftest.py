from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
DATA = Path(__file__).resolve().parent / "data"
GOLDEN = Path(__file__).resolve().parent / "golden"


@pytest.fixture
def seeds_dir() -> Path:
    return SEEDS


@pytest.fixture(scope="session")
def extractor():
    """The full extractor (spaCy + rules), loaded once for the whole test session."""
    from reetool.extractor import load_extractor

    return load_extractor()


@pytest.fixture(autouse=True)
def _private_store(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep every test's default store out of the checkout (and out of other tests' way)."""
    monkeypatch.setenv("REETOOL_DB", str(tmp_path_factory.mktemp("store") / "reetool.db"))
