"""``km undo``: move files back where they were, from the change logs.

Each move to undo is checked first: the file must still be where km put it,
with the same content (else it is left alone and said so); when its original
spot has been taken since, it comes back as "name (1).ext". Undo moves go
through the same journal and are logged as moves of their own (``action:
undo``, ``undoes: ID``); a crash during one is recovered like any other move.
An undo is not itself undone by ``km undo`` (the next daily job applies the
rules again).
"""

from __future__ import annotations

import logging
import os
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from km_core.config import Config
from km_core.errors import UsageError
from km_core.locks import FileLock
from km_core.organize import changelog
from km_core.organize.execute import carry_out, recover, roots_of
from km_core.organize.mover import existing_folder
from km_core.organize.safety import Refused, free_name
from km_core.reconcile import file_hash

log = logging.getLogger("km.undo")


@dataclass
class UndoResult:
    run: str
    dry_run: bool
    planned: list[dict[str, Any]] = field(default_factory=list)
    done: list[dict[str, Any]] = field(default_factory=list)
    problems: list[dict[str, str]] = field(default_factory=list)
    recovered: str = ""

    def as_dict(self) -> dict[str, Any]:
        shown = ("item", "old_path", "new_path", "reason", "undoes")
        return {
            "run": self.run,
            "dry_run": self.dry_run,
            "moves": [{k: m.get(k, "") for k in shown} for m in (self.planned if self.dry_run else self.done)],
            "problems": self.problems,
            "recovered": self.recovered,
        }


def _parse_since(since: str) -> str:
    try:
        moment = datetime.fromisoformat(since)
    except ValueError:
        raise UsageError(f"--since {since!r} is not a date", "write it as YYYY-MM-DD or YYYY-MM-DDTHH:MM") from None
    if moment.tzinfo is None:
        moment = moment.astimezone()  # a date the user typed is in their time zone
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def select(entries: list[dict[str, Any]], last: bool, run: str, since: str) -> list[dict[str, Any]]:
    """The moves to undo, newest first: not undone yet, and of the run(s) asked for."""
    if sum(bool(x) for x in (last, run, since)) != 1:
        raise UsageError("say which moves to undo", "give one of --last, --run ID or --since DATE")
    undone = {e["undoes"] for e in entries if e.get("undoes")}
    moves = [e for e in entries if e.get("action", "move") == "move" and e["id"] not in undone]
    if last:
        if not moves:
            return []
        run = moves[-1]["run"]
    if run:
        chosen = [e for e in moves if e["run"] == run]
        if not chosen and any(e["run"] == run for e in entries):
            raise UsageError(f"run {run} has been undone already", "nothing left to undo for it")
        if not chosen:
            raise UsageError(f"no moves of a run {run!r} in the change logs", "see the run ids in the change logs")
    else:
        start = _parse_since(since)
        chosen = [e for e in moves if e.get("date", "") >= start]
    return list(reversed(chosen))


def _plan(
    config: Config, undo_run: str, chosen: list[dict[str, Any]], entries: list[dict[str, Any]]
) -> tuple[list[dict[str, Any]], list[dict[str, str]]]:
    roots = roots_of(config)
    plans: list[dict[str, Any]] = []
    problems: list[dict[str, str]] = []
    taken: set[str] = set()
    for entry in chosen:
        where, back = entry["new_path"], entry["old_path"]
        if not os.path.lexists(where):
            later = next((e for e in entries if e["old_path"] == where and e["date"] >= entry["date"]), None)
            why = f"moved again by run {later['run']}: undo that first" if later else "no longer there"
            problems.append({"path": where, "problem": why})
            continue
        try:
            if not os.path.isfile(where) or os.path.islink(where) or file_hash(where) != entry.get("hash"):
                problems.append({"path": where, "problem": "changed since km moved it: left where it is"})
                continue
        except OSError as exc:
            problems.append({"path": where, "problem": f"cannot be read: {exc}"})
            continue
        note = ""
        if os.path.lexists(back) or back in taken:
            try:
                back = free_name(back, taken)
            except Refused as exc:
                problems.append({"path": where, "problem": str(exc)})
                continue
            note = f"; {entry['old_path']} is taken, so it comes back as {os.path.basename(back)}"
        taken.add(back)
        plans.append(
            {
                "id": f"{undo_run}-{uuid.uuid4().hex[:8]}",
                "run": undo_run,
                "date": datetime.now(UTC).isoformat(timespec="seconds"),
                "item": entry.get("item", ""),
                "old_path": where,
                "new_path": back,
                "root": changelog.location_of(back, roots),
                "location": entry.get("location") or changelog.location_of(back, roots),
                "rule": entry.get("rule", ""),
                "reason": f"undo of run {entry['run']}{note}",
                "tags": entry.get("tags", []),
                "hash": entry.get("hash", ""),
                "size": entry.get("size", 0),
                "mount": existing_folder(os.path.dirname(back)),
                "action": "undo",
                "undoes": entry["id"],
            }
        )
    return plans, problems


def _prune_empty(config: Config, moved_from: list[str]) -> None:
    """Remove folders the undone moves left empty, inside the library only (never a file)."""
    library = config.organize.library  # resolved when the config was read
    if not library:
        return
    for path in sorted({os.path.dirname(p) for p in moved_from}, key=len, reverse=True):
        folder = path
        while folder.startswith(library + os.sep):
            try:
                os.rmdir(folder)  # fails unless empty
            except OSError:
                break
            folder = os.path.dirname(folder)


def undo(config: Config, last: bool = False, run: str = "", since: str = "", dry_run: bool = False) -> UndoResult:
    undo_run = f"undo-{datetime.now(UTC):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:6]}"
    config.folders.ensure()
    lock = FileLock(config.folders.locks / "job-daily.lock")  # never while a daily job moves files
    lock.acquire(config.graph.lock_timeout_s)
    try:
        result = UndoResult(undo_run, dry_run)
        if not dry_run:
            result.recovered = recover(config)
        entries = changelog.read(roots_of(config), config.folders.archive)
        chosen = select(entries, last, run, since)
        result.planned, result.problems = _plan(config, undo_run, chosen, entries)
        if dry_run or not result.planned:
            return result
        done, failed = carry_out(config, undo_run, result.planned, "rename")
        result.done = done
        result.problems += [{"path": m["old_path"], "problem": why} for m, why in failed]
        for move in done:
            log.info("moved back %s -> %s (%s)", move["old_path"], move["new_path"], move["reason"])
        for problem in result.problems:
            log.warning("not moved back: %s: %s", problem["path"], problem["problem"])
        _prune_empty(config, [m["old_path"] for m in done])
        return result
    finally:
        lock.release()
