"""Crash safety of moves: real organising and undo runs killed with SIGKILL at random moments.

After every kill the next start must finish or roll back what was cut short:
each original file exists exactly once with its content, km's temporary
copies are gone, and the graph's paths match the disk.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import time
from collections import Counter
from pathlib import Path

import pytest
from conftest import KM, job_json, run_km, write_config
from organize_helpers import assert_graph_matches_disk, make_notes, tree

FILES = 150
ROUNDS = 8


def _start(home: Path, *args: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "KM_HOME": str(home)}
    env.pop("KM_LOAD_PLUGINS", None)
    return subprocess.Popen([KM, *args], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _kill_after(process: subprocess.Popen[bytes], delay: float) -> bool:
    """SIGKILL ``process`` after ``delay`` seconds; whether it was still running then."""
    try:
        process.wait(timeout=delay)
        return False
    except subprocess.TimeoutExpired:
        process.send_signal(signal.SIGKILL)
        process.wait()
        return True


def _assert_every_file_once(contents: Counter[str], *roots: Path) -> None:
    now = tree(*roots)
    assert Counter(now.values()) == contents, "a file was lost or doubled"
    assert not [p for p in now if ".km-partial-" in p], "a temporary copy was left behind"


@pytest.mark.slow
def test_moves_survive_sigkill_at_random_moments(km_home: Path, tmp_path: Path) -> None:
    inbox, library = tmp_path / "Inbox", tmp_path / "Library"
    make_notes(inbox, FILES)
    library.mkdir()
    write_config(
        km_home,
        [inbox, library],
        f"""
[organize]
library = "{library}"
settle_minutes = 0

[[organize.rules]]
name = "notes"
extension = "txt"
destination = "Notes/{{year}}/{{name}}.{{ext}}"
""",
    )
    for task in ("discover", "extract", "tag"):
        assert job_json("daily", "--task", task, home=km_home)["status"] == "ok"
    original = tree(inbox, library)
    contents = Counter(original.values())
    assert len(contents) == FILES

    # how long an uninterrupted organising run and undo take here, to aim the kills inside them
    began = time.monotonic()
    assert job_json("daily", "--task", "organize", home=km_home)["counts"]["moved"] == FILES
    organize_s = time.monotonic() - began
    began = time.monotonic()
    assert run_km("undo", "--last", home=km_home).returncode == 0
    undo_s = time.monotonic() - began
    assert tree(inbox, library) == original

    rng = random.Random(20261204)
    killed = restored = 0
    for round_ in range(ROUNDS):
        # files moved back by an undo stay put, so every round brings new ones
        batch = inbox / f"round-{round_}"
        make_notes(batch, 60, seed=round_ + 1, prefix=f"r{round_}")
        for task in ("discover", "extract", "tag"):
            assert job_json("daily", "--task", task, home=km_home)["status"] == "ok"
        before = tree(inbox, library)
        contents = Counter(before.values())

        # kill an organising run somewhere in its life, then let the next start finish the job
        process = _start(km_home, "job", "daily", "--task", "organize")
        killed += _kill_after(process, rng.uniform(0.2, organize_s))
        finished = job_json("daily", "--task", "organize", home=km_home)
        assert finished["status"] == "ok", (round_, finished["notes"])
        _assert_every_file_once(contents, inbox, library)
        restored += _rediscover_if_restored(km_home, finished["recovered"])
        if not restored:  # else the restored graph knew older paths and may have planned fewer moves
            assert not list(batch.glob("*.txt")), "the restarted run left files unorganised"
        assert_graph_matches_disk(km_home, inbox, library)

        # and an undo, the same way
        process = _start(km_home, "undo", "--last")
        killed += _kill_after(process, rng.uniform(0.2, undo_s))
        done = run_km("undo", "--since", "2000-01-01", home=km_home)
        assert done.returncode == 0, (round_, done.stdout, done.stderr)
        _assert_every_file_once(contents, inbox, library)
        assert tree(inbox, library) == before, "undo did not restore the tree"
        restored += _rediscover_if_restored(km_home, done.stderr)
        assert_graph_matches_disk(km_home, inbox, library)
        assert not list((km_home / "state" / "moves").glob("*.jsonl")), "a journal was left behind"
    assert killed >= ROUNDS  # at least half the kills landed while a run was working
    print(f"{killed} kills landed; the graph was restored from a backup {restored} times")
    # what was moved back stays back: the next run leaves it alone (a graph restored from a
    # backup forgets the undos made since; km says so when it restores)
    again = job_json("daily", "--task", "organize", home=km_home)
    if not restored:
        assert again["counts"]["moved"] == 0
        assert again["counts"]["organize_kept_after_undo"] == FILES + 60 * ROUNDS


def _rediscover_if_restored(home: Path, said: str) -> int:
    """A kill during kuzu's checkpoint can damage the graph; km then restores the last backup,
    which knows older paths until the next discovery (km says so). Run that discovery here."""
    if "restored from backup" not in said and "started a new graph" not in said:
        return 0
    assert job_json("daily", "--task", "discover", home=home)["status"] == "ok"
    return 1
