"""Shared fixtures: a throw-away KM_HOME per test and the real public corpus."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parent.parent


def corpus_dir() -> Path | None:
    """The shared corpus, found at run time: $KM_CORPUS or ../shared/corpus."""
    env = os.environ.get("KM_CORPUS")
    candidates = [Path(env)] if env else []
    candidates.append(PROJECT.parent / "shared" / "corpus")
    for candidate in candidates:
        if (candidate / "MANIFEST.md").is_file():
            return candidate
    return None


@pytest.fixture(scope="session")
def corpus() -> Path:
    found = corpus_dir()
    if found is None:
        pytest.skip("corpus absent: set KM_CORPUS or place it at ../shared/corpus")
    return found


@pytest.fixture
def km_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh KM_HOME so config, data, state and logs stay inside the test."""
    home = tmp_path / "kmhome"
    home.mkdir()
    monkeypatch.setenv("KM_HOME", str(home))
    monkeypatch.delenv("KM_LOAD_PLUGINS", raising=False)
    return home


@pytest.fixture
def corpus_copy(corpus: Path, tmp_path: Path):
    """Copy chosen corpus folders into a writable temporary tree (../shared is read-only)."""

    def copy(*folders: str) -> Path:
        root = tmp_path / "docs"
        root.mkdir(exist_ok=True)
        for folder in folders:
            shutil.copytree(corpus / folder, root / folder, dirs_exist_ok=True)
        for path in root.rglob("*"):
            path.chmod(0o755 if path.is_dir() else 0o644)
        return root

    return copy
