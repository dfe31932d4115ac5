"""Discovery speed against the floor: a raw os.scandir + stat walk of the same tree, in the same run.

For trees of 10,000 and 100,000 small files it measures
- raw:        os.scandir + stat walk (the physical floor for finding changes);
- first:      km's first discovery (`km job daily --task discover`: walk, hash, write the graph);
- rescan:     km's no-change rescan (`--task discover` again), in-process timing of the step;
- daily:      the whole `km job daily` on the unchanged tree, wall clock including start-up.

Usage: python benchmarks/bench_discovery.py [--sizes 10000,100000] [--work DIR]
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


def build_tree(root: Path, count: int) -> None:
    """Nested folders (about 50 files each, three levels), small text files."""
    if (root / ".complete").exists():
        return
    shutil.rmtree(root, ignore_errors=True)
    for index in range(count):
        folder = root / f"a{index // 5000:03d}" / f"b{(index // 50) % 100:03d}"
        if index % 50 == 0:
            folder.mkdir(parents=True, exist_ok=True)
        (folder / f"file-{index:06d}.txt").write_text(f"document {index}\nsome words in file {index}\n")
    # the marker is hidden, so km's default ignore patterns pass over it
    (root / ".complete").write_text("ok")


def raw_walk(root: Path) -> tuple[int, float]:
    began = time.perf_counter()
    count = 0
    stack = [str(root)]
    while stack:
        with os.scandir(stack.pop()) as entries:
            for entry in entries:
                if entry.name.startswith("."):
                    continue  # km's default ignore patterns skip hidden names too
                if entry.is_dir(follow_symlinks=False):
                    stack.append(entry.path)
                elif entry.is_file(follow_symlinks=False):
                    entry.stat(follow_symlinks=False)
                    count += 1
    return count, time.perf_counter() - began


def km_job(home: Path, *args: str) -> tuple[dict, float]:
    env = {**os.environ, "KM_HOME": str(home)}
    began = time.perf_counter()
    done = subprocess.run([KM, "job", "daily", "--json", *args], env=env, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - began
    if done.returncode != 0:
        raise SystemExit(f"km failed: {done.stderr}")
    return json.loads(done.stdout), wall


def run(size: int, work: Path) -> dict:
    tree = work / f"tree-{size}"
    build_tree(tree, size)
    home = work / f"home-{size}"
    shutil.rmtree(home, ignore_errors=True)
    (home / "config").mkdir(parents=True)
    (home / "config" / "km.toml").write_text(
        f'[locations]\nroots = ["{tree}"]\n[ignore]\nsettle_seconds = 0\n[jobs]\nbatch_size = 5000\n'
    )
    raw_walk(tree)  # warm the page cache so raw and km see the same cache state
    counts, raw_s = raw_walk(tree)
    first, first_wall = km_job(home, "--task", "discover")
    assert first["counts"]["new"] == counts, first["counts"]
    rescan, _ = km_job(home, "--task", "discover")
    assert rescan["counts"]["unchanged"] == counts
    _, extract_wall = km_job(home, "--task", "extract")
    daily, daily_wall = km_job(home)
    assert daily["counts"]["extracted"] == 0 and daily["counts"]["unchanged"] == counts
    _, raw_again = raw_walk(tree)
    raw_best = min(raw_s, raw_again)
    return {
        "files": counts,
        "raw_walk_s": round(raw_best, 3),
        "first_discovery_step_s": first["steps"]["discover"],
        "first_discovery_wall_s": round(first_wall, 2),
        "rescan_step_s": rescan["steps"]["discover"],
        "rescan_vs_raw": round(rescan["steps"]["discover"] / raw_best, 2),
        "first_extract_wall_s": round(extract_wall, 2),
        "daily_unchanged_wall_s": round(daily_wall, 2),
        "daily_unchanged_job_s": daily["duration_s"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--work", default=str(HERE / "_work"))
    args = parser.parse_args()
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    results = [run(int(size), work) for size in args.sizes.split(",")]
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
