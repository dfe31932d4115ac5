"""The organize step: ask ``km_organize`` where each tagged file belongs, check, then move.

Only files outside the library are candidates (what is inside was put there by
km or by you), and never a file you moved back with ``km undo``; files in "do
not move" folders, files changed in the last minutes and files that changed
since they were scanned stay where they are.
A dry run stops after the plan, which the job summary carries (``plan``).
"""

from __future__ import annotations

import logging
import os
from datetime import UTC, datetime
from typing import Any

from km_core.api import Item, MovePlan, Tag
from km_core.organize import changelog
from km_core.organize.execute import carry_out, pending, roots_of
from km_core.organize.mover import existing_folder
from km_core.organize.safety import Refused, check_destination, check_source, free_name, protected
from km_core.run import Run
from km_core.store import moves as move_store
from km_core.store import open_graph

log = logging.getLogger("km.organize")


def step_organize(run: Run) -> None:
    settings = run.config.organize
    if not settings.library:
        log.info("no [organize] library set: nothing is moved")
        return
    waiting = pending(run.config)
    if waiting:
        note = f"nothing organised: moves of run {waiting[0]} are not settled yet (see the log)"
        log.warning(note)
        run.notes.append(note)
        return
    library = settings.library  # resolved when the config was read, as item paths are
    roots = roots_of(run.config)
    with open_graph(run.config, read_only=True) as graph:
        found = move_store.candidates(graph, run.scope)
        undone = move_store.moved_back(graph)
    if undone:  # you moved these back: km does not move them again
        run.counts["organize_kept_after_undo"] = sum(1 for item, _ in found if item.id in undone)
        found = [(item, tags) for item, tags in found if item.id not in undone]
    # only inside the monitored folders (a --path elsewhere is read, never reorganised),
    # never what is in the library already
    found = [
        (item, tags)
        for item, tags in found
        if not _inside(item.path, library) and any(_inside(item.path, root) for root in roots)
    ]
    run.ctx.progress(0, len(found))
    moves = _plan(run, found, library, roots)
    run.plan = [_shown(m) for m in moves]
    run.counts["organize_planned"] = len(moves)
    if run.options.dry_run or not moves:
        return
    if not any(_inside(library, root) or library == root for root in roots):
        log.warning("the library %s is not inside a monitored folder: moved files are not scanned there", library)
    done, problems = carry_out(run.config, run.run_id, moves, settings.on_conflict, run.progress)
    run.counts["moved"] += len(done)
    for move in done:
        log.info("moved %s -> %s (%s)", move["old_path"], move["new_path"], move["reason"])
    for move, why in problems:
        run.counts["organize_skipped"] += 1
        log.warning("not moved: %s: %s", move["old_path"], why)


def _inside(path: str, folder: str) -> bool:
    return path.startswith(folder.rstrip("/") + "/")


def _plan(run: Run, found: list[tuple[Item, list[Tag]]], library: str, roots: list[str]) -> list[dict[str, Any]]:
    settings = run.config.organize
    taken: set[str] = set()
    moves: list[dict[str, Any]] = []
    for done, (item, tags) in enumerate(found, start=1):
        run.ctx.progress(done, len(found))
        pattern = protected(item.path, settings.do_not_move, item.root)
        if pattern:
            run.counts["organize_protected"] += 1
            log.debug("do not move (%s): %s", pattern, item.path)
            continue
        name, plan = run.plugins.call_first("km_organize", item=item, tags=tags, ctx=run.ctx)
        if not isinstance(plan, MovePlan):
            continue
        try:
            destination = check_destination(plan.destination, library)
            info = check_source(item.path, settings.settle_minutes)
            if (info.st_size, info.st_mtime_ns) != (item.size, item.mtime_ns):
                raise Refused(f"{item.path} changed since it was scanned: the next run decides")
            if os.path.lexists(destination) or destination in taken:
                if settings.on_conflict == "skip":
                    raise Refused(f"{destination} exists (on_conflict = skip)")
                destination = free_name(destination, taken)
        except Refused as exc:
            run.counts["organize_refused"] += 1
            log.warning("not moved: %s", exc, extra={"context": f"plan by {name}: {plan.destination}"})
            continue
        taken.add(destination)
        moves.append(_move(run, item, tags, plan, destination, roots))
    return moves


def _move(run: Run, item: Item, tags: list[Tag], plan: MovePlan, destination: str, roots: list[str]) -> dict[str, Any]:
    return {
        "id": f"{run.run_id}-{os.urandom(4).hex()}",
        "run": run.run_id,
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "item": item.id,
        "old_path": item.path,
        "new_path": destination,
        "root": changelog.location_of(destination, roots),
        "location": changelog.location_of(item.path, roots),
        "rule": plan.rule,
        "reason": plan.reason or plan.rule,
        "tags": [t.name for t in tags if t.source != "mentions"][:20],
        "hash": item.hash,
        "size": item.size,
        "mtime_ns": item.mtime_ns,
        "mount": existing_folder(destination),
        "action": "move",
        "undoes": "",
    }


def _shown(move: dict[str, Any]) -> dict[str, Any]:
    return {k: move[k] for k in ("item", "old_path", "new_path", "rule", "reason")}
