"""Carrying out a list of moves: journal, disk, change logs, graph; and recovering after a crash.

The order makes every crash recoverable: the intent is synced to the journal
before the file is touched; the change log entry is written after; the graph
last. At the next start ``recover`` reads any journal left behind, asks the
disk what happened to each move (``mover.settle``), writes the change log
entries and graph paths that are missing, and removes the journal. A file is
therefore always in exactly one place, and the graph and logs follow it.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from km_core import signals
from km_core.config import Config
from km_core.organize import changelog
from km_core.organize.mover import Journal, Taken, move_file, read_journal, settle
from km_core.organize.safety import Refused, free_name
from km_core.store import moves as move_store
from km_core.store import open_graph

log = logging.getLogger("km.organize")
CHUNK = 64  # moves whose intents are synced together


def journal_folder(config: Config) -> Path:
    return config.folders.state / "moves"


def roots_of(config: Config) -> list[str]:
    return [str(p.resolve()) for p in config.root_paths]


def carry_out(
    config: Config,
    run_id: str,
    moves: Sequence[dict[str, Any]],
    on_conflict: str = "rename",
    progress: Callable[[int, int], None] = lambda done, total: None,
) -> tuple[list[dict[str, Any]], list[tuple[dict[str, Any], str]]]:
    """Move each file as planned; (the moves done, (a move not done, why))."""
    roots = roots_of(config)
    journal = Journal(journal_folder(config), run_id)
    claimed = {m["new_path"] for m in moves}  # a name picked for a conflict must not be another move's
    done: list[dict[str, Any]] = []
    problems: list[tuple[dict[str, Any], str]] = []
    try:
        for start in range(0, len(moves), CHUNK):
            chunk = [dict(m) for m in moves[start : start + CHUNK]]
            journal.intend(chunk)
            moved_now = []
            for move in chunk:
                with signals.shielded():  # a stop request waits until this file is in one place
                    outcome = _move_one(journal, move, on_conflict, claimed)
                if outcome:
                    problems.append((move, outcome))
                else:
                    moved_now.append(move)
            with signals.shielded():
                changelog.append([_entry(m) for m in moved_now], roots)
            done += moved_now
            progress(min(start + CHUNK, len(moves)), len(moves))
    finally:
        # also when stopped: what was moved gets its graph paths now (else at the next start)
        if done:
            with open_graph(config) as graph:
                move_store.apply(graph, done, config.jobs.batch_size)
        journal.close()
    journal.finish()
    return done, problems


def _move_one(journal: Journal, move: dict[str, Any], on_conflict: str, claimed: set[str]) -> str:
    """'' when moved, else why not."""
    try:
        info = os.lstat(move["old_path"])
        if move.get("mtime_ns") and (info.st_size, info.st_mtime_ns) != (move["size"], move["mtime_ns"]):
            journal.outcome(move["id"], "changed")
            return f"{move['old_path']} changed since the plan: the next run decides"
    except FileNotFoundError:
        journal.outcome(move["id"], "gone")
        return f"{move['old_path']} is no longer there"
    for _ in range(3):
        try:
            how = move_file(
                move["old_path"], move["new_path"], move["id"], lambda info: journal.placed(move["id"], info)
            )
        except Taken:
            # someone took the name since the plan: a free name, journalled again before use
            if on_conflict == "skip":
                journal.outcome(move["id"], "taken")
                return f"{move['new_path']} exists (on_conflict = skip)"
            try:
                move["new_path"] = free_name(move["new_path"], claimed)
            except Refused as exc:
                return str(exc)
            claimed.add(move["new_path"])
            journal.intend([move])
            continue
        except FileNotFoundError:
            journal.outcome(move["id"], "gone")
            return f"{move['old_path']} is no longer there"
        except OSError as exc:
            journal.outcome(move["id"], "failed", str(exc))
            return f"{type(exc).__name__}: {exc}"
        journal.outcome(move["id"], "moved", how)
        return ""
    return f"{move['new_path']} kept being taken"


def _entry(move: dict[str, Any]) -> dict[str, Any]:
    """The change log entry of a move: what a user reads, and what undo needs."""
    keys = ("id", "run", "date", "item", "old_path", "new_path", "reason", "rule", "tags", "hash", "size", "action")
    entry = {k: move.get(k, "") for k in keys} | {"file": Path(move["new_path"]).name}
    entry["location"] = move["location"]
    if move.get("undoes"):
        entry["undoes"] = move["undoes"]
    return entry


def recover(config: Config) -> str:
    """Finish or roll back the moves of interrupted runs; what was done, or ''.

    A journal whose moves cannot all be decided now (a drive not mounted, an error) is
    kept, said, and tried again at the next start; ``pending`` tells the organize step.
    """
    folder = journal_folder(config)
    if not folder.is_dir():
        return ""
    said = []
    for path in sorted(folder.glob("*.jsonl")):
        try:
            said.append(_recover_one(config, path))
        except Exception as exc:  # never stops the job: the journal stays for the next start
            message = f"moves left by run {path.stem} could not be settled yet ({type(exc).__name__}: {exc})"
            log.error(message, extra={"context": f"journal: {path}"})
            said.append(message)
    return "; ".join(filter(None, said))


def pending(config: Config) -> list[str]:
    """Runs whose moves are still to be settled."""
    folder = journal_folder(config)
    return sorted(p.stem for p in folder.glob("*.jsonl")) if folder.is_dir() else []


def _recover_one(config: Config, path: Path) -> str:
    intents, placed = read_journal(path)
    latest: dict[str, dict[str, Any]] = {}
    for intent in intents:
        latest[intent["id"]] = intent  # a move re-planned to a free name is journalled again
    finished, undone, unknown = [], 0, 0
    for intent in latest.values():
        result = settle(intent, placed.get(intent["id"]))
        if result == "moved":
            finished.append(intent)
        elif result == "unknown":
            unknown += 1
        else:
            undone += 1
            if result == "gone":
                log.warning("%s is in neither place a move left it: removed by someone else", intent["old_path"])
    logged = changelog.logged_ids(m["location"] for m in finished)
    changelog.append([_entry(m) for m in finished if m["id"] not in logged], roots_of(config))
    if finished:
        with open_graph(config) as graph:
            move_store.apply(graph, finished, config.jobs.batch_size)
    run = path.stem
    if unknown:
        message = (
            f"run {run} was interrupted while moving files: {len(finished)} moves completed; "
            f"{unknown} wait until their destination is reachable again"
        )
        log.warning(message)
        return message
    os.unlink(path)
    message = f"run {run} was interrupted while moving files: {len(finished)} moves completed, {undone} not made"
    log.warning(message)
    return message
