"""RELATED edges: which items need relating, and writing their edges without duplicates."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from km_core.api import Item, Relation
from km_core.store.files import _changing, items_where, update_files
from km_core.store.graph import Graph
from km_core.store.tags import READ


def needing(graph: Graph, under: str = "") -> list[Item]:
    """Tagged items whose edges were not computed for their current content."""
    where = f"{READ} AND f.tagged_hash = f.extracted_hash AND coalesce(f.related_hash, '') <> f.tagged_hash"
    return items_where(graph, where, {}, under)


def hashes(graph: Graph, ids: Sequence[str]) -> dict[str, str]:
    return dict(graph.rows("MATCH (f:File) WHERE f.id IN $ids RETURN f.id, f.tagged_hash", {"ids": list(ids)}))


def unique(relations: Sequence[Relation], known: set[str]) -> list[Relation]:
    """One edge per pair and kind (the stronger one), both ends known items, never an item to itself."""
    best: dict[tuple[str, str, str], Relation] = {}
    for rel in relations:
        if rel.source_id == rel.target_id or rel.source_id not in known or rel.target_id not in known:
            continue
        a, b = sorted((rel.source_id, rel.target_id))
        key = (a, b, rel.kind)
        if key not in best or rel.score > best[key].score:
            best[key] = rel
    return list(best.values())


def save(graph: Graph, ids: Sequence[str], relations: Sequence[Relation], done: dict[str, str], batch: int) -> None:
    """Replace every RELATED edge of ``ids`` with ``relations``; mark them related as of ``done`` (id -> hash)."""
    _delete_edges(graph, ids)
    rows = [(r.source_id, r.target_id, r.kind, round(float(r.score), 4), r.why[:2000]) for r in relations]
    graph.copy_edges("RELATED", ("File", "File"), rows)
    if done:
        _changing(graph)
        now = datetime.now(UTC)
        update_files(graph, [{"id": i, "related_hash": h, "updated": now} for i, h in done.items()], batch)


def _delete_edges(graph: Graph, ids: Sequence[str]) -> None:
    # kuzu 0.11.3 deletes directed matches only: each direction on its own
    graph.execute("MATCH (a:File)-[r:RELATED]->(:File) WHERE a.id IN $ids DELETE r", {"ids": list(ids)})
    graph.execute("MATCH (:File)-[r:RELATED]->(a:File) WHERE a.id IN $ids DELETE r", {"ids": list(ids)})


def missing_with_edges(graph: Graph) -> list[str]:
    """Items that are gone but may still have edges (or a place in the collection index)."""
    query = "MATCH (f:File) WHERE f.status = 'missing' AND coalesce(f.related_hash, '') <> '' RETURN f.id"
    return [r[0] for r in graph.rows(query)]


def drop_edges(graph: Graph, gone: Sequence[str]) -> None:
    """Remove the edges of items that are gone (also those to notes, events and photos)."""
    from km_core.store.records import drop_edges as drop_all

    drop_all(graph, "File", gone)
    _changing(graph)
    update_files(graph, [{"id": i, "related_hash": ""} for i in gone], 5000)


def present(graph: Graph) -> set[str]:
    return {r[0] for r in graph.rows(f"MATCH (f:File) WHERE {READ} RETURN f.id")}


def items_of(graph: Graph, ids: Sequence[str]) -> list[Item]:
    return items_where(graph, "f.id IN $ids", {"ids": list(ids)})
