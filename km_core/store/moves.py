"""What the organize step reads from the graph and writes back: candidates, paths, move history."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from km_core.api import Item, Tag
from km_core.store.files import _changing, copy_staged, items_where, staged
from km_core.store.graph import Graph
from km_core.store.tags import READ, forget


def candidates(graph: Graph, under: str = "") -> list[tuple[Item, list[Tag]]]:
    """Tagged files, each with its tags, then every entity it mentions (kind entity, source 'mentions').

    Tagged means: for their current content, or before km moved them (a moved file is
    tagged again by the next tag step, for its new path, and keeps its tags until then).
    """
    where = (
        f"{READ} AND (coalesce(f.tagged_hash, '') = f.extracted_hash OR (coalesce(f.tagged_hash, '') = '' "
        "AND EXISTS { MATCH (f)-[e:TAGGED]->(:Tag) WHERE NOT e.source IN ['km', 'ocr'] }))"
    )
    items = items_where(graph, where, {}, under)
    if not items:
        return []
    ids = [item.id for item in items]
    tags: dict[str, list[Tag]] = {i: [] for i in ids}
    for item, name, kind, weight, source, primary, why in graph.rows(
        "MATCH (f:File)-[e:TAGGED]->(t:Tag) WHERE f.id IN $ids "
        "RETURN f.id, t.name, t.kind, e.weight, e.source, e.`primary`, e.why ORDER BY e.weight DESC",
        {"ids": ids},
    ):
        tags[item].append(Tag(name, kind, weight or 0.0, source, bool(primary), why or ""))
    for item, name, label, count in graph.rows(
        "MATCH (f:File)-[m:MENTIONS]->(e:Entity) WHERE f.id IN $ids "
        "RETURN f.id, e.name, e.label, m.count ORDER BY m.count DESC",
        {"ids": ids},
    ):
        known = {(t.name.casefold(), t.kind) for t in tags[item]}
        if (name.casefold(), "entity") not in known:
            tags[item].append(Tag(name, "entity", 0.0, "mentions", False, "", label, count or 0))
        else:
            for tag in tags[item]:
                if tag.kind == "entity" and tag.name.casefold() == name.casefold():
                    tag.label, tag.count = label, count or 0
    return [(item, tags[item.id]) for item in items]


def apply(graph: Graph, moves: Sequence[dict[str, Any]], batch_size: int) -> None:
    """Set each moved file's path (and root) and record its Move, in one unit of work.

    ``moves`` rows: id (the move), run, item, old_path, new_path, root, rule, reason,
    at, action, undoes. Applying the same rows again changes nothing.
    """
    if not moves:
        return
    _changing(graph)
    rows = [
        {"id": m["item"], "path": m["new_path"], "name": Path(m["new_path"]).name, "root": m["root"]} for m in moves
    ]
    with staged(graph, rows, batch_size):
        copy_staged(graph, rows[0])
        graph.execute(
            "MATCH (s:StageFile), (f:File)-[e:`IN`]->(l:Location) WHERE f.id = s.id AND l.path <> s.root DELETE e"
        )
        graph.execute(
            "MATCH (s:StageFile), (f:File), (l:Location) WHERE f.id = s.id AND l.path = s.root "
            "AND NOT EXISTS { MATCH (f)-[:`IN`]->(:Location) } CREATE (f)-[:`IN`]->(l)"
        )
    history = [
        {k: m[k] for k in ("id", "run", "item", "old_path", "new_path", "rule", "reason", "action", "undoes")}
        | {"at": m.get("date") or datetime.now(UTC).isoformat()}
        for m in moves
    ]
    with graph.transaction():
        graph.write(
            "MERGE (m:Move {id: r.id}) SET m.run = r.run, m.item = r.item, m.old_path = r.old_path, "
            "m.new_path = r.new_path, m.rule = r.rule, m.reason = r.reason, m.at = CAST(r.at AS TIMESTAMP), "
            "m.action = r.action, m.undoes = r.undoes",
            history,
            batch_size,
        )
        graph.write(
            "MATCH (f:File {id: r.item}), (m:Move {id: r.id}) WHERE NOT EXISTS { MATCH (f)-[:MOVED]->(m) } "
            "CREATE (f)-[:MOVED]->(m)",
            [{"item": h["item"], "id": h["id"]} for h in history],  # kuzu refuses unused parameters
            batch_size,
        )
    forget(graph, sorted({m["item"] for m in moves}), batch_size)


def ensure_locations(graph: Graph, roots: Sequence[str]) -> None:
    with graph.transaction():
        for root in roots:
            graph.execute(
                "MERGE (l:Location {path: $root}) ON CREATE SET l.name = $name, l.kind = 'root'",
                {"root": root, "name": Path(root).name},
            )


def moved_back(graph: Graph) -> set[str]:
    """Items the user moved back with ``km undo``: km leaves them where they are."""
    return {r[0] for r in graph.rows("MATCH (m:Move) WHERE m.action = 'undo' RETURN DISTINCT m.item")}
