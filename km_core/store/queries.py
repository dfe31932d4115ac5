"""Read-side queries the CLI (and later the dashboard) ask of the graph."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from km_core.store import search_index
from km_core.store.graph import Graph

SNIPPET = 160


def snippet(text: str, terms: list[str]) -> str:
    """A short window of ``text`` around the first search term found."""
    lowered = text.lower()
    positions = [p for p in (lowered.find(t.lower()) for t in terms if t) if p >= 0]
    start = max(min(positions) - SNIPPET // 3, 0) if positions else 0
    window = text[start : start + SNIPPET]
    window = re.sub(r"\s+", " ", window).strip()
    return ("…" if start else "") + window + ("…" if start + SNIPPET < len(text) else "")


def search(graph: Graph, text: str, limit: int = 20) -> list[dict[str, Any]]:
    """Ranked full-text search; a substring scan while the index is being rebuilt."""
    terms = re.findall(r"\w+", text)
    rows: list[list[Any]] = []
    index = search_index.current(graph)
    if index:
        rows = graph.rows(
            f"CALL QUERY_FTS_INDEX('File', '{index}', $q) "
            "WITH node AS f, score WHERE f.status <> 'missing' "
            "RETURN f.id, f.path, f.title, f.kind, f.text, score ORDER BY score DESC LIMIT $limit",
            {"q": text, "limit": limit},
        )
    if not rows and terms:  # no index yet, or only stop words ("hello" is one in kuzu's list)
        rows = graph.rows(
            "MATCH (f:File) WHERE f.status <> 'missing' "
            "AND all(t IN $terms WHERE lower(f.name + ' ' + f.title + ' ' + f.text) CONTAINS t) "
            "RETURN f.id, f.path, f.title, f.kind, f.text, 1.0 AS score ORDER BY f.path LIMIT $limit",
            {"terms": [t.lower() for t in terms], "limit": limit},
        )
    return [
        {
            "id": r[0],
            "path": r[1],
            "title": r[2],
            "kind": r[3],
            "score": round(r[5], 4),
            "snippet": snippet(r[4] or "", terms),
        }
        for r in rows
    ]


def find_item(graph: Graph, path_or_id: str) -> dict[str, Any] | None:
    candidates = [path_or_id]
    if "/" in path_or_id or Path(path_or_id).exists():
        candidates.append(str(Path(path_or_id).expanduser().resolve()))
    found = graph.dicts(
        "MATCH (f:File) WHERE f.id = $key OR f.path IN $paths RETURN f.* LIMIT 1",
        {"key": path_or_id, "paths": candidates},
    )
    if not found:
        # a path km moved the file away from still finds it
        moved = graph.rows(
            "MATCH (m:Move) WHERE m.old_path IN $paths RETURN m.item ORDER BY m.at DESC LIMIT 1", {"paths": candidates}
        )
        if moved:
            found = graph.dicts("MATCH (f:File) WHERE f.id = $key RETURN f.* LIMIT 1", {"key": moved[0][0]})
    if not found:
        return None
    item = {key.removeprefix("f."): value for key, value in found[0].items()}
    item["tags"] = graph.dicts(
        "MATCH (f:File {id: $id})-[e:TAGGED]->(t:Tag) "
        "RETURN t.name AS name, t.kind AS kind, e.weight AS weight, e.source AS source, "
        "e.`primary` AS `primary`, e.why AS why ORDER BY e.`primary` DESC, e.weight DESC, t.name",
        {"id": item["id"]},
    )
    item["entities"] = graph.dicts(
        "MATCH (f:File {id: $id})-[m:MENTIONS]->(e:Entity) "
        "RETURN e.name AS name, e.label AS label, m.count AS count ORDER BY m.count DESC, e.name",
        {"id": item["id"]},
    )
    item["related"] = graph.dicts(
        "MATCH (f:File {id: $id})-[r:RELATED]-(o:File) "
        "RETURN r.kind AS kind, r.score AS score, r.why AS why, o.id AS id, o.path AS path "
        "ORDER BY r.kind, r.score DESC, o.path LIMIT 100",
        {"id": item["id"]},
    )
    item["moves"] = graph.dicts(
        "MATCH (m:Move) WHERE m.item = $id RETURN m.id AS id, m.run AS run, m.at AS at, m.action AS action, "
        "m.old_path AS old_path, m.new_path AS new_path, m.reason AS reason ORDER BY m.at, m.id",
        {"id": item["id"]},
    )
    item["location"] = graph.scalar("MATCH (f:File {id: $id})-[:`IN`]->(l:Location) RETURN l.path", {"id": item["id"]})
    return item


def counts(graph: Graph) -> dict[str, int]:
    result: dict[str, int] = {}
    for status, number in graph.rows("MATCH (f:File) RETURN f.status, count(*)"):
        result[status or "unknown"] = number
    return result
