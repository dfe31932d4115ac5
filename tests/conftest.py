"""Shared fixtures: a throw-away KM_HOME per test and the real public corpus."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parent.parent

# Times without a zone (EXIF clocks, floating calendar times) are read as local time: the suite
# runs in UTC wherever it runs, so that its expected figures hold; a test that wants another zone
# sets TZ for the km process it starts.
os.environ["TZ"] = "UTC"
time.tzset()


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


KM = str(Path(sys.executable).with_name("km"))


def write_config(home: Path, roots: list[Path], extra: str = "") -> Path:
    """A km.toml for a test home: the given roots, no settle delay, and any extra TOML."""
    config_dir = home / "config"
    config_dir.mkdir(parents=True, exist_ok=True)
    root_list = ", ".join(f'"{r}"' for r in roots)
    text = f"[locations]\nroots = [{root_list}]\n\n[ignore]\nsettle_seconds = 0\n{extra}"
    path = config_dir / "km.toml"
    path.write_text(text, encoding="utf-8")
    return path


def run_km(*args: str, home: Path, timeout: float = 300, env: dict[str, str] | None = None):
    """Run the installed ``km`` console script as a user would."""
    full_env = {**os.environ, "KM_HOME": str(home), **(env or {})}
    full_env.pop("KM_LOAD_PLUGINS", None) if "KM_LOAD_PLUGINS" not in (env or {}) else None
    return subprocess.run([KM, *args], capture_output=True, text=True, env=full_env, timeout=timeout, check=False)


def job_json(*args: str, home: Path, env: dict[str, str] | None = None) -> dict:
    done = run_km("job", *args, "--json", home=home, env=env)
    assert done.stdout, f"no JSON on stdout; stderr: {done.stderr}"
    return json.loads(done.stdout)


def graph_rows(home: Path, cypher: str) -> list[list]:
    done = run_km("query", cypher, "--json", home=home)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)["rows"]
