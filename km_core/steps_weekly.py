"""The weekly sources: Apple Notes, calendars and photos, each synced, then tagged and related.

A source is a ``km_discover`` implementation for a Source of kind ``notes``,
``calendar`` or ``photos``. It yields one Item per record (``kind`` note, event
or photo, with ``record`` holding the node's properties and ``hash`` its change
signature) and one *store marker* per database, file or folder it read:
``Item(kind="store", path=STORE, status="ok")`` when it read that store to the
end, ``status="failed"`` (with ``record["error"]``) when it could not. Records
of a store read to the end that it no longer lists are marked missing; a store
that failed keeps what the graph knows of it. A marker with ``record["folder"]``
says a whole folder was read: stores the graph knows under it that were not
seen (a deleted .ics file) are gone too. A calendar's marker may give the
``window`` its endless series were expanded in and the ``series`` (UIDs) it
still has: occurrences of those series outside the window are kept. A source with nothing configured
or present returns None and is skipped with one line in the log.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from km_core.api import Item, Source
from km_core.run import Run
from km_core.steps_photo_ocr import ocr_photos
from km_core.steps_tag import tag_items
from km_core.store import Graph, open_graph
from km_core.store import records as record_store
from km_core.store import tags as tag_store
from km_core.weekly_relate import relate_records

log = logging.getLogger("km.weekly")


@dataclass
class Synced:
    """What one source brought in one run."""

    seen: dict[str, Item] = field(default_factory=dict)
    complete: set[str] = field(default_factory=set)  # stores read to the end
    failed: dict[str, str] = field(default_factory=dict)  # store -> why it could not be read
    folders: set[str] = field(default_factory=set)  # folders read to the end: a store gone from one is gone
    windows: dict[str, tuple[datetime, datetime, set[str]]] = field(default_factory=dict)  # see _outside
    answered: bool = False  # some plugin handles this source kind and has something configured
    problems: list[str] = field(default_factory=list)  # parts of stores skipped (a broken event, a bad photo)


def _collect(run: Run, kind: str, record_kind: str) -> Synced:
    synced = Synced()
    path = str(Path(run.options.path).expanduser().resolve()) if run.options.path else ""
    source = Source(kind, path)
    for name, result in run.plugins.call_each("km_discover", source=source, ctx=run.ctx):
        synced.answered = True
        try:
            for item in result:
                if not isinstance(item, Item):
                    raise TypeError(f"yielded {type(item).__name__}, not Item")
                if item.kind == "store":
                    if item.status == "failed":
                        synced.failed[item.path] = str(item.record.get("error", "could not be read"))
                    elif item.record.get("folder"):
                        synced.folders.add(item.path)
                    else:
                        synced.complete.add(item.path)
                        if item.record.get("window"):
                            low, high = (datetime.fromisoformat(v) for v in item.record["window"])
                            synced.windows[item.path] = (low, high, set(item.record.get("series", ())))
                        synced.problems += [str(p) for p in item.record.get("problems", [])]
                elif item.kind == record_kind and item.id:
                    item.source = item.source or name
                    synced.seen[item.id] = item
                    if len(synced.seen) % 500 == 0:
                        run.progress(len(synced.seen), 0)
        except Exception as exc:
            run.plugins.record_failure(name, "km_discover", exc)
            synced.failed[f"{kind} source {name}"] = f"{type(exc).__name__}: {exc}"
    synced.complete -= set(synced.failed)
    return synced


def _outside(graph: Graph, table: str, windows: dict[str, tuple[datetime, datetime, set[str]]]) -> set[str]:
    """Occurrences of a series the calendar still has that now fall outside the window it was
    expanded in: not listed this time, yet not gone (last year's weekly meeting still happened)."""
    if table != "Event" or not windows:
        return set()
    kept: set[str] = set()
    for store, (low, high, series) in windows.items():
        rows = graph.rows(
            "MATCH (n:Event) WHERE n.store = $store AND n.recurring AND n.status <> 'missing' "
            "AND (n.start < $low OR n.start >= $high) RETURN n.id, n.uid",
            {"store": store, "low": low, "high": high},
        )
        kept |= {item for item, uid in rows if uid in series}
    return kept


def sync_source(run: Run, kind: str, table: str, after_save: Callable[[Run], None] | None = None) -> None:
    """One weekly source end to end: read, store what changed, mark what is gone, tag, relate."""
    record_kind = table.lower()
    synced = _collect(run, kind, record_kind)
    if not synced.answered:
        log.info("%s: no source configured or present, skipped", kind)
        run.notes.append(f"{kind}: not configured or not present, skipped")
        run.counts[f"{kind}_skipped"] = 1
        return
    for store, error in synced.failed.items():
        run.fail(Item(path=store, kind=record_kind), error)  # listed with the run's errors
    for problem in synced.problems[:50]:
        run.notes.append(f"{kind}: {problem}")
    run.counts[f"{kind}_problems"] = len(synced.problems)
    with open_graph(run.config, read_only=True) as graph:
        known = record_store.known(graph, table)
        outside = _outside(graph, table, synced.windows)
    under = tuple(folder.rstrip("/") + "/" for folder in synced.folders)
    synced.complete |= {store for _, _, store in known.values() if under and store.startswith(under)}
    synced.complete -= set(synced.failed)
    changed = [
        item
        for item_id, item in synced.seen.items()
        if item_id not in known or known[item_id][0] != item.hash or known[item_id][1] == "missing"
    ]
    gone = [
        item_id
        for item_id, (_, status, store) in known.items()
        if status != "missing" and store in synced.complete and item_id not in synced.seen and item_id not in outside
    ]
    run.processed.update(synced.seen)
    run.counts[f"{kind}_seen"] = len(synced.seen)
    run.counts[f"{kind}_new"] = sum(1 for item in changed if item.id not in known)
    run.counts[f"{kind}_changed"] = len(changed) - run.counts[f"{kind}_new"]
    run.counts[f"{kind}_missing"] = len(gone)
    run.counts["discovered"] += len(synced.seen)
    run.counts["new"] += run.counts[f"{kind}_new"]
    run.counts["modified"] += run.counts[f"{kind}_changed"]
    log.info(
        "%s: %d records in %d stores, %d new, %d changed, %d gone",
        kind,
        len(synced.seen),
        len(synced.complete),
        run.counts[f"{kind}_new"],
        run.counts[f"{kind}_changed"],
        len(gone),
    )
    if run.options.dry_run:
        return
    batch = run.config.jobs.batch_size
    if changed or gone:
        with open_graph(run.config) as graph:
            record_store.save(graph, table, changed, set(known), batch)
            record_store.mark_missing(graph, table, gone, batch)
    if after_save is not None:
        after_save(run)
    with open_graph(run.config, read_only=True) as graph:
        to_tag = tag_store.needing_records(graph, table)
    tag_items(run, to_tag, table)
    relate_records(run, table)


def step_notes(run: Run) -> None:
    sync_source(run, "notes", "Note")


def step_calendar(run: Run) -> None:
    sync_source(run, "calendar", "Event")


def step_photos(run: Run) -> None:
    sync_source(run, "photos", "Photo", after_save=ocr_photos)
