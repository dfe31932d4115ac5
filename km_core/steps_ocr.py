"""The OCR step: read the text in new screenshots (and other images when enabled).

tesseract is a separate process, so threads are enough for parallelism: one
call per core at a time, each tesseract single-threaded (the plugin sets
OMP_THREAD_LIMIT=1). An image whose content was read before (a copy, or a file
read in an earlier run) is never read again: results are reused by hash.
"""

from __future__ import annotations

import logging
import os
from concurrent.futures import ThreadPoolExecutor
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


def step_ocr(run: Run) -> None:
    with open_graph(run.config, read_only=True) as graph:
        items = images.needing_ocr(graph, run.config.jobs.retry_runs, run.scope)
        before = images.read_before(graph, sorted({i.hash for i in items if i.hash}))
    if run.options.dry_run:
        run.counts["ocr_planned"] = len(items)
        return
    done: list[tuple[Item, Content]] = []
    to_read: list[Item] = []
    for item in items:
        cached = before.get(item.hash)
        if cached is not None:
            done.append((item, cached))
            run.counts["ocr_cached"] += 1
        else:
            to_read.append(item)
    log.info("%d images to read, %d known by their content", len(to_read), len(done))
    failed: list[tuple[str, str, str]] = []
    vanished: list[str] = []
    workers = int(run.ctx.setting("ocr", "workers", 0) or os.cpu_count() or 1)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        attempts = pool.map(lambda item: (item, run.attempt(item, lambda: _ocr_one(run, item), retries=1)), to_read)
        for index, (item, content) in enumerate(attempts, start=1):
            run.progress(index, len(to_read))
            if item.id in run.vanished:
                vanished.append(item.id)
            elif content is None:
                if any(f.item_id == item.id for f in run.failures):
                    failed.append((item.id, "ocr", next(f.error for f in run.failures if f.item_id == item.id)))
                # else: an image that is not a screenshot, with OCR of images off: extraction marks it read
            else:
                run.counts["ocr"] += 1
                if content.status == "failed":
                    run.fail(item, content.error)
                    failed.append((item.id, "ocr", content.error))
                else:
                    done.append((item, content))
    if done:
        _save(run, done)
    with open_graph(run.config) as graph:
        file_store.mark_failed(graph, failed, run.config.jobs.batch_size)
        file_store.mark_missing(graph, vanished, run.config.jobs.batch_size)
    if failed:
        with open_graph(run.config) as graph:
            file_store.tag(
                graph,
                [{"id": i, "tag": "ocr-failed", "weight": 1.0, "why": e} for i, _, e in failed],
                "status",
                "km",
                run.config.jobs.batch_size,
            )
