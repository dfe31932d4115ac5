"""Organising: km's organize step moving N files (journal, change logs, graph paths, Move
history) against raw ``os.rename`` of the same number of files, in the same run.

- raw: N files in a folder of their own, each renamed into a library folder (``os.makedirs``
       of its destination first, as km must);
- km:  ``km job daily --task organize`` on a home where the same kind of files were
       discovered, extracted and tagged, with one rule; the step time from the job summary.
Then ``km undo --last`` moves them back (wall time, process start included).

Usage: python benchmarks/bench_organize.py [--files 500]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
KM = str(Path(sys.executable).with_name("km"))
WORDS = "budget meeting invoice garden river project harbour library concert bicycle mountain recipe".split()


def make_files(folder: Path, count: int) -> None:
    folder.mkdir(parents=True)
    for n in range(count):
        words = " ".join(WORDS[(n * 7 + i) % len(WORDS)] for i in range(40))
        (folder / f"note-{n:04d}.txt").write_text(f"note {n}. {words}.\n")


def km(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "KM_HOME": str(home)}
    return subprocess.run([KM, *args], capture_output=True, text=True, env=env, check=False)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=500)
    parser.add_argument("--work", default=str(HERE / "_work" / "organize"))
    args = parser.parse_args()
    base = Path(args.work)
    shutil.rmtree(base, ignore_errors=True)

    raw_in, raw_out = base / "raw" / "inbox", base / "raw" / "library"
    make_files(raw_in, args.files)
    began = time.perf_counter()
    for path in sorted(raw_in.iterdir()):
        target = raw_out / "Notes" / "txt" / path.name
        os.makedirs(target.parent, exist_ok=True)
        os.rename(path, target)
    raw = time.perf_counter() - began

    inbox, library, home = base / "inbox", base / "library", base / "home"
    make_files(inbox, args.files)
    library.mkdir()
    (home / "config").mkdir(parents=True)
    (home / "config" / "km.toml").write_text(
        f'[locations]\nroots = ["{inbox}", "{library}"]\n[ignore]\nsettle_seconds = 0\n'
        f'[organize]\nlibrary = "{library}"\nsettle_minutes = 0\n'
        '[[organize.rules]]\nname = "notes"\nextension = "txt"\ndestination = "Notes/{ext}"\n'
    )
    for task in ("discover", "extract", "tag"):
        done = km(home, "job", "daily", "--task", task, "--json")
        assert json.loads(done.stdout)["status"] == "ok", done.stdout
    began = time.perf_counter()
    done = km(home, "job", "daily", "--task", "organize", "--json")
    wall = time.perf_counter() - began
    summary = json.loads(done.stdout)
    moved, step = summary["counts"]["moved"], summary["steps"]["organize"]
    assert moved == args.files, summary
    began = time.perf_counter()
    undone = km(home, "undo", "--last", "--json")
    undo_wall = time.perf_counter() - began
    assert len(json.loads(undone.stdout)["moves"]) == args.files, undone.stdout

    per_raw, per_km = raw / args.files * 1000, step / args.files * 1000
    print(f"organize: {args.files} files")
    print(f"  raw os.rename (+ makedirs): {raw:.3f} s, {per_raw:.3f} ms per file")
    print(f"  km organize step: {step:.3f} s, {per_km:.2f} ms per file -> {per_km / per_raw:.0f}x raw")
    per_wall = wall / args.files * 1000
    print(f"  km job wall (process start, plugins, graph open): {wall:.2f} s, {per_wall:.2f} ms per file")
    print(f"  km undo --last wall: {undo_wall:.2f} s, {undo_wall / args.files * 1000:.2f} ms per file")


if __name__ == "__main__":
    main()
