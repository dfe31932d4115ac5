"""Helpers for the organising tests: snapshots of a tree, the graph against the disk, note files."""

from __future__ import annotations

import hashlib
import os
import random
from pathlib import Path

from conftest import graph_rows

WORDS = (
    "budget meeting invoice garden river project harbour library concert bicycle mountain recipe "
    "contract museum painting winter summer travel station market research report planning"
).split()


def tree(*roots: Path) -> dict[str, str]:
    """Every file under ``roots`` (km's own .km folders left out) -> sha256 of its content."""
    found = {}
    for root in roots:
        for folder, dirs, files in os.walk(root):
            dirs[:] = [d for d in dirs if d != ".km"]
            for name in files:
                path = Path(folder) / name
                found[str(path)] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def folders(*roots: Path) -> set[str]:
    return {str(Path(f)) for root in roots for f, dirs, _ in os.walk(root) if ".km" not in Path(f).parts}


def graph_paths(home: Path) -> dict[str, str]:
    """path -> hash of every File the graph holds as present."""
    rows = graph_rows(home, "MATCH (f:File) WHERE f.status <> 'missing' RETURN f.path, f.hash")
    return {path: digest for path, digest in rows}


def assert_graph_matches_disk(home: Path, *roots: Path) -> None:
    on_disk = tree(*roots)
    in_graph = graph_paths(home)
    assert set(in_graph) == set(on_disk), set(in_graph) ^ set(on_disk)
    assert all(on_disk[p] == in_graph[p] for p in on_disk)


def make_notes(folder: Path, count: int, seed: int = 0, prefix: str = "note") -> list[Path]:
    """``count`` text files of ~60 words, each with content of its own."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    made = []
    for n in range(count):
        path = folder / f"{prefix}-{n:03d}.txt"
        words = " ".join(rng.choice(WORDS) for _ in range(60))
        path.write_text(f"{prefix} {n} seed {seed}. {words}.\n", encoding="utf-8")
        made.append(path)
    return made
