"""Broken third-party plugins, installed for real as entry points, never stop a job."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

from conftest import graph_rows, job_json, run_km, write_config

RAISER = """
from km_core import hookimpl

@hookimpl
def km_extract(item, ctx):
    raise RuntimeError("raiser plugin always fails")

@hookimpl
def km_discover(source, ctx):
    if source.kind != "filesystem":
        return None
    def walk():
        yield from ()
        raise RuntimeError("raiser discovery broke")
    return walk()
"""

BROKEN = "import km_core\nraise ImportError('this plugin cannot be imported')\n"


def install_fake_plugins(site: Path) -> dict[str, str]:
    """Lay out two plugins with a dist-info on a path, as pip would, and return the env to see them."""
    site.mkdir(parents=True)
    (site / "raiser_plugin.py").write_text(RAISER, encoding="utf-8")
    (site / "broken_plugin.py").write_text(BROKEN, encoding="utf-8")
    dist = site / "km_fake_plugins-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: km-fake-plugins\nVersion: 1.0\n", encoding="utf-8")
    (dist / "entry_points.txt").write_text("[km]\nraiser = raiser_plugin\nbroken = broken_plugin\n", encoding="utf-8")
    return {"PYTHONPATH": str(site)}


def test_raising_and_unimportable_plugins_do_not_stop_the_job(km_home: Path, corpus_copy, tmp_path: Path) -> None:
    env = install_fake_plugins(tmp_path / "site")
    docs = corpus_copy("text")
    write_config(km_home, [docs])
    (km_home / "config" / "plugins.toml").write_text(
        textwrap.dedent("""
        [plugins]
        order = ["raiser", "filesystem", "pdf", "docx", "text"]
        """),
        encoding="utf-8",
    )
    listing = json.loads(run_km("plugins", "list", "--json", home=km_home, env=env).stdout)
    by_name = {p["name"]: p for p in listing}
    assert by_name["broken"]["enabled"] is False and "cannot be imported" in by_name["broken"]["error"]
    assert by_name["raiser"]["enabled"] is True and by_name["raiser"]["builtin"] is False

    done = run_km("job", "daily", "--json", home=km_home, env=env)
    summary = json.loads(done.stdout)
    assert done.returncode == 0, done.stderr
    assert summary["status"] == "ok"
    assert summary["counts"]["new"] == 12 and summary["counts"]["extracted"] == 12
    # the raising extractor is passed over and the built-in text extractor answers
    extractors = {r[0] for r in graph_rows(km_home, "MATCH (f:File) RETURN DISTINCT f.extractor")}
    assert extractors == {"text"}
    assert summary["plugin_failures"]["raiser"] >= 13  # 12 extracts + 1 discovery
    assert any("raiser" in note for note in summary["notes"])

    # discovery by the raiser broke, so nothing may be declared missing on that basis
    (docs / "text" / "wiki.md").unlink()
    again = job_json("daily", home=km_home, env=env)
    assert again["counts"]["missing"] == 0
    log_text = Path(summary["log_file"]).read_text(encoding="utf-8")
    assert "plugin broken failed to load" in log_text
    assert "plugin raiser raised in km_extract" in log_text


def test_allow_list_loads_only_named_plugins(km_home: Path, corpus_copy, tmp_path: Path) -> None:
    env = install_fake_plugins(tmp_path / "site") | {"KM_LOAD_PLUGINS": "filesystem,text"}
    docs = corpus_copy("text", "pdf")
    write_config(km_home, [docs])
    listing = json.loads(run_km("plugins", "list", "--json", home=km_home, env=env).stdout)
    enabled = sorted(p["name"] for p in listing if p["enabled"])
    assert enabled == ["filesystem", "text"]
    summary = job_json("daily", home=km_home, env=env)
    assert summary["status"] == "ok"
    rows = graph_rows(km_home, "MATCH (f:File) WHERE f.ext = '.pdf' RETURN DISTINCT f.extractor, f.words")
    assert rows == [["", 0]]  # no PDF extractor was allowed to load


def test_disabled_in_plugins_toml_is_never_imported(km_home: Path, corpus_copy, tmp_path: Path) -> None:
    env = install_fake_plugins(tmp_path / "site")
    write_config(km_home, [corpus_copy("text")])
    (km_home / "config" / "plugins.toml").write_text('[plugins]\ndisabled = ["broken", "raiser"]\n', encoding="utf-8")
    listing = json.loads(run_km("plugins", "list", "--json", home=km_home, env=env).stdout)
    broken = next(p for p in listing if p["name"] == "broken")
    assert broken["enabled"] is False and broken["error"] == ""  # blocked before import
    assert job_json("daily", home=km_home, env=env)["plugin_failures"] == {}


FLAKY = """
from pathlib import Path
from km_core import Content, hookimpl

@hookimpl
def km_extract(item, ctx):
    if item.ext != ".flaky":
        return None
    calls = Path(item.path).with_suffix(".calls")
    count = len(calls.read_text().splitlines()) + 1 if calls.exists() else 1
    calls.write_text("call\\n" * count)
    if count <= 3:
        raise RuntimeError(f"flaky failure {count}")
    return Content(text="finally readable", extractor="flaky")
"""


def test_failed_item_is_retried_in_run_then_queued_for_the_next(km_home: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    (site / "flaky_plugin.py").write_text(FLAKY, encoding="utf-8")
    dist = site / "km_flaky-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: km-flaky\nVersion: 1.0\n", encoding="utf-8")
    (dist / "entry_points.txt").write_text("[km]\nflaky = flaky_plugin\n", encoding="utf-8")
    env = {"PYTHONPATH": str(site)}
    root = tmp_path / "root"
    root.mkdir()
    (root / "data.flaky").write_text("x", encoding="utf-8")
    (root / "note.txt").write_text("fine", encoding="utf-8")
    (km_home / "config").mkdir(parents=True)
    (km_home / "config" / "km.toml").write_text(
        f'[locations]\nroots = ["{root}"]\n[ignore]\nsettle_seconds = 0\npatterns = ["*.calls"]\n', encoding="utf-8"
    )
    first = job_json("daily", home=km_home, env=env)
    assert first["counts"]["failed"] == 1 and first["errors"][0]["error"] == "RuntimeError: flaky failure 3"
    assert (root / "data.calls").read_text().count("call") == 3  # three attempts in the run
    assert first["status"] == "warning"  # 1 of 2 failed: over 10%, not over 50%
    rows = graph_rows(km_home, "MATCH (f:File {name: 'data.flaky'}) RETURN f.status, f.failed_step, f.fail_runs")
    assert rows == [["failed", "extract", 1]]

    second = job_json("daily", home=km_home, env=env)
    assert second["counts"]["extracted"] == 1 and second["counts"]["failed"] == 0
    rows = graph_rows(km_home, "MATCH (f:File {name: 'data.flaky'}) RETURN f.status, f.text, f.fail_runs")
    assert rows == [["ok", "finally readable", 0]]


def test_over_half_failing_is_critical_with_exit_1(km_home: Path, tmp_path: Path) -> None:
    root = tmp_path / "root"
    root.mkdir()
    for name in ("a.pdf", "b.pdf", "c.docx"):
        (root / name).write_bytes(b"this is not what the name says")
    (root / "ok.txt").write_text("fine", encoding="utf-8")
    write_config(km_home, [root])
    done = run_km("job", "daily", "--json", home=km_home)
    assert done.returncode == 1
    summary = json.loads(done.stdout)
    assert summary["status"] == "critical" and summary["failure_ratio"] == 0.75
