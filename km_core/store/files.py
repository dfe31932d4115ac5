"""File nodes: what discovery knows, what extraction writes, what fails.

Every write here is a batched UNWIND inside one transaction (per-row MERGE is
about 100x slower in kuzu 0.11.3).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from km_core.api import Content, Item
from km_core.store import search_index
from km_core.store.graph import Graph

# Text kept in the graph per item; longer text is cut (the full file stays on disk).
MAX_TEXT = 1_000_000
_LINE_START = re.compile(r"\n(?=\S)")
STATUS_TAGS = {"encrypted": "encrypted", "failed": "extract-failed"}


@dataclass(slots=True)
class KnownFile:
    id: str
    path: str
    size: int
    mtime_ns: int
    inode: int
    hash: str
    status: str


def _now() -> datetime:
    return datetime.now(UTC)


def known_files(graph: Graph, under: str = "") -> dict[str, KnownFile]:
    """Every File the graph knows (including missing ones), by path."""
    query = "MATCH (f:File) RETURN f.id, f.path, f.size, f.mtime_ns, f.inode, f.hash, f.status"
    params: dict[str, Any] = {}
    if under:
        query = (
            "MATCH (f:File) WHERE f.path = $under OR starts_with(f.path, $prefix) "
            "RETURN f.id, f.path, f.size, f.mtime_ns, f.inode, f.hash, f.status"
        )
        params = {"under": under, "prefix": under.rstrip("/") + "/"}
    return {row[1]: KnownFile(*row) for row in graph.rows(query, params)}


def _file_row(item: Item, now: datetime) -> dict[str, Any]:
    return {
        "id": item.id,
        "path": item.path,
        "name": Path(item.path).name,
        "ext": item.ext,
        "size": item.size,
        "mtime": datetime.fromtimestamp(item.mtime_ns / 1e9, UTC),
        "mtime_ns": item.mtime_ns,
        "inode": item.inode,
        "hash": item.hash,
        "kind": item.kind,
        "root": item.root,
        "source": item.source,
        "status": item.status,
        "now": now,
    }


def save_discovered(graph: Graph, items: Sequence[Item], batch_size: int) -> None:
    """Create or update File nodes from discovery (new, changed and moved items)."""
    if not items:
        return
    search_index.invalidate(graph)
    now = _now()
    rows = [_file_row(item, now) for item in items]
    graph.write(
        "MERGE (f:File {id: r.id}) "
        "ON CREATE SET f.discovered = r.now, f.fail_runs = 0, f.title = '', f.author = '', f.text = '', "
        "f.error = '', f.extracted_hash = '', f.failed_step = '', f.pages = 0, f.words = 0, f.extractor = '' "
        "SET f.path = r.path, f.name = r.name, f.ext = r.ext, f.size = r.size, f.mtime = r.mtime, "
        "f.mtime_ns = r.mtime_ns, f.inode = r.inode, f.hash = r.hash, f.kind = r.kind, f.root = r.root, "
        "f.source = r.source, f.status = r.status, f.updated = r.now, f.missing_since = NULL",
        rows,
        batch_size,
    )
    by_root: dict[str, list[str]] = {}
    for item in items:
        by_root.setdefault(item.root, []).append(item.id)
    for root, ids in by_root.items():
        graph.execute(
            "MERGE (l:Location {path: $root}) ON CREATE SET l.name = $name, l.kind = 'root'",
            {"root": root, "name": Path(root).name},
        )
        graph.write(
            "MATCH (f:File {id: r.id}), (l:Location {path: r.root}) "
            "WHERE NOT EXISTS { MATCH (f)-[:`IN`]->(:Location) } CREATE (f)-[:`IN`]->(l)",
            [{"id": i, "root": root} for i in ids],
            batch_size,
        )
        # a file moved to another root follows it
        graph.write(
            "MATCH (f:File {id: r.id})-[e:`IN`]->(l:Location) WHERE l.path <> r.root DELETE e",
            [{"id": i, "root": root} for i in ids],
            batch_size,
        )
        graph.write(
            "MATCH (f:File {id: r.id}), (l:Location {path: r.root}) "
            "WHERE NOT EXISTS { MATCH (f)-[:`IN`]->(l) } CREATE (f)-[:`IN`]->(l)",
            [{"id": i, "root": root} for i in ids],
            batch_size,
        )


def mark_missing(graph: Graph, ids: Iterable[str], batch_size: int) -> int:
    rows = [{"id": i, "now": _now()} for i in ids]
    if not rows:
        return 0
    search_index.invalidate(graph)
    return graph.write(
        "MATCH (f:File {id: r.id}) SET f.status = 'missing', f.missing_since = r.now, f.updated = r.now",
        rows,
        batch_size,
    )


def needing_extraction(graph: Graph, retry_runs: int, under: str = "") -> list[Item]:
    """Files whose content changed since the last extraction, plus failures still to retry."""
    where = (
        "(f.status = 'pending' OR (f.status = 'failed' AND f.failed_step = 'extract' AND f.fail_runs <= $retry_runs))"
    )
    params: dict[str, Any] = {"retry_runs": retry_runs}
    if under:
        where += " AND (f.path = $under OR starts_with(f.path, $prefix))"
        params |= {"under": under, "prefix": under.rstrip("/") + "/"}
    rows = graph.rows(
        f"MATCH (f:File) WHERE {where} "
        "RETURN f.id, f.path, f.size, f.mtime_ns, f.inode, f.hash, f.kind, f.ext, f.root, f.source, f.status "
        "ORDER BY f.path",
        params,
    )
    return [
        Item(
            id=r[0],
            path=r[1],
            size=r[2],
            mtime_ns=r[3],
            inode=r[4],
            hash=r[5],
            kind=r[6],
            ext=r[7],
            root=r[8],
            source=r[9],
            status=r[10],
        )
        for r in rows
    ]


def searchable(text: str) -> str:
    """Text as stored: kuzu 0.11.3's FTS tokenizer splits words on spaces and punctuation but not on
    newlines or tabs ("total\nInvoice" is one token), so a space follows every line break."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    return _LINE_START.sub("\n ", text)


def _aware(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def save_extracted(graph: Graph, results: Sequence[tuple[Item, Content]], batch_size: int) -> None:
    if not results:
        return
    search_index.invalidate(graph)
    now = _now()
    rows = [
        {
            "id": item.id,
            "text": searchable(content.text[:MAX_TEXT]),
            "title": content.title,
            "author": content.author,
            "created": _aware(content.created),
            "modified": _aware(content.modified),
            "pages": content.pages,
            "words": content.words,
            "status": content.status,
            "error": content.error,
            "extractor": content.extractor,
            "hash": item.hash,
            "now": now,
        }
        for item, content in results
    ]
    graph.write(
        "MATCH (f:File {id: r.id}) SET f.text = r.text, f.title = r.title, f.author = r.author, "
        "f.created = CAST(r.created AS TIMESTAMP), f.modified = CAST(r.modified AS TIMESTAMP), "
        "f.pages = r.pages, f.words = r.words, "
        "f.status = r.status, f.error = r.error, f.extractor = r.extractor, f.extracted_hash = r.hash, "
        "f.failed_step = '', f.fail_runs = 0, f.updated = r.now",
        rows,
        batch_size,
    )
    graph.write(
        "MATCH (f:File {id: r.id})-[e:TAGGED]->(t:Tag) WHERE t.name IN r.tags DELETE e",
        [{"id": item.id, "tags": list(STATUS_TAGS.values())} for item, _ in results],
        batch_size,
    )
    flagged = [
        {"id": item.id, "tag": STATUS_TAGS[content.status], "why": content.error or content.status}
        for item, content in results
        if content.status in STATUS_TAGS
    ]
    tag_status(graph, flagged, batch_size)


def tag_status(graph: Graph, rows: Sequence[dict[str, Any]], batch_size: int) -> None:
    """Tag items with a status tag (``encrypted``, ``extract-failed``) so review lists find them."""
    if not rows:
        return
    for tag in {r["tag"] for r in rows}:
        graph.execute("MERGE (t:Tag {name: $name}) ON CREATE SET t.kind = 'status'", {"name": tag})
    graph.write(
        "MATCH (f:File {id: r.id}), (t:Tag {name: r.tag}) MERGE (f)-[e:TAGGED]->(t) "
        "SET e.weight = 1.0, e.source = 'km', e.`primary` = false, e.why = r.why",
        rows,
        batch_size,
    )


def mark_failed(graph: Graph, failures: Sequence[tuple[str, str, str]], batch_size: int) -> None:
    """Record (item id, step, error) failures; the retry queue is these items."""
    if not failures:
        return
    search_index.invalidate(graph)
    rows = [{"id": i, "step": step, "error": error[:2000], "now": _now()} for i, step, error in failures]
    graph.write(
        "MATCH (f:File {id: r.id}) SET f.status = 'failed', f.failed_step = r.step, f.error = r.error, "
        "f.fail_runs = coalesce(f.fail_runs, 0) + 1, f.updated = r.now",
        rows,
        batch_size,
    )
