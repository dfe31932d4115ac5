"""Rogue files: what the daily job lists for you to review at its end. It never acts on them.

- ``desktop``: any file on a Desktop folder (not yet organised);
- ``old_download``: a file in a Downloads folder older than ``downloads_days``;
- ``untagged``: a file km read but could give no tag (the type "other" does not count);
- ``outside``: a file directly in an ``outside`` folder (the home folder by
  default) that no monitored location holds.

The list is written to ``state/rogue.json`` (``km review rogue`` prints it).
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from km_core.config import Config
from km_core.run import Run
from km_core.state import read_json, write_json
from km_core.store import open_graph
from km_core.store.tags import READ

log = logging.getLogger("km.rogue")
REASONS = {
    "desktop": "on the Desktop, not organised",
    "old_download": "in Downloads for more than {days} days",
    "untagged": "read, but no tag could be given",
    "outside": "outside every monitored folder",
}


def rogue_path(config: Config) -> Path:
    return config.folders.state / "rogue.json"


def _walk(folder: str, ignore: Callable[[str, bool], bool], deep: bool = True) -> Iterator[os.DirEntry[str]]:
    """Regular files under ``folder`` (symlinks are not followed; ignored names are passed over)."""
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        try:
            if ignore(entry.name, entry.is_dir(follow_symlinks=False)):
                continue
            if entry.is_file(follow_symlinks=False):
                entry.stat(follow_symlinks=False)  # cached: a file gone mid-walk is passed over here
                yield entry
            elif deep and entry.is_dir(follow_symlinks=False):
                yield from _walk(entry.path, ignore)
        except OSError:
            continue


def _alert(kind: str, path: str, size: int, mtime: float, now: float, days: int = 0) -> dict[str, Any]:
    return {
        "kind": kind,
        "path": path,
        "reason": REASONS[kind].format(days=days),
        "size": size,
        "modified": datetime.fromtimestamp(mtime, UTC).isoformat(timespec="seconds"),
        "age_days": round((now - mtime) / 86_400, 1),
    }


def find(config: Config, ignore: Callable[[str, bool], bool], now: float | None = None) -> list[dict[str, Any]]:
    now = time.time() if now is None else now
    settings = config.rogue
    alerts: list[dict[str, Any]] = []
    for folder in dict.fromkeys(os.path.expanduser(f) for f in settings.desktop):
        for entry in _walk(folder, ignore):
            info = entry.stat(follow_symlinks=False)
            alerts.append(_alert("desktop", entry.path, info.st_size, info.st_mtime, now))
    limit = settings.downloads_days * 86_400
    for folder in dict.fromkeys(os.path.expanduser(f) for f in settings.downloads):
        for entry in _walk(folder, ignore):
            info = entry.stat(follow_symlinks=False)
            if now - info.st_mtime > limit:
                alerts.append(
                    _alert("old_download", entry.path, info.st_size, info.st_mtime, now, settings.downloads_days)
                )
    roots = [str(p.resolve()) for p in config.root_paths]
    for folder in dict.fromkeys(os.path.realpath(os.path.expanduser(f)) for f in settings.outside):
        if any(folder == r or folder.startswith(r.rstrip("/") + "/") for r in roots):
            continue  # monitored: nothing in it is outside
        for entry in _walk(folder, ignore, deep=False):
            info = entry.stat(follow_symlinks=False)
            alerts.append(_alert("outside", entry.path, info.st_size, info.st_mtime, now))
    if settings.untagged:
        alerts += _untagged(config, now)
    return alerts


def _untagged(config: Config, now: float) -> list[dict[str, Any]]:
    with open_graph(config, read_only=True) as graph:
        rows = graph.rows(
            f"MATCH (f:File) WHERE {READ} AND coalesce(f.tagged_hash, '') = f.extracted_hash "
            # the type 'other' says only that no type fitted: it is no tag to find a file by
            "AND NOT EXISTS { MATCH (f)-[e:TAGGED]->(t:Tag) WHERE e.source <> 'km' "
            "AND NOT (t.kind = 'type' AND t.name = 'other') } "
            "RETURN f.path, f.size, f.mtime_ns ORDER BY f.path"
        )
    return [_alert("untagged", path, size or 0, (mtime or 0) / 1e9, now) for path, size, mtime in rows]


def step_rogue(run: Run) -> None:
    alerts = find(run.config, run.ctx.ignore)
    run.counts["rogue"] = len(alerts)
    if run.options.dry_run:
        return
    kinds = {kind: sum(1 for a in alerts if a["kind"] == kind) for kind in REASONS}
    write_json(
        rogue_path(run.config),
        {
            "run": run.run_id,
            "generated": datetime.now(UTC).isoformat(timespec="seconds"),
            "counts": kinds,
            "alerts": alerts,
        },
    )
    if alerts:
        log.info("%d files to review: %s", len(alerts), ", ".join(f"{n} {k}" for k, n in kinds.items() if n))


def load(config: Config) -> dict[str, Any]:
    """The last list written, or an empty one."""
    found = read_json(rogue_path(config))
    return found if isinstance(found, dict) else {"alerts": [], "counts": {}, "generated": "", "run": ""}
