"""File nodes: what discovery knows, what extraction writes, what fails.

Every write here is a batched UNWIND inside one transaction (per-row MERGE is
about 100x slower in kuzu 0.11.3).
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NamedTuple

from km_core.api import Content, Item
from km_core.store import search_index
from km_core.store.graph import Graph
from km_core.store.schema import STAGE_FILE_DDL

# Text kept in the graph per item; longer text is cut (the full file stays on disk).
MAX_TEXT = 1_000_000
_LINE_START = re.compile(r"\n(?=\S)")
STATUS_TAGS = ("encrypted", "extract-failed", "ocr-failed")


class KnownFile(NamedTuple):
    """What the graph knows of a file. A tuple, so 100,000 of them load from the scan cache fast."""

    id: str
    path: str
    size: int
    mtime_ns: int
    inode: int
    hash: str
    status: str


def generation(graph: Graph) -> str:
    """Changes whenever File rows change; the scan cache is valid only for the same value."""
    return graph.scalar("MATCH (m:Meta {key: 'scan_generation'}) RETURN m.value") or ""


def _changing(graph: Graph) -> None:
    """Before the first File write of a unit of work: drop the search index, new generation."""
    if getattr(graph, "_files_changing", False):
        return
    search_index.invalidate(graph)
    graph.execute("MERGE (m:Meta {key: 'scan_generation'}) SET m.value = $v", {"v": uuid.uuid4().hex})
    graph._files_changing = True  # type: ignore[attr-defined]


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
    return {row[1]: KnownFile._make(row) for row in graph.rows(query, params)}


def _file_row(item: Item, now: datetime) -> dict[str, Any]:
    # mtime is computed from mtime_ns by kuzu (MTIME below): cheaper than a datetime per row
    return {
        "id": item.id,
        "path": item.path,
        "name": os.path.basename(item.path),  # pathlib costs 1.7 s per 100,000 rows here
        "ext": item.ext,
        "size": item.size,
        "mtime_ns": item.mtime_ns,
        "inode": item.inode,
        "hash": item.hash,
        "kind": item.kind,
        "root": item.root,
        "source": item.source,
        "status": item.status,
        "now": now,
    }


MTIME = "to_timestamp(r.mtime_ns / 1000000000.0)"
_TIMESTAMPS = frozenset({"mtime", "created", "modified", "discovered", "updated", "missing_since"})


@contextmanager
def staged(graph: Graph, rows: Sequence[dict[str, Any]], batch_size: int) -> Iterator[None]:
    """``rows`` (each with ``id`` and the same keys) in a fresh StageFile, inside one transaction.

    The table is created before and dropped after the transaction: kuzu 0.11.3 never reclaims
    deleted rows, and DDL cannot share a transaction with writes to the same table. Callers
    must not be inside a transaction of their own.
    """
    graph.execute("DROP TABLE IF EXISTS StageFile")  # a crash may have left one
    graph.execute(STAGE_FILE_DDL)
    try:
        with graph.transaction():
            keys = list(rows[0])
            values = ", ".join(f"{k}: CAST(r.{k} AS TIMESTAMP)" if k in _TIMESTAMPS else f"{k}: r.{k}" for k in keys)
            if "mtime_ns" in keys:
                values += f", mtime: {MTIME}"
            graph.write(f"CREATE (s:StageFile {{{values}}})", rows, batch_size)
            yield
    finally:
        graph.execute("DROP TABLE IF EXISTS StageFile")


def copy_staged(graph: Graph, keys: Iterable[str], extra: str = "") -> None:
    """Copy staged columns onto the File with the same id, in one scan join."""
    keys = list(keys)
    sets = ", ".join(f"f.{k} = s.{k}" for k in [*keys, *(["mtime"] if "mtime_ns" in keys else [])] if k != "id")
    graph.execute(f"MATCH (s:StageFile), (f:File) WHERE f.id = s.id SET {sets}{extra}")


def update_files(graph: Graph, rows: Sequence[dict[str, Any]], batch_size: int, extra: str = "") -> None:
    if rows:
        with staged(graph, rows, batch_size):
            copy_staged(graph, rows[0], extra)


def save_discovered(graph: Graph, changes_new: Sequence[Item], changed: Sequence[Item], batch_size: int) -> None:
    """Create File nodes for new items; update changed, touched and moved ones."""
    if not (changes_new or changed):
        return
    _changing(graph)
    now = _now()
    roots = {item.root for item in [*changes_new, *changed]}
    with graph.transaction():
        for root in roots:
            graph.execute(
                "MERGE (l:Location {path: $root}) ON CREATE SET l.name = $name, l.kind = 'root'",
                {"root": root, "name": Path(root).name},
            )
        graph.write(
            "MATCH (l:Location {path: r.root}) "
            f"CREATE (f:File {{id: r.id, path: r.path, name: r.name, ext: r.ext, size: r.size, mtime: {MTIME}, "
            "mtime_ns: r.mtime_ns, inode: r.inode, hash: r.hash, kind: r.kind, root: r.root, source: r.source, "
            "status: r.status, discovered: r.now, updated: r.now, fail_runs: 0, title: '', author: '', text: '', "
            "error: '', extracted_hash: '', failed_step: '', pages: 0, words: 0, extractor: ''})-[:`IN`]->(l)",
            [_file_row(item, now) for item in changes_new],
            batch_size,
        )
    if not changed:
        return
    rows = [_file_row(item, now) for item in changed]
    for row in rows:
        row["updated"] = row.pop("now")
    with staged(graph, rows, batch_size):
        # a screenshot known by its content (not its name) stays one while its content is the same
        copy_staged(
            graph,
            [k for k in rows[0] if k != "kind"],
            extra=", f.missing_since = NULL, f.kind = CASE WHEN f.kind = 'screenshot' AND f.extracted_hash = s.hash "
            "THEN 'screenshot' ELSE s.kind END",
        )
        # a file moved under another root follows it
        graph.execute(
            "MATCH (s:StageFile), (f:File)-[e:`IN`]->(l:Location) WHERE f.id = s.id AND l.path <> s.root DELETE e"
        )
        graph.execute(
            "MATCH (s:StageFile), (f:File), (l:Location) WHERE f.id = s.id AND l.path = s.root "
            "AND NOT EXISTS { MATCH (f)-[:`IN`]->(:Location) } CREATE (f)-[:`IN`]->(l)"
        )


def mark_missing(graph: Graph, ids: Iterable[str], batch_size: int) -> int:
    now = _now()
    rows = [{"id": i, "status": "missing", "missing_since": now, "updated": now} for i in ids]
    if not rows:
        return 0
    _changing(graph)
    update_files(graph, rows, batch_size)
    return len(rows)


def items_where(graph: Graph, where: str, params: dict[str, Any], under: str = "") -> list[Item]:
    """File items matching a WHERE clause on ``f``, optionally only under one folder, by path."""
    if under:
        where = f"({where}) AND (f.path = $under OR starts_with(f.path, $prefix))"
        params = params | {"under": under, "prefix": under.rstrip("/") + "/"}
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


def needing(graph: Graph, step: str, retry_runs: int, under: str = "", kinds: Sequence[str] = ()) -> list[Item]:
    """Files whose content a step has not read yet, plus that step's failures still to retry."""
    where = "(f.status = 'pending' OR (f.status = 'failed' AND f.failed_step = $step AND f.fail_runs <= $retry_runs))"
    params: dict[str, Any] = {"step": step, "retry_runs": retry_runs}
    if kinds:
        where += " AND f.kind IN $kinds"
        params["kinds"] = list(kinds)
    return items_where(graph, where, params, under)


def searchable(text: str) -> str:
    """Text as stored: kuzu 0.11.3's FTS tokenizer splits words on spaces and punctuation but not on
    newlines or tabs ("total\nInvoice" is one token), so a space follows every line break."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    return _LINE_START.sub("\n ", text)


def _aware(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def save_extracted(
    graph: Graph,
    results: Sequence[tuple[Item, Content]],
    batch_size: int,
    step: str = "extract",
    extra: Callable[[Item, Content], dict[str, Any]] | None = None,
) -> None:
    """Store what extraction (or OCR: ``step="ocr"``) read; ``extra`` adds columns per row."""
    if not results:
        return
    _changing(graph)
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
            "extracted_hash": item.hash,
            "failed_step": "",
            "fail_runs": 0,
            "updated": now,
        }
        | (extra(item, content) if extra else {})
        for item, content in results
    ]
    flagged = [
        {
            "id": item.id,
            "tag": f"{step}-failed" if content.status == "failed" else content.status,
            "weight": 1.0,
            "why": content.error or content.status,
        }
        for item, content in results
        if content.status in ("failed", "encrypted")
    ]
    with staged(graph, rows, batch_size):
        copy_staged(graph, rows[0])
        # status tags describe the last reading only
        graph.execute(
            "MATCH (s:StageFile), (f:File)-[e:TAGGED]->(t:Tag) WHERE f.id = s.id AND t.name IN $tags DELETE e",
            {"tags": list(STATUS_TAGS)},
        )
        tag(graph, flagged, "status", "km", batch_size)


def tag(graph: Graph, rows: Sequence[dict[str, Any]], kind: str, source: str, batch_size: int) -> None:
    """Tag items: rows of {id, tag, weight, why}; a tag is primary when it is of kind ``type``."""
    if not rows:
        return
    for name in {r["tag"] for r in rows}:
        graph.execute("MERGE (t:Tag {name: $name}) ON CREATE SET t.kind = $kind", {"name": name, "kind": kind})
    graph.write(
        "MATCH (f:File {id: r.id}), (t:Tag {name: r.tag}) MERGE (f)-[e:TAGGED]->(t) "
        f"SET e.weight = r.weight, e.source = '{source}', e.`primary` = {str(kind == 'type').lower()}, e.why = r.why",
        rows,
        batch_size,
    )


def untag_source(graph: Graph, ids: Sequence[str], source: str, batch_size: int) -> None:
    """Remove the tags one source gave these items, before it gives them again."""
    if ids:
        with staged(graph, [{"id": i} for i in ids], batch_size):
            graph.execute(
                "MATCH (s:StageFile), (f:File)-[e:TAGGED]->(:Tag) WHERE f.id = s.id AND e.source = $source DELETE e",
                {"source": source},
            )


def mark_failed(graph: Graph, failures: Sequence[tuple[str, str, str]], batch_size: int) -> None:
    """Record (item id, step, error) failures; the retry queue is these items."""
    if not failures:
        return
    _changing(graph)
    now = _now()
    rows = [
        {"id": i, "status": "failed", "failed_step": step, "error": error[:2000], "updated": now}
        for i, step, error in failures
    ]
    update_files(graph, rows, batch_size, extra=", f.fail_runs = coalesce(f.fail_runs, 0) + 1")
