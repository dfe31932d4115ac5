"""Edge cases found in review: odd names, overlapping roots, partial walks, locks held by others."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from conftest import graph_rows, job_json, run_km, write_config

from km_core.locks import FileLock


def test_name_that_is_not_utf8_is_skipped_and_the_rest_lands(km_home: Path, tmp_path: Path) -> None:
    root = tmp_path / "root"
    root.mkdir()
    (root / "fine.txt").write_text("all good", encoding="utf-8")
    fd = os.open(os.fsencode(root) + b"/bad\xff\xfe.txt", os.O_WRONLY | os.O_CREAT, 0o644)
    os.write(fd, b"odd name")
    os.close(fd)
    write_config(km_home, [root])
    summary = job_json("daily", home=km_home)
    assert summary["status"] == "ok" and summary["counts"]["new"] == 1 and summary["counts"]["extracted"] == 1
    assert graph_rows(km_home, "MATCH (f:File) RETURN f.name") == [["fine.txt"]]
    discovery_log = next((km_home / "logs" / "processing").glob("discovery_*.log")).read_text(encoding="utf-8")
    assert "name is not valid UTF-8, skipped" in discovery_log


def test_overlapping_roots_give_one_node_per_file(km_home: Path, tmp_path: Path) -> None:
    root = tmp_path / "docs"
    (root / "sub").mkdir(parents=True)
    (root / "top.txt").write_text("top", encoding="utf-8")
    (root / "sub" / "inner.txt").write_text("inner", encoding="utf-8")
    write_config(km_home, [root, root / "sub", root])
    assert job_json("daily", home=km_home)["counts"]["new"] == 2
    (root / "sub" / "inner.txt").unlink()
    assert job_json("daily", home=km_home)["counts"]["missing"] == 1
    rows = graph_rows(km_home, "MATCH (f:File) RETURN f.name, f.status ORDER BY f.name")
    assert rows == [["inner.txt", "missing"], ["top.txt", "ok"]]


def test_files_still_being_written_are_not_marked_missing(km_home: Path, tmp_path: Path) -> None:
    root = tmp_path / "root"
    root.mkdir()
    for name in ("a.txt", "b.txt"):
        (root / name).write_text(f"first version of {name}", encoding="utf-8")
    write_config(km_home, [root])
    assert job_json("daily", home=km_home)["counts"]["new"] == 2
    (root / "a.txt").write_text("being rewritten right now", encoding="utf-8")
    (km_home / "config" / "km.toml").write_text(
        f'[locations]\nroots = ["{root}"]\n[ignore]\nsettle_seconds = 3600\n', encoding="utf-8"
    )
    busy = job_json("daily", home=km_home)
    assert busy["counts"]["missing"] == 0 and busy["counts"]["modified"] == 0
    assert graph_rows(km_home, "MATCH (f:File) WHERE f.status = 'ok' RETURN count(*)") == [[2]]
    write_config(km_home, [root])
    settled = job_json("daily", home=km_home)
    assert settled["counts"]["modified"] == 1 and settled["counts"]["extracted"] == 1


def test_empty_files_are_not_taken_for_renames(km_home: Path, tmp_path: Path) -> None:
    root = tmp_path / "root"
    (root / "pkg").mkdir(parents=True)
    (root / "empty.txt").write_bytes(b"")
    write_config(km_home, [root])
    job_json("daily", home=km_home)
    (old_id,) = graph_rows(km_home, "MATCH (f:File {name: 'empty.txt'}) RETURN f.id")[0]
    (root / "empty.txt").unlink()
    (root / "pkg" / "__init__.py").write_bytes(b"")
    counts = job_json("daily", home=km_home)["counts"]
    assert (counts["new"], counts["renamed"], counts["missing"]) == (1, 0, 1)
    (new_id,) = graph_rows(km_home, "MATCH (f:File {name: '__init__.py'}) RETURN f.id")[0]
    assert new_id != old_id


def test_graph_held_by_another_program_is_not_treated_as_damage(km_home: Path, corpus_copy) -> None:
    write_config(km_home, [corpus_copy("text")])
    job_json("daily", home=km_home)
    graph = km_home / "data" / "graph" / "graph.kuzu"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import kuzu, time; db = kuzu.Database({str(graph)!r}); print('held', flush=True); time.sleep(60)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        done = run_km("job", "daily", "--json", home=km_home)
        assert done.returncode == 3
        assert "in use by another program" in json.loads(done.stdout)["notes"][0]
        assert not list(graph.parent.glob("graph.kuzu.damaged-*")), "a healthy graph was moved aside"
        state = json.loads((km_home / "state" / "jobs" / "daily.json").read_text())
        assert state["last_run"]["status"] == "failed"
    finally:
        holder.kill()
        holder.wait()
    assert job_json("daily", home=km_home)["status"] == "ok"


def test_lock_timeout_is_exit_3_and_recorded_as_failed(km_home: Path, tmp_path: Path) -> None:
    write_config(km_home, [tmp_path], extra="\n[graph]\nlock_timeout_s = 1\n")
    (km_home / "state" / "locks").mkdir(parents=True)
    lock = FileLock(km_home / "state" / "locks" / "graph.lock")
    assert lock.try_acquire()
    try:
        began = time.monotonic()
        done = run_km("job", "daily", "--json", home=km_home)
        assert time.monotonic() - began < 30
    finally:
        lock.release()
    assert done.returncode == 3
    summary = json.loads(done.stdout)
    assert summary["status"] == "failed" and "held by another km process" in summary["notes"][0]


def test_km_query_cannot_write_even_on_a_fresh_home(km_home: Path, tmp_path: Path) -> None:
    write_config(km_home, [tmp_path])
    done = run_km("query", "CREATE (t:Tag {name: 'x', kind: 'y'}) RETURN 1", home=km_home)
    assert done.returncode == 2 and "read-only" in done.stderr
    assert graph_rows(km_home, "MATCH (t:Tag) RETURN count(*)") == [[0]]


def test_search_index_rebuild_survives_leftovers_of_an_interrupted_one(km_home: Path, tmp_path: Path) -> None:
    root = tmp_path / "root"
    root.mkdir()
    (root / "a.txt").write_text("zebra crossing", encoding="utf-8")
    write_config(km_home, [root])
    job_json("daily", home=km_home)
    # what a kill inside CREATE_FTS_INDEX leaves: an internal table under the index's name
    code = (
        "from km_core import config\nfrom km_core.store import open_graph, search_index\n"
        "with open_graph(config.load()) as g:\n"
        "    search_index.invalidate(g)\n"
        "    table_id = [r[0] for r in g.rows('CALL SHOW_TABLES() RETURN id, name') if r[1] == 'File'][0]\n"
        "    g.execute(f'CREATE NODE TABLE `{table_id}_file_text_appears_info`(id INT64, PRIMARY KEY(id))')\n"
    )
    subprocess.run([sys.executable, "-c", code], env={**os.environ, "KM_HOME": str(km_home)}, check=True)
    (root / "b.txt").write_text("giraffe", encoding="utf-8")
    summary = job_json("daily", home=km_home)
    assert summary["status"] == "ok" and summary["notes"] == []
    hits = json.loads(run_km("search", "zebra", "--json", home=km_home).stdout)["results"]
    assert [Path(h["path"]).name for h in hits] == ["a.txt"]
    assert graph_rows(km_home, "MATCH (m:Meta {key: 'search_index'}) RETURN m.value") == [["file_text_2"]]
