"""Read-side queries the CLI (and later the dashboard) ask of the graph."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from km_core.store import search_index
from km_core.store.graph import Graph
from km_core.store.records import table_of

# How a weekly record is shown where a file shows its path
_LABEL = {
    "Note": "'note: ' + n.folder + '/' + n.title",
    "Event": "'event: ' + n.summary + ' (' + substring(cast(n.start AS STRING), 1, 16) + ')'",
    "Photo": "CASE WHEN n.path <> '' THEN n.path ELSE 'photo: ' + n.name END",
}
_RECORD_TITLE = {"Note": "n.title", "Event": "n.summary", "Photo": "coalesce(nullif(n.title, ''), n.name)"}

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
    hits = [
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
    hits += search_records(graph, terms, limit)
    hits.sort(key=lambda hit: (-hit["score"], hit["path"]))
    return hits[:limit]


def search_records(graph: Graph, terms: list[str], limit: int) -> list[dict[str, Any]]:
    """Notes, events and photos holding every term (a scan: these tables are small), scored by
    where each term is and how often, on about the scale of the full-text index's scores."""
    if not terms:
        return []
    lowered = [t.lower() for t in terms]
    hits = []
    for table, title in _RECORD_TITLE.items():
        rows = graph.rows(
            f"MATCH (n:{table}) WHERE n.status IN ['ok', 'encrypted'] "
            f"AND all(t IN $terms WHERE lower({title} + ' ' + n.text) CONTAINS t) "
            f"RETURN n.id, {_LABEL[table]}, {title}, n.text LIMIT $limit",
            {"terms": lowered, "limit": limit},
        )
        for item, label, name, text in rows:
            title_text, body = (name or "").lower(), (text or "").lower()
            # a word in the title counts 1, in the text up to 0.5 by how often (five times or more: all)
            found = sum((t in title_text) + 0.5 * min(body.count(t), 5) / 5 for t in lowered)
            score = found / len(lowered)
            hits.append(
                {
                    "id": item,
                    "path": label or item,
                    "title": name or "",
                    "kind": table.lower(),
                    "score": round(score, 4),
                    "snippet": snippet(text or "", terms),
                }
            )
    return hits


def find_record(graph: Graph, key: str) -> dict[str, Any] | None:
    """A note, event or photo by id (or a photo by the path of its original), with its tags,
    entities and related items of every kind."""
    table = table_of(key)
    if table == "File":
        found = graph.dicts("MATCH (n:Photo) WHERE n.path = $key RETURN n.* LIMIT 1", {"key": key})
        table = "Photo"
    else:
        found = graph.dicts(f"MATCH (n:{table}) WHERE n.id = $key RETURN n.* LIMIT 1", {"key": key})
    if not found:
        return None
    item = {k.removeprefix("n."): v for k, v in found[0].items()}
    item["kind"] = table.lower() if table != "Photo" else item.get("kind") or "photo"
    item["table"] = table
    item["path"] = item.get("path") or graph.scalar(
        f"MATCH (n:{table} {{id: $id}}) RETURN {_LABEL[table]}", {"id": item["id"]}
    )
    _attach(graph, item, table)
    item["moves"] = []
    return item


def _attach(graph: Graph, item: dict[str, Any], table: str) -> None:
    """Tags, entities and related items (of every node table) of one item."""
    item["tags"] = graph.dicts(
        f"MATCH (f:{table} {{id: $id}})-[e:TAGGED]->(t:Tag) "
        "RETURN t.name AS name, t.kind AS kind, e.weight AS weight, e.source AS source, "
        "e.`primary` AS `primary`, e.why AS why ORDER BY e.`primary` DESC, e.weight DESC, t.name",
        {"id": item["id"]},
    )
    item["entities"] = graph.dicts(
        f"MATCH (f:{table} {{id: $id}})-[m:MENTIONS]->(e:Entity) "
        "RETURN e.name AS name, e.label AS label, m.count AS count ORDER BY m.count DESC, e.name",
        {"id": item["id"]},
    )
    related = []
    for other in ("File", "Note", "Event", "Photo"):
        shown = "o.path" if other == "File" else _LABEL[other].replace("n.", "o.")
        related += graph.dicts(
            f"MATCH (f:{table} {{id: $id}})-[r:RELATED]-(o:{other}) "
            f"RETURN r.kind AS kind, r.score AS score, r.why AS why, o.id AS id, {shown} AS path",
            {"id": item["id"]},
        )
    item["related"] = sorted(related, key=lambda r: (r["kind"], -(r["score"] or 0), r["path"] or ""))[:100]


def find_item(graph: Graph, path_or_id: str) -> dict[str, Any] | None:
    if table_of(path_or_id) != "File":
        return find_record(graph, path_or_id)
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
        return find_record(graph, str(Path(path_or_id).expanduser().resolve()))
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
