"""The monthly job: change-log archive (undo reads it), log rotation, the insights report, stale files, maintenance."""

from __future__ import annotations

import gzip
import json
import os
import time
from datetime import date
from pathlib import Path

from conftest import graph_rows, job_json, run_km, write_config

from km_core.monthly.archive import archive_change_logs, rotate_logs
from km_core.monthly.stale import drafts, keeps_access_time

TODAY = date(2026, 12, 4)


def test_change_logs_older_than_30_days_are_gzipped_and_verified(tmp_path: Path) -> None:
    location = tmp_path / "Documents"
    logs = location / ".km"
    logs.mkdir(parents=True)
    old = {"2026-09": '{"id": "a", "run": "r1", "old_path": "/x", "new_path": "/y", "date": "2026-09-02"}\n'}
    old["2026-10"] = '{"id": "b", "run": "r2", "old_path": "/x2", "new_path": "/y2", "date": "2026-10-30"}\n'
    recent = '{"id": "c", "run": "r3", "old_path": "/x3", "new_path": "/y3", "date": "2026-11-20"}\n'
    for month, text in old.items():
        (logs / f"changes-{month}.jsonl").write_text(text, encoding="utf-8")
    (logs / "changes-2026-11.jsonl").write_text(recent, encoding="utf-8")
    archive = tmp_path / "archive"
    done = archive_change_logs(archive, [str(location)], TODAY)
    assert done.files == 2 and not done.problems
    assert sorted(p.name for p in logs.iterdir()) == ["changes-2026-11.jsonl"]  # the last 30 days stay
    packed = sorted((archive / "change_logs").rglob("*.gz"))
    assert [p.parent.name for p in packed] == ["2026-09", "2026-10"]
    assert gzip.decompress(packed[0].read_bytes()).decode() == old["2026-09"]
    index = json.loads((archive / "change_logs" / "index.json").read_text())
    assert set(index.values()) == {str(location)}
    # a rerun finds nothing more; a source left behind by a crash after archiving is only removed
    (logs / "changes-2026-09.jsonl").write_text(old["2026-09"], encoding="utf-8")
    again = archive_change_logs(archive, [str(location)], TODAY)
    assert again.files == 1 and len(list((archive / "change_logs").rglob("*.gz"))) == 2


def test_log_rotation_keeps_each_kind_its_time(tmp_path: Path) -> None:
    logs = tmp_path / "logs"
    files = {
        "jobs/daily_2026-11-10.log": True,  # 24 days: stays
        "jobs/daily_2026-10-01.log": False,  # 64 days: archived
        "jobs/errors_2026-10-01.log": True,  # errors stay 90 days
        "jobs/errors_2026-08-01.log": False,
        "jobs/monthly_2026-01.log": True,  # monthly logs stay 12 months
        "jobs/monthly_2025-10.log": False,
        "processing/ocr_2026-09-30.log": False,
        "system/notes.log": True,  # not dated: never touched
    }
    for name in files:
        path = logs / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"2026-01-01 00:00:00 [CRITICAL] [km] disk full in {name}\n", encoding="utf-8")
    done = rotate_logs(logs, tmp_path / "archive", TODAY)
    assert done.files == 4
    for name, stays in files.items():
        assert (logs / name).exists() == stays, name
    archived = tmp_path / "archive" / "logs" / "2026-10" / "jobs" / "daily_2026-10-01.log.gz"
    assert "[CRITICAL]" in gzip.decompress(archived.read_bytes()).decode()  # nothing is lost, CRITICAL included
    assert (tmp_path / "archive" / "logs" / "2025-10" / "jobs" / "monthly_2025-10.log.gz").exists()


def test_drafts_with_a_newer_final_sibling() -> None:
    now = time.time()
    files = [
        ("/d/report draft.docx", now - 9 * 86400),
        ("/d/report.docx", now - 2 * 86400),
        ("/d/budget_v1.xlsx", now - 5 * 86400),
        ("/d/budget_v2.xlsx", now - 1 * 86400),
        ("/d/Copy of plan.txt", now - 3 * 86400),
        ("/d/plan.txt", now - 4 * 86400),  # older than its copy: the copy is not a stale draft
        ("/d/untitled.md", now - 9 * 86400),  # no sibling
    ]
    found = {d["path"]: d["final"] for d in drafts(files)}
    assert found == {"/d/report draft.docx": "/d/report.docx", "/d/budget_v1.xlsx": "/d/budget_v2.xlsx"}


def test_access_time_basis_follows_mount_options() -> None:
    mounts = [("/home", {"rw", "noatime"}), ("/", {"rw", "relatime"})]
    assert keeps_access_time("/home/me/a.txt", mounts) is False
    assert keeps_access_time("/srv/a.txt", mounts) is True


def make_home(km_home: Path, tmp_path: Path) -> Path:
    docs = tmp_path / "docs"
    (docs / "Work").mkdir(parents=True)
    (docs / "Work" / "proposal draft.txt").write_text("Proposal for the river garden project, first draft.\n" * 5)
    (docs / "Work" / "proposal.txt").write_text("Proposal for the river garden project, final version.\n" * 5)
    (docs / "Work" / "copy-a.txt").write_text("The same words in two places.\n" * 8)
    (docs / "copy-b.txt").write_text("The same words in two places.\n" * 8)
    (docs / "old.txt").write_text("Notes from a meeting long ago about the harbour.\n" * 4)
    write_config(km_home, [docs], "[organize]\n")
    return docs


def age(*paths: Path) -> None:
    """A year untouched (after km read them: reading sets the access time where the disk keeps it)."""
    year_ago = time.time() - 400 * 86400
    for path in paths:
        os.utime(path, (year_ago, year_ago))


def test_monthly_job_report_review_and_maintenance(km_home: Path, tmp_path: Path) -> None:
    docs = make_home(km_home, tmp_path)
    env = {"KM_LOAD_PLUGINS": "filesystem,text,keywords,related,insights"}
    assert job_json("daily", home=km_home, env=env)["status"] == "ok"
    age(docs / "old.txt", docs / "Work" / "proposal draft.txt")
    month = date.today().strftime("%Y-%m")
    summary = job_json("monthly", home=km_home, env=env)
    assert summary["status"] == "ok" and list(summary["steps"])[:5] == [
        "archive",
        "logs",
        "report",
        "stale",
        "maintenance",
    ]

    # the report of this month, from the same numbers the graph gives
    done = run_km("report", "--month", month, home=km_home, env=env)
    assert done.returncode == 0, done.stderr
    reports = km_home / "data" / "reports"
    text = (reports / f"{month}.md").read_text()
    for title in ("Added and organised", "Top tags and topics", "Knowledge gaps", "Cross-domain opportunities",
                  "Time allocation", "Productivity: time versus output"):  # fmt: skip
        assert f"## {title}" in text
    data = json.loads((reports / f"{month}.json").read_text())
    added = next(s for s in data["sections"] if s["title"] == "Added and organised")["data"]
    files = graph_rows(km_home, "MATCH (f:File) WHERE f.status <> 'missing' RETURN count(*)")[0][0]
    assert added["files_added"] == files == 5 and f"**{files}** files added" in text
    gaps = next(s for s in data["sections"] if s["title"] == "Knowledge gaps")["data"]
    linked = graph_rows(km_home, "MATCH (a)-[:RELATED]->(b) RETURN a.id, b.id")
    assert gaps["isolated"] == files - len({i for pair in linked for i in pair})
    png = reports / f"{month}-added.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and f"]({png.name})" in text

    # the review lists
    stale = json.loads(run_km("review", "stale", "--json", home=km_home).stdout)
    assert {Path(s["path"]).name for s in stale["stale"]} == {"old.txt", "proposal draft.txt"}
    assert stale["basis"] in ("access time", "modification time and km's record of opens")
    assert [Path(d["path"]).name for d in stale["drafts"]] == ["proposal draft.txt"]
    dupes = json.loads(run_km("review", "duplicates", "--json", home=km_home).stdout)["duplicates"]
    assert len(dupes) == 1 and sorted(Path(p).name for p in dupes[0]["paths"]) == ["copy-a.txt", "copy-b.txt"]
    human = run_km("review", "duplicates", home=km_home).stdout
    assert "copy-a.txt" in human and "1 groups" in human
    assert all(p.exists() for p in docs.rglob("*.txt"))  # nothing deleted

    # maintenance: an item missing past the grace period goes, with its edges; a recent one stays
    (docs / "old.txt").unlink()
    assert job_json("daily", home=km_home, env=env)["counts"]["missing"] == 1
    write_config(km_home, [docs], "[organize]\n[monthly]\norphan_grace_days = 0\n")
    summary = job_json("monthly", "--task", "maintenance", home=km_home, env=env)
    assert summary["counts"]["orphans_removed"] == 1, summary
    assert any("backup before repairs" in note for note in summary["notes"])
    assert not graph_rows(km_home, "MATCH (f:File) WHERE f.path ENDS WITH 'old.txt' RETURN f.id")
    assert graph_rows(km_home, "MATCH (t:Tag) WHERE NOT EXISTS { MATCH ()-[:TAGGED]->(t) } RETURN count(*)")[0][0] == 0


def test_undo_reads_archived_change_logs(km_home: Path, tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "invoice-2024.txt").write_text("Invoice number 42 from Acme, total due 100 EUR.\n" * 3)
    library = tmp_path / "Library"
    write_config(
        km_home,
        [docs],
        f'[organize]\nlibrary = "{library}"\nsettle_minutes = 0\n[[organize.rules]]\nname = "txt"\n'
        'extension = ["txt"]\n'
        'destination = "Text"\n',
    )
    env = {"KM_LOAD_PLUGINS": "filesystem,text,organize"}
    assert job_json("daily", home=km_home, env=env)["counts"]["moved"] == 1
    logs = docs / ".km"
    current = next(logs.glob("changes-*.jsonl"))
    old_name = logs / "changes-2020-01.jsonl"  # as if the move were made years ago
    current.rename(old_name)
    done = archive_change_logs(km_home / "data" / "archive", [str(docs.resolve())], date.today())
    assert done.files == 1 and not list(logs.glob("changes-*.jsonl"))
    undone = run_km("undo", "--last", "--json", home=km_home)
    assert undone.returncode == 0, undone.stderr
    assert (docs / "invoice-2024.txt").exists() and not (library / "Text" / "invoice-2024.txt").exists()


def test_report_month_is_checked(km_home: Path) -> None:
    done = run_km("report", "--month", "2026-13", home=km_home)
    assert done.returncode == 2 and "YYYY-MM" in done.stderr


def test_maintenance_repairs_a_path_held_twice(km_home: Path, tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.txt").write_text("A short note about maintenance.\n", encoding="utf-8")
    write_config(km_home, [docs])
    env = {"KM_LOAD_PLUGINS": "filesystem,text"}
    assert job_json("daily", home=km_home, env=env)["status"] == "ok"
    from km_core import config as config_mod
    from km_core.store import open_graph

    with open_graph(config_mod.load()) as graph:  # a damaged graph: a second row for the same file, older
        graph.execute(
            "MATCH (f:File) CREATE (:File {id: 'stray', path: f.path, name: f.name, status: 'ok', "
            "hash: f.hash, updated: timestamp('2001-01-01')})"
        )
    assert len(graph_rows(km_home, "MATCH (f:File) RETURN f.id")) == 2
    summary = job_json("monthly", "--task", "maintenance", home=km_home, env=env)
    assert summary["counts"]["maintenance_duplicate_paths"] == 1 and summary["counts"]["duplicates_removed"] == 1
    kept = graph_rows(km_home, "MATCH (f:File) RETURN f.id")
    assert len(kept) == 1 and kept[0][0] != "stray"
