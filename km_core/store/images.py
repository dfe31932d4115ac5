"""Image items for the OCR step: what needs reading, and what was read before (by content hash)."""

from __future__ import annotations

from km_core.api import Content, Item
from km_core.store import files as file_store
from km_core.store.graph import Graph

IMAGE_KINDS = ["screenshot", "image"]


def needing_ocr(graph: Graph, retry_runs: int, under: str = "") -> list[Item]:
    return file_store.needing(graph, "ocr", retry_runs, under, kinds=IMAGE_KINDS)


def read_before(graph: Graph, hashes: list[str]) -> dict[str, Content]:
    """OCR results of other files with the same content (a copy, or one read in an earlier run)."""
    if not hashes:
        return {}
    rows = graph.rows(
        # any file whose reading was of this very content: also one now missing or back again
        "MATCH (f:File) WHERE f.extracted_hash IN $hashes AND f.extractor = 'ocr' AND f.status <> 'failed' "
        "OPTIONAL MATCH (f)-[e:TAGGED]->(t:Tag {kind: 'type'}) "
        "RETURN f.extracted_hash, f.text, f.words, f.status, f.ocr_conf, f.ocr_lang, f.kind, t.name, e.weight, e.why",
        {"hashes": hashes},
    )
    found: dict[str, Content] = {}
    for digest, text, words, status, conf, lang, kind, label, weight, why in rows:
        if status not in ("ok", "empty"):
            status = "ok" if text else "empty"  # the reading is good; the file was missing or pending
        metadata = {"ocr_conf": f"{conf or 0:.1f}", "ocr_lang": lang or "", "cached": "true"}
        if kind == "screenshot":
            metadata["screenshot"] = "a copy of a screenshot read before"
        if label:
            metadata |= {"class": label, "class_why": why or "", "class_confidence": f"{weight or 0:.2f}"}
        found[digest] = Content(text=text or "", words=words or 0, status=status, extractor="ocr", metadata=metadata)
    return found
