"""Rogue-file detection at the end of the daily job: a list for review, never an action."""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

from conftest import job_json, run_km, write_config
from organize_helpers import tree

DAY = 86_400


def _age(path: Path, days: float) -> None:
    stamp = time.time() - days * DAY
    os.utime(path, (stamp, stamp))


def test_rogue_files_are_listed_for_review(km_home: Path, tmp_path: Path, corpus: Path) -> None:
    person = tmp_path / "person"
    documents, desktop, downloads = person / "Documents", person / "Desktop", person / "Downloads"
    for folder in (documents, desktop, downloads):
        folder.mkdir(parents=True)
    shutil.copy(corpus / "pdf" / "fake-memo.pdf", downloads / "old-memo.pdf")
    _age(downloads / "old-memo.pdf", 30)
    shutil.copy(corpus / "pdf" / "crazyones.pdf", downloads / "fresh.pdf")
    _age(downloads / "fresh.pdf", 2)
    shutil.copy(corpus / "text" / "wiki.md", desktop / "wiki.md")
    (desktop / "Stuff").mkdir()
    (desktop / "Stuff" / "todo.txt").write_text("call the plumber about the kitchen sink on Monday morning")
    (documents / "blank.txt").write_text("")  # read, but nothing to tag it with
    (documents / "essay.txt").write_text((corpus / "text" / "wiki.md").read_text())
    (person / "loose-notes.txt").write_text("a file in the home folder, outside every monitored folder")
    (person / ".hidden").write_text("dot files are not clutter")
    write_config(
        km_home,
        [documents, desktop, downloads],
        f"""
[rogue]
desktop = ["{desktop}"]
downloads = ["{downloads}"]
downloads_days = 7
outside = ["{person}", "{documents}"]
""",
    )
    before = tree(person)
    summary = job_json("daily", home=km_home)
    assert summary["status"] == "ok", summary["notes"]
    assert tree(person) == before  # found, not acted on

    listed = run_km("review", "rogue", "--json", home=km_home)
    assert listed.returncode == 0
    found = json.loads(listed.stdout)
    kinds = {(a["kind"], Path(a["path"]).name) for a in found["alerts"]}
    assert kinds == {
        ("old_download", "old-memo.pdf"),
        ("desktop", "wiki.md"),
        ("desktop", "todo.txt"),
        ("untagged", "todo.txt"),  # eleven words: too few for keywords, no names in it
        ("untagged", "blank.txt"),
        ("outside", "loose-notes.txt"),
    }
    assert summary["counts"]["rogue"] == len(kinds) == sum(found["counts"].values())
    old = next(a for a in found["alerts"] if a["kind"] == "old_download")
    assert old["age_days"] >= 29 and "7 days" in old["reason"]
    assert found["run"] == summary["run_id"]

    shown = run_km("review", "rogue", home=km_home)
    assert shown.returncode == 0 and "old-memo.pdf" in shown.stdout and "rogue files: 6" in shown.stdout


def test_review_before_any_daily_job(km_home: Path, tmp_path: Path) -> None:
    write_config(km_home, [tmp_path])
    done = run_km("review", "rogue", home=km_home)
    assert done.returncode == 0 and "km job daily" in done.stderr
    assert run_km("review", "clutter", home=km_home).returncode == 2
