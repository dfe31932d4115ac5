"""Change logs: every move, written where the file came from, for the user to read.

Each monitored location keeps its own log in a small hidden folder,
``<location>/.km/changes-YYYY-MM.jsonl``: one JSON object per line (a move or
an undo), appended, never rewritten. ``km undo`` reads them back.
"""

from __future__ import annotations

import gzip
import json
import os
from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

FOLDER = ".km"
PATTERN = "changes-*.jsonl"
ARCHIVE = "change_logs"  # below the archive folder: YYYY-MM/<location>-changes-YYYY-MM.jsonl.gz, and index.json


def folder(location: str) -> Path:
    return Path(location) / FOLDER


def location_of(path: str, roots: Sequence[str]) -> str:
    """The monitored location holding ``path`` (the deepest), or its parent folder if none does."""
    inside = [r for r in roots if path.startswith(r.rstrip("/") + "/")]
    return max(inside, key=len) if inside else str(Path(path).parent)


def append(entries: Sequence[dict[str, Any]], roots: Sequence[str], sync: bool = True) -> None:
    """Add ``entries`` to the log of the location each one's ``old_path`` is in."""
    by_file: dict[Path, list[dict[str, Any]]] = {}
    for entry in entries:
        month = datetime.fromisoformat(entry["date"]).strftime("%Y-%m")
        log = folder(entry.get("location") or location_of(entry["old_path"], roots)) / f"changes-{month}.jsonl"
        by_file.setdefault(log, []).append(entry)
    for log, lines in by_file.items():
        log.parent.mkdir(parents=True, exist_ok=True)
        text = "".join(json.dumps(e, ensure_ascii=False, sort_keys=True) + "\n" for e in lines)
        if _cut_short(log):
            text = "\n" + text  # a crash cut the last line: ours start on a line of their own
        with open(log, "a", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            if sync:
                os.fsync(handle.fileno())


def _cut_short(log: Path) -> bool:
    try:
        with open(log, "rb") as handle:
            handle.seek(-1, os.SEEK_END)
            return handle.read(1) != b"\n"
    except OSError:  # missing or empty
        return False


def read(locations: Iterable[str], archive: Path | None = None) -> list[dict[str, Any]]:
    """Every entry of these locations' logs, oldest first, with those the monthly job archived when
    ``archive`` is given; a damaged line is passed over."""
    wanted = list(dict.fromkeys(locations))
    texts: list[str] = []
    for location in wanted:
        for log in sorted(folder(location).glob(PATTERN)):
            try:
                texts.append(log.read_text(encoding="utf-8"))
            except OSError:
                continue
    if archive is not None:
        for packed in archived(archive, wanted):
            try:
                with gzip.open(packed, "rt", encoding="utf-8") as handle:
                    texts.append(handle.read())
            except (OSError, EOFError, UnicodeDecodeError):
                continue
    entries: list[dict[str, Any]] = []
    for text in texts:
        for line in text.splitlines():
            try:
                entry = json.loads(line)
            except json.JSONDecodeError:
                continue  # a line cut short by a crash
            if isinstance(entry, dict) and {"id", "run", "old_path", "new_path"} <= entry.keys():
                entries.append(entry)
    entries.sort(key=lambda e: e.get("date", ""))  # stable: a log's own order within a second
    return entries


def archive_index(archive: Path) -> Path:
    """Which location each archived change log came from (the monthly job gzips logs older than 30 days)."""
    return archive / ARCHIVE / "index.json"


def archived(archive: Path, locations: Iterable[str]) -> list[Path]:
    """The archived change logs of these locations."""
    try:
        index = json.loads(archive_index(archive).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    wanted = set(locations)
    return sorted(archive / ARCHIVE / rel for rel, where in index.items() if where in wanted)


def logged_ids(locations: Iterable[str]) -> set[str]:
    return {e["id"] for e in read(locations)}
