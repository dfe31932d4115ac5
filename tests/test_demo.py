"""``km demo`` as a new user runs it: a generated home, the daily job, organising, and undo."""

from __future__ import annotations

from pathlib import Path

from conftest import run_km
from organize_helpers import tree


def test_demo_runs_the_daily_job_and_organises(tmp_path: Path) -> None:
    done = run_km("demo", "--folder", str(tmp_path), home=tmp_path / "unused")
    assert done.returncode == 0, done.stderr
    out = done.stdout + done.stderr
    assert "What landed in the graph" in out and "receipt" in out
    organised = [line for line in out.splitlines() if line.startswith("organised: ")]
    assert any("Finance/receipt/receipt-techmart-2024-11-23.pdf" in line for line in organised)
    assert any("Screenshots/" in line for line in organised)
    # the weekly half: its own calendar and photo folder (never the user's), linked by time
    weekly = next(line for line in out.splitlines() if line.startswith("weekly job: "))
    assert "calendar events" in weekly and "1 photo" in weekly
    assert "'Atlas budget review' -during- whiteboard-berlin.jpg: taken" in out
    library = tmp_path / "home" / "Documents" / "Library"
    assert (library / "Finance" / "receipt" / "receipt-techmart-2024-11-23.pdf").exists()

    # the hints it prints work: undo puts everything back
    home = tmp_path / "home"
    before_undo = tree(home)
    undone = run_km("undo", "--last", home=tmp_path / "km")
    assert undone.returncode == 0, undone.stderr
    after = tree(home)
    assert sorted(after.values()) == sorted(before_undo.values())
    assert (home / "Documents" / "receipt-techmart-2024-11-23.pdf").exists()
    assert not [p for p in library.rglob("*") if p.is_file()]  # the (configured) library is left, empty
    rogue = run_km("review", "rogue", home=tmp_path / "km")
    assert rogue.returncode == 0 and "rogue files:" in rogue.stdout
    listed = [line.split(" d  ")[-1] for line in rogue.stdout.splitlines() if " d  " in line]
    assert listed and all(path.startswith(str(home)) for path in listed)  # the demo's files only
