"""The steps jobs are made of. Each takes a ``Run`` and calls one hook over a batch.

The graph is opened only around reads and writes, never while files are
hashed or extracted, so other km processes wait as little as possible.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from km_core import scan_cache
from km_core.analytics import step_analytics
from km_core.api import Content, Item, Source
from km_core.reconcile import KnownIndex, reconcile
from km_core.rogue import step_rogue
from km_core.run import Run
from km_core.steps_monthly import MONTHLY_STEPS
from km_core.steps_ocr import step_ocr
from km_core.steps_organize import step_organize
from km_core.steps_relate import step_relate
from km_core.steps_tag import step_tag
from km_core.steps_topics import step_topics
from km_core.steps_weekly import step_calendar, step_notes, step_photos
from km_core.store import files as file_store
from km_core.store import open_graph
from km_core.store import tags as tag_store

log = logging.getLogger("km.runner")
discover_log = logging.getLogger("km.discover")
extract_log = logging.getLogger("km.extract")

# Flush extracted text after this many items or characters. Few, large flushes: kuzu 0.11.3
# rewrites whole column chunks per update transaction, so the file grows with their number.
FLUSH_ITEMS = 5000
FLUSH_CHARS = 50_000_000


def _roots(run: Run) -> list[str]:
    """Configured roots, resolved, without repeats and without roots inside other roots
    (a file under both would otherwise get two nodes)."""
    roots: list[str] = []
    for path in sorted({str(p.resolve()) for p in run.config.root_paths}, key=len):
        if any(path == r or path.startswith(r.rstrip("/") + "/") for r in roots):
            discover_log.info("monitored folder %s is inside another monitored folder; scanned once", path)
            continue
        roots.append(path)
    return roots


def _sources(run: Run) -> list[Source]:
    roots = _roots(run)
    if not run.scope:
        return [Source("filesystem", root) for root in roots]
    for root in roots:
        if run.scope == root or run.scope.startswith(root.rstrip("/") + "/"):
            return [Source("filesystem", root, only_under=run.scope)]
    return [Source("filesystem", run.scope)]  # a folder outside the roots, processed once


def step_discover(run: Run) -> None:
    seen: list[Item] = []
    complete: list[str] = []
    for source in _sources(run):
        if not Path(source.path).is_dir():
            discover_log.warning(
                "monitored folder not present, skipped: %s",
                source.path,
                extra={"context": "files known under it are not marked missing"},
            )
            run.notes.append(f"folder not present: {source.path}")
            continue
        whole = True
        for name, result in run.plugins.call_each("km_discover", source=source, ctx=run.ctx):
            try:
                for item in result:
                    seen.append(item)
                    if len(seen) % 1000 == 0:
                        run.progress(len(seen), 0)
            except Exception as exc:
                whole = False
                run.plugins.record_failure(name, "km_discover", exc)
                run.notes.append(f"discovery by {name} stopped early in {source.path}: {exc}")
        if whole:
            complete.append(source.only_under or source.path)
    run.counts["discovered"] = len(seen)
    discover_log.info("found %d files in %d folders", len(seen), len(complete))

    with open_graph(run.config, read_only=True) as graph:
        known = scan_cache.load(run.config.folders, file_store.generation(graph))
        source = "the scan cache"
        if known is None:
            known, source = KnownIndex.of(file_store.known_files(graph)), "the graph"
    discover_log.info("%d known files, read from %s", len(known.stats), source)
    changes = reconcile(seen, known, complete, run.options.full_rescan, run.progress, kept=run.kept)
    for item, exc in changes.unreadable:
        run.processed.add(item.id or item.path)
        run.fail(item, exc)
    run.counts.update(
        new=len(changes.new),
        modified=len(changes.modified),
        renamed=len(changes.moved),
        missing=len(changes.missing),
        unchanged=changes.unchanged,
    )
    run.processed.update(i.id for i in changes.new + changes.modified + changes.moved)
    discover_log.info(
        "%d new, %d modified, %d renamed or moved, %d missing, %d unchanged",
        len(changes.new),
        len(changes.modified),
        len(changes.moved),
        len(changes.missing),
        changes.unchanged,
    )
    for item in changes.moved:
        discover_log.info("renamed or moved: %s", item.path, extra={"context": f"item: {item.id}"})
    if run.options.dry_run or not (changes.to_save or changes.missing):
        return
    batch = run.config.jobs.batch_size
    with open_graph(run.config) as graph:
        file_store.save_discovered(graph, changes.new, changes.modified + changes.moved + changes.touched, batch)
        file_store.mark_missing(graph, [k.id for k in changes.missing], batch)
        tag_store.forget(graph, [item.id for item in changes.moved], batch)


def _extract_one(run: Run, item: Item) -> Content:
    name, content = run.plugins.call_first("km_extract", item=item, ctx=run.ctx)
    if content is None:
        return Content(status="ok", extractor="")  # no extractor for this type: nothing to read
    if not isinstance(content, Content):
        raise TypeError(f"plugin {name} returned {type(content).__name__} from km_extract, not Content")
    content.extractor = content.extractor or name
    return content


def step_extract(run: Run) -> None:
    with open_graph(run.config, read_only=True) as graph:
        items = file_store.needing(graph, "extract", run.config.jobs.retry_runs, run.scope)
    total = len(items)
    extract_log.info("%d items to extract", total)
    if run.options.dry_run:
        run.counts["extract_planned"] = total
        return
    done: list[tuple[Item, Content]] = []
    failed: list[tuple[str, str, str]] = []
    vanished: list[str] = []
    chars = 0
    batch = run.config.jobs.batch_size

    def flush() -> None:
        nonlocal chars
        if not (done or failed or vanished):
            return
        with open_graph(run.config) as graph:
            file_store.save_extracted(graph, done, batch)
            file_store.mark_failed(graph, failed, batch)
            file_store.mark_missing(graph, vanished, batch)
        done.clear()
        failed.clear()
        vanished.clear()
        chars = 0

    for index, item in enumerate(items, start=1):
        before, gone = len(run.failures), len(run.vanished)
        content = run.attempt(item, _bind(_extract_one, run, item))
        if len(run.vanished) > gone:
            vanished.append(item.id)
        elif content is not None:
            done.append((item, content))
            chars += len(content.text)
            run.counts["extracted"] += 1
            if content.status == "failed":  # unreadable as it is: counted, not retried until it changes
                run.fail(item, content.error or "unreadable file")
            elif content.status == "encrypted":
                run.counts["encrypted"] += 1
                extract_log.warning("encrypted, no text read: %s", item.path, extra={"context": content.error})
        elif len(run.failures) > before:
            failed.append((item.id, "extract", run.failures[-1].error))
        if len(done) >= FLUSH_ITEMS or chars >= FLUSH_CHARS:
            flush()
        run.progress(index, total)
    flush()


def _bind(function: Callable[[Run, Item], Content], run: Run, item: Item) -> Callable[[], Content]:
    return lambda: function(run, item)


STEPS: dict[str, Callable[[Run], None]] = {
    "discover": step_discover,
    "ocr": step_ocr,
    "extract": step_extract,
    "tag": step_tag,
    "relate": step_relate,
    "organize": step_organize,
    "rogue": step_rogue,
    "topics": step_topics,
    "notes": step_notes,
    "calendar": step_calendar,
    "photos": step_photos,
    "analytics": step_analytics,
    **MONTHLY_STEPS,
}
