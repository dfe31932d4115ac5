"""Note, Event and Photo nodes: what the weekly sources bring, kept in step with each source.

A record is written only when its signature (``Item.hash``) changed, so a
weekly sync with nothing new writes nothing. Records a source no longer lists
are marked missing (never deleted), but only for the stores that source read
completely in this run.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from km_core.api import Item
from km_core.store.graph import Graph

TABLES = {"note": "Note", "event": "Event", "photo": "Photo"}
PREFIXES = {f"{kind}:": table for kind, table in TABLES.items()}

# The properties a source may set on each table (anything else in Item.record is ignored)
COLUMNS: dict[str, tuple[str, ...]] = {
    "Note": (
        "title",
        "folder",
        "account",
        "created",
        "modified",
        "text",
        "snippet",
        "encrypted",
        "attachments",
        "hashtags",
        "error",
    ),
    "Event": (
        "summary",
        "start",
        "end",
        "location",
        "attendees",
        "calendar",
        "text",
        "uid",
        "description",
        "all_day",
        "timezone",
        "organizer",
        "event_status",
        "recurring",
        "file",
    ),
    "Photo": (
        "path",
        "taken",
        "lat",
        "lon",
        "album",
        "text",
        "name",
        "uuid",
        "present",
        "timezone",
        "title",
        "description",
        "albums",
        "keywords",
        "people",
        "favorite",
        "hidden",
        "kind",
        "uti",
        "camera",
        "width",
        "height",
        "orientation",
        "modified",
        "library",
    ),
}
LIST_COLUMNS = frozenset({"attachments", "hashtags", "attendees", "albums", "keywords", "people"})
# How each table names what a person calls it, and the moment it happened
TITLE = {"Note": "n.title", "Event": "n.summary", "Photo": "coalesce(nullif(n.title, ''), n.name)"}
STATUS_TAGS = ("encrypted", "original-missing", "extract-failed")


def table_of(item_id: str) -> str:
    """The node table an id lives in: weekly records carry their kind as a prefix, files none."""
    for prefix, table in PREFIXES.items():
        if item_id.startswith(prefix):
            return table
    return "File"


def _quoted(column: str) -> str:
    return f"`{column}`" if column in ("end", "start") else column


def known(graph: Graph, table: str) -> dict[str, tuple[str, str, str]]:
    """Every record of ``table`` the graph knows: id -> (signature, status, store)."""
    rows = graph.rows(f"MATCH (n:{table}) RETURN n.id, n.hash, n.status, n.store")
    return {r[0]: (r[1] or "", r[2] or "", r[3] or "") for r in rows}


def _row(table: str, item: Item, now: datetime) -> dict[str, Any]:
    record = item.record
    row: dict[str, Any] = {"id": item.id}
    for column in COLUMNS[table]:
        value = record.get(column)
        if column in LIST_COLUMNS:
            value = [str(v) for v in value or []]
        elif isinstance(value, datetime) and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        elif value is None and column in ("text", "title", "summary", "name", "location", "description"):
            value = ""
        row[column] = value
    status = record.get("status") or "ok"
    row |= {
        "hash": item.hash,
        "extracted_hash": item.hash,
        "status": status,
        "source": item.source,
        "store": str(record.get("store", "")),
        "updated": now,
        "error": str(record.get("error", "")),
    }
    return row


def save(graph: Graph, table: str, items: Sequence[Item], existing: set[str], batch_size: int) -> int:
    """Create the new records and rewrite the changed ones (their tags and edges are redone after)."""
    if not items:
        return 0
    now = datetime.now(UTC)
    rows = [_row(table, item, now) for item in items]
    keys = [k for k in rows[0] if k != "id"]
    sets = ", ".join(f"n.{_quoted(k)} = r.{k}" for k in keys)
    new = [r for r in rows if r["id"] not in existing]
    old = [r for r in rows if r["id"] in existing]
    with graph.transaction():
        if new:
            graph.write(f"CREATE (n:{table} {{id: r.id}}) SET {sets}, n.discovered = r.updated", new, batch_size)
        if old:
            graph.write(f"MATCH (n:{table} {{id: r.id}}) SET {sets}, n.missing_since = NULL", old, batch_size)
        _status_tags(graph, table, items, batch_size)
    return len(rows)


def _status_tags(graph: Graph, table: str, items: Sequence[Item], batch_size: int) -> None:
    """``encrypted`` (a locked note) and ``original-missing`` (a photo whose file is not there):
    what the review lists find; they describe the record as last synced."""
    ids = [item.id for item in items]
    graph.execute(
        f"MATCH (n:{table})-[e:TAGGED]->(t:Tag) WHERE n.id IN $ids AND t.name IN $tags DELETE e",
        {"ids": ids, "tags": list(STATUS_TAGS)},
    )
    rows = []
    for item in items:
        if item.record.get("status") == "failed":
            rows.append({"id": item.id, "tag": "extract-failed", "why": str(item.record.get("error", "unreadable"))})
        if item.record.get("status") == "encrypted":
            rows.append({"id": item.id, "tag": "encrypted", "why": "password-protected: no text read"})
        if table == "Photo" and item.record.get("present") is False:
            where = item.record.get("path") or "a place km cannot see"
            rows.append({"id": item.id, "tag": "original-missing", "why": f"the original is not at {where}"})
    for name in {r["tag"] for r in rows}:
        graph.execute("MERGE (t:Tag {name: $name}) ON CREATE SET t.kind = 'status'", {"name": name})
    if rows:
        graph.write(
            f"MATCH (n:{table} {{id: r.id}}), (t:Tag {{name: r.tag}}) "
            "CREATE (n)-[:TAGGED {weight: 1.0, source: 'km', `primary`: false, why: r.why}]->(t)",
            rows,
            batch_size,
        )


def mark_missing(graph: Graph, table: str, ids: Iterable[str], batch_size: int) -> int:
    """Records gone from their source: status ``missing``, edges dropped, tags kept."""
    ids = list(ids)
    if not ids:
        return 0
    now = datetime.now(UTC)
    with graph.transaction():
        graph.write(
            f"MATCH (n:{table} {{id: r.id}}) SET n.status = 'missing', n.missing_since = r.now, n.related_hash = ''",
            [{"id": i, "now": now} for i in ids],
            batch_size,
        )
    drop_edges(graph, table, ids)
    return len(ids)


def drop_edges(graph: Graph, table: str, ids: Sequence[str]) -> None:
    # kuzu 0.11.3 deletes directed matches only: each direction on its own
    graph.execute(f"MATCH (a:{table})-[r:RELATED]->() WHERE a.id IN $ids DELETE r", {"ids": list(ids)})
    graph.execute(f"MATCH ()-[r:RELATED]->(a:{table}) WHERE a.id IN $ids DELETE r", {"ids": list(ids)})
