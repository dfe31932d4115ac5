"""The OCR step: read the text in new screenshots (and other images when enabled).

tesseract is a separate process, so threads are enough for parallelism: one
call per core at a time, each tesseract single-threaded (the plugin sets
OMP_THREAD_LIMIT=1). An image whose content was read before (a copy, or a file
read in an earlier run) is never read again: results are reused by hash.
"""

from __future__ import annotations

import logging
import os
from concurrent.futures import ThreadPoolExecutor, as_completed
from typing import Any

from km_core.api import Content, Item
from km_core.run import Run
from km_core.store import files as file_store
from km_core.store import images, open_graph

log = logging.getLogger("km.ocr")


def _ocr_one(run: Run, item: Item) -> Content | None:
    name, content = run.plugins.call_first("km_ocr", item=item, ctx=run.ctx)
    if content is not None and not isinstance(content, Content):
        raise TypeError(f"plugin {name} returned {type(content).__name__} from km_ocr, not Content")
    return content


def _columns(item: Item, content: Content) -> dict[str, Any]:
    meta = content.metadata
    return {
        "ocr_conf": float(meta.get("ocr_conf", 0) or 0),
        "ocr_lang": meta.get("ocr_lang", ""),
        "kind": "screenshot" if meta.get("screenshot") else item.kind,
    }


def _save(run: Run, results: list[tuple[Item, Content]]) -> None:
    types = [
        {
            "id": item.id,
            "tag": c.metadata["class"],
            "weight": float(c.metadata.get("class_confidence", 1) or 1),
            "why": c.metadata.get("class_why", ""),
        }
        for item, c in results
        if c.metadata.get("class")
    ]
    batch = run.config.jobs.batch_size
    with open_graph(run.config) as graph:
        file_store.save_extracted(graph, results, batch, step="ocr", extra=_columns)
        file_store.untag_source(graph, [item.id for item, _ in results], "ocr", batch)
        file_store.tag(graph, types, "type", "ocr", batch)


def _workers(run: Run) -> int:
    """One tesseract per CPU this process may use, plus one: while a worker decodes, classifies
    or writes, another's tesseract keeps its core busy (measured: 0.87x the raw CLI with one per
    core, 0.97x with one more, 60 screenshots on 2 cores)."""
    configured = int(run.ctx.setting("ocr", "workers", 0) or 0)
    if configured > 0:
        return configured
    try:
        cpus = len(os.sched_getaffinity(0))  # the CPUs this process may use (containers, taskset)
    except AttributeError:  # macOS
        cpus = os.cpu_count() or 1
    return cpus + 1


class _Pending:
    """Results waiting to be written; written every FLUSH images so a stop loses little."""

    def __init__(self, run: Run) -> None:
        self.run = run
        self.done: list[tuple[Item, Content]] = []
        self.failed: list[tuple[str, str, str]] = []
        self.vanished: list[str] = []

    def flush(self) -> None:
        run, batch = self.run, self.run.config.jobs.batch_size
        if self.done:
            _save(run, self.done)
        if self.failed or self.vanished:
            with open_graph(run.config) as graph:
                file_store.mark_failed(graph, self.failed, batch)
                file_store.mark_missing(graph, self.vanished, batch)
                file_store.tag(
                    graph,
                    [{"id": i, "tag": "ocr-failed", "weight": 1.0, "why": e} for i, _, e in self.failed],
                    "status",
                    "km",
                    batch,
                )
        self.done, self.failed, self.vanished = [], [], []


FLUSH = 50


def step_ocr(run: Run) -> None:
    with open_graph(run.config, read_only=True) as graph:
        items = images.needing_ocr(graph, run.config.jobs.retry_runs, run.scope)
        before = images.read_before(graph, sorted({i.hash for i in items if i.hash}))
    if run.options.dry_run:
        run.counts["ocr_planned"] = len(items)
        return
    pending = _Pending(run)
    # one reading per distinct content: copies found in the same run share it
    by_hash: dict[str, list[Item]] = {}
    for item in items:
        cached = before.get(item.hash)
        if cached is not None:
            pending.done.append((item, cached))
            run.counts["ocr_cached"] += 1
        else:
            by_hash.setdefault(item.hash or item.id, []).append(item)
    to_read = [group[0] for group in by_hash.values()]
    log.info("%d images to look at, %d known by their content", len(to_read), len(pending.done))
    with ThreadPoolExecutor(max_workers=_workers(run)) as pool:
        futures = {pool.submit(run.attempt, item, lambda item=item: _ocr_one(run, item), 1): item for item in to_read}
        for index, future in enumerate(as_completed(futures), start=1):
            item = futures[future]
            _settle(run, pending, by_hash[item.hash or item.id], future.result())
            run.progress(index, len(to_read))
            if index % FLUSH == 0:
                pending.flush()
    pending.flush()


def _settle(run: Run, pending: _Pending, group: list[Item], content: Content | None) -> None:
    """File the reading of one image under it and every copy of it found in this run."""
    first = group[0]
    if first.id in run.vanished:
        pending.vanished.append(first.id)
        group = group[1:]
        if not group:
            return
    if content is None:
        error = next((f.error for f in run.failures if f.item_id == first.id), "")
        if error:
            pending.failed.extend((item.id, "ocr", error) for item in group)
        # else: not a screenshot, and images are not read: the extract step marks it read
        return
    run.counts["ocr"] += 1
    run.counts["ocr_cached"] += len(group) - 1
    if content.status == "failed":
        for item in group:
            run.fail(item, content.error)
            pending.failed.append((item.id, "ocr", content.error))
    else:
        pending.done.extend((item, content) for item in group)
