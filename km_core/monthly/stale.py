"""Stale files, for the user to review (nothing is ever deleted or moved by this).

- not opened for ``stale_days`` (180): by access time where the file's file system
  keeps it (not mounted ``noatime``), else by modification time and km's own
  record of what you opened (``state/opened.json``); the list says which;
- drafts never finalised: a draft, copy, untitled or v1 name whose final sibling
  (same folder, same name without the marker, or a higher version) is newer;
- duplicate content: files with the same hash;
- low-value tags: keywords and entities found on one item only.

Written to ``state/review.json``; ``km review stale`` and ``km review duplicates`` print it.
"""

from __future__ import annotations

import os
import re
import time
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from km_core import state
from km_core.config import Config
from km_core.store import Graph

DAY = 86_400.0
DRAFT_MARK = re.compile(
    r"(?i)(^copy of\s+|\s*-\s*copy(\s*\(\d+\))?$|\s*\(\d+\)$"
    r"|[\s_-]*(draft|untitled|wip|v\d+|final)$|^(draft|untitled)[\s_-]*)"
)
VERSION = re.compile(r"(?i)[\s_-]*v(\d+)$")


def review_path(config: Config) -> Path:
    return config.folders.state / "review.json"


def _mounts() -> list[tuple[str, set[str]]]:
    """(mount point, options), deepest first, from /proc/mounts where there is one."""
    try:
        lines = Path("/proc/mounts").read_text(encoding="utf-8").splitlines()
    except OSError:
        return []
    found = []
    for line in lines:
        parts = line.split()
        if len(parts) >= 4:
            found.append((parts[1].replace("\\040", " "), set(parts[3].split(","))))
    return sorted(found, key=lambda m: len(m[0]), reverse=True)


def keeps_access_time(path: str, mounts: list[tuple[str, set[str]]] | None = None) -> bool:
    """Whether reads update the access time of files under ``path`` (relatime does, once a day)."""
    for point, options in mounts if mounts is not None else _mounts():
        if path == point or path.startswith(point.rstrip("/") + "/"):
            return "noatime" not in options
    return True  # no mount table (macOS): APFS and HFS+ keep access times unless told not to


def _base(stem: str) -> tuple[str, bool, int]:
    """(name without draft markers, whether it had one, its version or 0)."""
    version = VERSION.search(stem)
    number = int(version[1]) if version else 0
    marked = False
    base = stem
    while True:
        stripped = DRAFT_MARK.sub("", base, count=1).strip()
        if stripped == base or not stripped:
            break
        marked, base = True, stripped
    return base.casefold(), marked and not re.search(r"(?i)final$", stem), number


def drafts(files: list[tuple[str, float]]) -> list[dict[str, Any]]:
    """Drafts with a newer final sibling: (path, mtime) in, one entry per draft out."""
    groups: dict[tuple[str, str, str], list[tuple[str, float, bool, int]]] = defaultdict(list)
    for path, mtime in files:
        folder, name = os.path.split(path)
        stem, ext = os.path.splitext(name)
        base, marked, number = _base(stem)
        groups[(folder, base, ext.casefold())].append((path, mtime, marked, number))
    found = []
    for members in groups.values():
        if len(members) < 2:
            continue
        for path, mtime, marked, number in members:
            if not marked:
                continue
            newer = [
                (p, m)
                for p, m, other_marked, other_number in members
                if p != path and m > mtime and (not other_marked or other_number > number)
            ]
            if newer:
                final, final_mtime = max(newer, key=lambda pm: pm[1])
                found.append({"path": path, "final": final, "days_older": round((final_mtime - mtime) / DAY, 1)})
    return sorted(found, key=lambda d: d["path"])


def not_opened(config: Config, files: list[tuple[str, float]], now: float) -> tuple[list[dict[str, Any]], str]:
    days = config.monthly.stale_days
    mounts = _mounts()
    opened = state.read_json(config.folders.state / "opened.json") or {}
    bases = set()
    found = []
    for path, _ in files:
        try:
            info = os.stat(path)
        except OSError:
            continue
        if keeps_access_time(path, mounts):
            last, basis = info.st_atime, "access time"
        else:
            last, basis = max(info.st_mtime, _opened_at(opened, path)), "modification time and km's record of opens"
        bases.add(basis)
        age = (now - last) / DAY
        if age >= days:
            found.append({"path": path, "days": round(age), "basis": basis})
    return sorted(found, key=lambda s: -s["days"]), " and ".join(sorted(bases)) or "access time"


def _opened_at(opened: dict[str, Any], path: str) -> float:
    when = state.moment(opened.get(path))
    return when.timestamp() if when else 0.0


def duplicates(graph: Graph) -> list[dict[str, Any]]:
    rows = graph.rows(
        "MATCH (f:File) WHERE f.status <> 'missing' AND f.hash <> '' AND f.size > 0 "
        "WITH f.hash AS hash, collect(f.path) AS paths, min(f.size) AS size WHERE size(paths) > 1 "
        "RETURN hash, paths, size ORDER BY size DESC"
    )
    return [{"hash": h, "size": s, "paths": sorted(p), "wasted": s * (len(p) - 1)} for h, p, s in rows]


def low_value_tags(graph: Graph) -> list[dict[str, Any]]:
    rows = graph.rows(
        "MATCH (n)-[r:TAGGED]->(t:Tag) WHERE t.kind IN ['keyword', 'entity'] AND r.source <> 'manual' "
        "WITH t, count(n) AS uses, max(r.weight) AS weight WHERE uses = 1 "
        "RETURN t.name, t.kind, weight ORDER BY weight LIMIT 500"
    )
    return [{"tag": name, "kind": kind, "weight": round(weight or 0, 3)} for name, kind, weight in rows]


def find(config: Config, graph: Graph, now: float | None = None) -> dict[str, Any]:
    now = now or time.time()
    files = [
        (path, mtime.timestamp() if mtime else 0.0)
        for path, mtime in graph.rows("MATCH (f:File) WHERE f.status <> 'missing' RETURN f.path, f.mtime")
    ]
    stale, basis = not_opened(config, files, now)
    review = {
        "generated": datetime.now(UTC).isoformat(timespec="seconds"),
        "stale_days": config.monthly.stale_days,
        "basis": basis,
        "stale": stale,
        "drafts": drafts(files),
        "duplicates": duplicates(graph),
        "low_value_tags": low_value_tags(graph),
    }
    state.write_json(review_path(config), review)
    return review


def load(config: Config) -> dict[str, Any]:
    found = state.read_json(review_path(config))
    return found if isinstance(found, dict) else {}
