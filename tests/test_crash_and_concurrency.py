"""Real processes killed, raced and damaged: the graph always opens and the next run completes."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import time
from pathlib import Path

from conftest import KM, graph_rows, job_json, run_km, write_config


def make_tree(root: Path, count: int, words: int = 400) -> None:
    vocabulary = "alpha beta gamma delta epsilon zeta theta kappa lambda sigma omega".split()
    rng = random.Random(7)
    for index in range(count):
        folder = root / f"d{index % 20:02d}"
        folder.mkdir(parents=True, exist_ok=True)
        body = " ".join(rng.choice(vocabulary) for _ in range(words))
        (folder / f"note-{index:05d}.txt").write_text(f"note {index}\n{body}\n", encoding="utf-8")


# These tests are about discovery and extraction under crashes and concurrency: the taggers
# (spaCy, yake) would only make every job here minutes longer.
PLUGINS = {"KM_LOAD_PLUGINS": "filesystem,text,pdf,docx"}


def start_job(home: Path, *args: str) -> subprocess.Popen:
    env = {**os.environ, "KM_HOME": str(home), **PLUGINS}
    return subprocess.Popen(
        [KM, "job", "daily", "--json", *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def wait_for_step(home: Path, steps: set[str], timeout: float = 60) -> str:
    state_file = home / "state" / "jobs" / "daily.json"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            running = json.loads(state_file.read_text()).get("running") or {}
        except (OSError, ValueError):
            running = {}
        if running.get("step") in steps:
            return running["step"]
        time.sleep(0.02)
    raise AssertionError(f"the job never reached {steps}")


def test_second_job_says_already_running_and_exits_0(km_home: Path, tmp_path: Path) -> None:
    root = tmp_path / "docs"
    make_tree(root, 3000)
    write_config(km_home, [root])
    first = start_job(km_home)
    wait_for_step(km_home, {"discover", "extract"})
    second = run_km("job", "daily", home=km_home, env=PLUGINS)
    assert second.returncode == 0
    assert "already running" in second.stderr
    as_json = json.loads(run_km("job", "daily", "--json", home=km_home, env=PLUGINS).stdout)
    assert as_json["status"] == "already_running"
    out, err = first.communicate(timeout=300)
    assert first.returncode == 0, err
    assert json.loads(out)["counts"]["new"] == 3000
    status = json.loads(run_km("status", "--json", home=km_home).stdout)
    assert status["jobs"]["daily"]["running"] is None


def test_kill_9_while_writing_then_next_run_completes(km_home: Path, tmp_path: Path) -> None:
    root = tmp_path / "docs"
    make_tree(root, 2500)
    write_config(km_home, [root])
    rng = random.Random(11)
    kills = 0
    for round_number in range(4):
        args = ("--full-rescan",) if round_number else ()
        job = start_job(km_home, *args)
        wait_for_step(km_home, {"discover", "extract"})
        time.sleep(rng.uniform(0.0, 1.5))
        if job.poll() is None:
            job.send_signal(signal.SIGKILL)
            kills += 1
        job.communicate(timeout=60)
    assert kills >= 2, "the job finished before it could be killed: make the tree bigger"
    summary = job_json("daily", home=km_home, env=PLUGINS)
    assert summary["status"] == "ok", summary
    assert graph_rows(km_home, "MATCH (f:File) RETURN count(*)") == [[2500]]
    assert graph_rows(km_home, "MATCH (f:File) WHERE f.status <> 'ok' RETURN count(*)") == [[0]]
    paths = {r[0] for r in graph_rows(km_home, "MATCH (f:File) RETURN f.path")}
    assert paths == {str(p) for p in root.rglob("*.txt")}
    hits = json.loads(run_km("search", "note", "--json", "--limit", "5", home=km_home).stdout)["results"]
    assert len(hits) == 5


def test_sigterm_stops_cleanly_between_writes(km_home: Path, tmp_path: Path) -> None:
    root = tmp_path / "docs"
    make_tree(root, 2500)
    write_config(km_home, [root])
    job = start_job(km_home)
    wait_for_step(km_home, {"extract"})
    job.send_signal(signal.SIGTERM)
    out, _ = job.communicate(timeout=60)
    summary = json.loads(out)
    assert summary["status"] == "interrupted" and job.returncode == 1
    assert not (km_home / "data" / "graph" / "graph.kuzu.dirty").exists(), "the closing checkpoint ran"
    assert job_json("daily", home=km_home, env=PLUGINS)["status"] == "ok"
    assert graph_rows(km_home, "MATCH (f:File) WHERE f.status = 'ok' RETURN count(*)") == [[2500]]


def test_damaged_graph_is_restored_from_backup_and_said(km_home: Path, corpus_copy) -> None:
    docs = corpus_copy("text")
    write_config(km_home, [docs])
    assert job_json("daily", home=km_home, env=PLUGINS)["status"] == "ok"
    graph = km_home / "data" / "graph" / "graph.kuzu"
    with graph.open("r+b") as handle:
        handle.truncate(graph.stat().st_size // 3)
    summary = job_json("daily", home=km_home, env=PLUGINS)
    assert summary["status"] == "ok"
    assert summary["recovered"].startswith("graph restored from backup")
    assert list(graph.parent.glob("graph.kuzu.damaged-*")), "the damaged graph is kept, not deleted"
    assert summary["counts"]["unchanged"] == 12
    log_text = Path(summary["log_file"]).read_text(encoding="utf-8")
    assert "[WARNING] [store] the graph will not open" in log_text
    shown = run_km("job", "daily", home=km_home, env=PLUGINS)
    assert shown.returncode == 0


def test_graph_without_backup_starts_fresh_and_refills(km_home: Path, corpus_copy) -> None:
    docs = corpus_copy("text")
    write_config(km_home, [docs])
    job_json("daily", home=km_home, env=PLUGINS)
    for backup in (km_home / "data" / "backups").glob("*"):
        backup.unlink()
    graph = km_home / "data" / "graph" / "graph.kuzu"
    graph.write_bytes(b"\0" * 4096)
    summary = job_json("daily", home=km_home, env=PLUGINS)
    assert "no usable backup" in summary["recovered"]
    assert summary["counts"]["new"] == 12 and summary["status"] == "ok"


def test_bad_config_names_the_key_in_one_line(km_home: Path, tmp_path: Path) -> None:
    write_config(km_home, [tmp_path], extra="\n[jobs]\nretries = 'three'\n")
    done = run_km("job", "daily", home=km_home, env=PLUGINS)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "jobs.retries" in lines[0] and "expected a whole number" in lines[0] and "km.toml" in lines[0]

    write_config(km_home, [tmp_path], extra="\n[graph]\nbuffer_pol_mb = 300\n")
    done = run_km("status", home=km_home)
    assert done.returncode == 2 and "graph.buffer_pol_mb: unknown key (did you mean 'buffer_pool_mb'?)" in done.stderr

    write_config(km_home, [tmp_path], extra="\n[graph\n")
    done = run_km("job", "daily", "--json", home=km_home, env=PLUGINS)
    assert done.returncode == 2 and done.stdout == "" and "TOML" in done.stderr
