"""Backups after good jobs, and recovery when the graph will not open.

Recovery never deletes: a damaged WAL or graph file is moved aside with a
time stamp, so nothing is silently dropped. Steps, each followed by a probe:
1. move the WAL aside (a half-written WAL is the usual culprit);
2. restore the newest backup that opens;
3. with no usable backup, start an empty graph (the next discovery refills it
   from the disk).
"""

from __future__ import annotations

import logging
import shutil
import time
from collections.abc import Callable
from pathlib import Path

from km_core.config import Config
from km_core.errors import GraphError

log = logging.getLogger("km.store")


def _stamp() -> str:
    return time.strftime("%Y%m%d-%H%M%S") + f"-{time.time_ns() % 1_000_000:06d}"


def backups(config: Config) -> list[Path]:
    """Backups, newest first."""
    folder = config.folders.backups
    return sorted(folder.glob("graph-*.kuzu"), reverse=True) if folder.is_dir() else []


def write_backup(path: Path, config: Config) -> Path:
    folder = config.folders.backups
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"graph-{_stamp()}.kuzu"
    partial = target.with_suffix(".partial")
    shutil.copyfile(path, partial)
    partial.replace(target)
    for old in backups(config)[config.graph.keep_backups :]:
        old.unlink(missing_ok=True)
    return target


def _aside(path: Path, why: str) -> Path:
    target = path.with_name(f"{path.name}.{why}-{_stamp()}")
    path.replace(target)
    return target


def recover(path: Path, config: Config, problem: str, probe: Callable[[Path], str]) -> str:
    """Make ``path`` openable again; return one sentence saying what was done."""
    log.warning("the graph will not open: %s", problem, extra={"context": f"graph: {path}"})
    wal = path.with_name(path.name + ".wal")
    if wal.exists():
        moved = _aside(wal, "broken-wal")
        if path.exists() and not probe(path):
            said = f"graph recovered: its write-ahead log was damaged and moved aside to {moved.name}"
            log.warning(said)
            return said
    damaged = _aside(path, "damaged") if path.exists() else None
    for candidate in backups(config):
        shutil.copyfile(candidate, path)
        if not probe(path):
            said = f"graph restored from backup {candidate.name}"
            if damaged is not None:
                said += f"; the damaged graph was kept as {damaged.name}"
            log.warning(said)
            return said
        path.unlink(missing_ok=True)
        path.with_name(path.name + ".wal").unlink(missing_ok=True)
    if damaged is None:
        raise GraphError(f"the graph at {path} cannot be opened: {problem}", "check the disk and permissions")
    said = (
        f"graph could not be repaired and no usable backup was found; started a new graph "
        f"(the damaged one was kept as {damaged.name}); the next discovery refills it from disk"
    )
    log.error(said)
    return said
