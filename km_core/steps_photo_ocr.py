"""Text in photos, read through the same ``km_ocr`` hook as screenshots.

Only photos whose signature changed since they were last looked at are asked
about; the OCR plugin decides which are likely to hold text (a setting) and
passes over screenshots, which the daily job reads. What it reads is added to
the photo's text, so the photo is tagged and found by search with it.
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor

from km_core.api import Content, Item
from km_core.run import Run
from km_core.steps_ocr import _ocr_one, _workers
from km_core.store import open_graph

log = logging.getLogger("km.ocr")


def _needing(run: Run) -> list[tuple[Item, str]]:
    with open_graph(run.config, read_only=True) as graph:
        rows = graph.rows(
            "MATCH (p:Photo) WHERE p.status = 'ok' AND p.present AND p.path <> '' "
            "AND coalesce(p.ocr_hash, '') <> p.hash RETURN p.id, p.path, p.hash, p.text ORDER BY p.id"
        )
    return [(Item(path=r[1], id=r[0], hash=r[2], kind="photo", source="photos"), r[3] or "") for r in rows]


def _joined(text: str, content: Content | None) -> str:
    read = (content.text if content is not None and content.status == "ok" else "").strip()
    return f"{text}\n{read}".strip() if read else text


def ocr_photos(run: Run) -> None:
    todo = _needing(run)
    log.info("%d photos to look at for text", len(todo))
    if not todo or run.options.dry_run:
        return
    with ThreadPoolExecutor(max_workers=_workers(run)) as pool:
        results = list(pool.map(lambda pair: run.attempt(pair[0], lambda: _ocr_one(run, pair[0]), 1), todo))
    failed = {f.item_id for f in run.failures if f.step == run.step}
    rows = []
    for (item, text), content in zip(todo, results, strict=True):
        if item.id in failed:  # OCR broke down (a timeout, tesseract missing): asked again next week
            continue
        if content is not None and content.status == "ok" and content.text.strip():
            run.counts["photo_ocr"] += 1
        rows.append(
            {
                "id": item.id,
                "hash": item.hash,
                "text": _joined(text, content),
                "conf": float((content.metadata.get("ocr_conf", 0) if content is not None else 0) or 0),
                "changed": content is not None and bool(content.text.strip()),
            }
        )
    if not rows:
        return
    with open_graph(run.config) as graph:
        graph.write(
            "MATCH (p:Photo {id: r.id}) SET p.ocr_hash = r.hash, p.text = r.text, p.ocr_conf = r.conf, "
            "p.tagged_hash = CASE WHEN r.changed THEN '' ELSE p.tagged_hash END",
            rows,
            run.config.jobs.batch_size,
        )
