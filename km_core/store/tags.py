"""Tags and entities in the graph: what the tag step reads and writes.

The tag step owns the TAGGED edges whose source is one of its taggers; edges
from the user (``manual``), from the OCR step (``ocr``) and status tags
(``km``) belong to others and are never touched here.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from km_core.api import Content, Item, Tag
from km_core.store.files import _changing, copy_staged, items_where, staged, update_files
from km_core.store.graph import Graph
from km_core.store.records import TITLE, table_of
from km_core.tagging import TYPES
from km_core.tagging.merge import Kept, Merged, entity_id

NOT_OURS = ("manual", "ocr", "km")
READ = "f.status IN ['ok', 'empty', 'encrypted'] AND coalesce(f.extracted_hash, '') <> ''"
RECORD_READ = "f.status IN ['ok', 'encrypted'] AND coalesce(f.extracted_hash, '') <> ''"
# what a record's tagger reads besides its text: the title and the record's own dates
_RECORD_DATES = {
    "Note": ("f.created", "f.modified"),
    "Event": ("f.start", "f.`end`"),
    "Photo": ("f.taken", "f.modified"),
}


def needing(graph: Graph, under: str = "") -> list[Item]:
    """Items whose current content has been read but not tagged, or whose taggers failed last time."""
    where = f"{READ} AND (coalesce(f.tagged_hash, '') <> f.extracted_hash OR coalesce(f.tag_pending, '') <> '')"
    return items_where(graph, where, {}, under)


def tagged_items(graph: Graph) -> list[Item]:
    return items_where(graph, f"{READ} AND coalesce(f.tagged_hash, '') = f.extracted_hash", {})


def contents(graph: Graph, ids: Sequence[str], table: str = "File") -> dict[str, Content]:
    if table != "File":
        return record_contents(graph, ids, table)
    rows = graph.rows(
        "MATCH (f:File) WHERE f.id IN $ids RETURN f.id, f.text, f.title, f.author, f.created, f.modified, "
        "f.pages, f.words, f.status, f.extractor, f.kind, f.extracted_hash",
        {"ids": list(ids)},
    )
    return {
        r[0]: Content(
            text=r[1] or "",
            title=r[2] or "",
            author=r[3] or "",
            created=r[4],
            modified=r[5],
            pages=r[6] or 0,
            words=r[7] or 0,
            status=r[8] or "ok",
            extractor=r[9] or "",
            metadata={"kind": r[10] or "", "extracted_hash": r[11] or ""},
        )
        for r in rows
    }


def texts(graph: Graph, ids: Sequence[str] | None = None, chars: int = 20_000) -> list[tuple[str, str]]:
    """(id, the head of its text) of tagged items with text (files and notes), or of ``ids``."""
    found: list[tuple[str, str]] = []
    for table, read in (("File", READ), ("Note", RECORD_READ)):
        where = f"{read} AND size(f.text) > 0"
        params: dict[str, Any] = {"chars": chars}
        if ids is not None:
            where += " AND f.id IN $ids"
            params["ids"] = list(ids)
        query = f"MATCH (f:{table}) WHERE {where} RETURN f.id, substring(f.text, 1, $chars)"
        found += [(r[0], r[1]) for r in graph.rows(query, params)]
    return found


def text_signature(graph: Graph) -> str:
    """Changes whenever the set of items with text, or any one's content, changes: what the
    topics were fitted on (the weekly refit is skipped while it stays the same)."""
    import hashlib

    rows: list[list[Any]] = []
    for table, read in (("File", READ), ("Note", RECORD_READ)):
        rows += graph.rows(f"MATCH (f:{table}) WHERE {read} AND size(f.text) > 0 RETURN f.id, f.extracted_hash")
    digest = hashlib.sha1()
    for item, content in sorted(rows):
        digest.update(f"{item}\x1f{content}\x1e".encode())
    return digest.hexdigest()


def kept(graph: Graph, ids: Sequence[str], table: str = "File") -> dict[str, list[Kept]]:
    """The tags of these items that the tag step does not own."""
    found: dict[str, list[Kept]] = {}
    for item, name, kind, source, primary in graph.rows(
        f"MATCH (f:{table})-[e:TAGGED]->(t:Tag) WHERE f.id IN $ids AND e.source IN $sources "
        "RETURN f.id, t.name, t.kind, e.source, e.`primary`",
        {"ids": list(ids), "sources": list(NOT_OURS)},
    ):
        found.setdefault(item, []).append(Kept(name, kind, source, bool(primary)))
    return found


def confirmed_types(graph: Graph, chars: int = 20_000) -> list[tuple[str, str]]:
    """(text, type) of items whose type the user set: what the learned classifier trains on."""
    return [
        (r[0], r[1])
        for r in graph.rows(
            "MATCH (f:File)-[e:TAGGED]->(t:Tag) WHERE e.source = 'manual' AND t.kind = 'type' AND size(f.text) > 0 "
            "RETURN substring(f.text, 1, $chars), t.name",
            {"chars": chars},
        )
    ]


def save(
    graph: Graph,
    results: Sequence[tuple[Item, Merged, str, str]],
    batch_size: int,
    lang: dict[str, str],
    table: str = "File",
) -> None:
    """Replace the tag step's tags and entities of these items; (item, merged, tagged hash, pending)."""
    if not results:
        return
    if table != "File":
        _save_records(graph, results, batch_size, lang, table)
        return
    _changing(graph)
    now = datetime.now(UTC)
    rows = [
        {
            "id": item.id,
            "tagged_hash": tagged_hash,
            "doc_type": merged.doc_type,
            "tag_pending": pending,
            "lang": lang.get(item.id, ""),
            "updated": now,
        }
        for item, merged, tagged_hash, pending in results
    ]
    with staged(graph, rows, batch_size):
        graph.execute(
            "MATCH (s:StageFile), (f:File)-[e:TAGGED]->(:Tag) WHERE f.id = s.id AND NOT e.source IN $kept DELETE e",
            {"kept": list(NOT_OURS)},
        )
        graph.execute("MATCH (s:StageFile), (f:File)-[m:MENTIONS]->(:Entity) WHERE f.id = s.id DELETE m")
        copy_staged(graph, rows[0])
        write_tags(graph, [(item.id, tag) for item, merged, _, _ in results for tag in merged.tags], batch_size)
        _write_entities(graph, [(item.id, e) for item, merged, _, _ in results for e in merged.entities], batch_size)


def write_tags(graph: Graph, pairs: Sequence[tuple[str, Tag]], batch_size: int, table: str = "File") -> None:
    if not pairs:
        return
    kinds: dict[str, str] = {}
    for _, tag in pairs:
        kinds.setdefault(tag.name, "type" if tag.name in TYPES and tag.kind == "type" else tag.kind)
    graph.write(
        "MERGE (t:Tag {name: r.name}) ON CREATE SET t.kind = r.kind",
        [{"name": n, "kind": k} for n, k in kinds.items()],
        batch_size,
    )
    graph.write(
        f"MATCH (f:{table} {{id: r.id}}), (t:Tag {{name: r.name}}) "
        "CREATE (f)-[:TAGGED {weight: r.weight, source: r.source, `primary`: r.primary, why: r.why}]->(t)",
        [_edge(item, tag) for item, tag in pairs],
        batch_size,
    )


def _edge(item: str, tag: Tag) -> dict[str, Any]:
    return {
        "id": item,
        "name": tag.name,
        "weight": float(tag.weight),
        "source": tag.source,
        "primary": bool(tag.primary),
        "why": tag.why[:2000],
    }


def _write_entities(graph: Graph, pairs: Sequence[tuple[str, Tag]], batch_size: int, table: str = "File") -> None:
    if not pairs:
        return
    nodes = {entity_id(e.label, e.name): (e.name, e.label) for _, e in pairs}
    graph.write(
        "MERGE (e:Entity {id: r.id}) ON CREATE SET e.name = r.name, e.label = r.label",
        [{"id": k, "name": n, "label": label} for k, (n, label) in nodes.items()],
        batch_size,
    )
    graph.write(
        f"MATCH (f:{table} {{id: r.item}}), (e:Entity {{id: r.entity}}) CREATE (f)-[:MENTIONS {{count: r.count}}]->(e)",
        [{"item": i, "entity": entity_id(e.label, e.name), "count": e.count} for i, e in pairs],
        batch_size,
    )


def replace_source(graph: Graph, source: str, pairs: Sequence[tuple[str, Tag]], batch_size: int) -> None:
    """All of one source's tags at once (the weekly topic refit): old edges out, new in, orphans gone."""
    graph.execute("MATCH ()-[e:TAGGED]->(:Tag) WHERE e.source = $source DELETE e", {"source": source})
    by_table: dict[str, list[tuple[str, Tag]]] = {}
    for item, tag in pairs:
        by_table.setdefault(table_of(item), []).append((item, tag))
    for table, some in by_table.items():
        write_tags(graph, some, batch_size, table)
    graph.execute("MATCH (t:Tag) WHERE t.kind = 'topic' AND NOT EXISTS { MATCH ()-[:TAGGED]->(t) } DELETE t")


def set_manual(graph: Graph, item: str, names: Sequence[str], remove: bool = False) -> list[dict[str, Any]]:
    """The user's own tags on one item: added (a type name sets the item's type) or removed.

    The item is marked for tagging again, so the next run lets the automatic tags
    give way (a manual type replaces the automatic one and teaches the classifier).
    """
    from km_core.tagging.merge import tag_name

    changed = []
    with graph.transaction():
        for raw in names:
            name = tag_name(raw)
            kind = "type" if name in TYPES else "manual"
            if remove:
                graph.execute(
                    "MATCH (f:File {id: $id})-[e:TAGGED]->(t:Tag {name: $name}) WHERE e.source = 'manual' DELETE e",
                    {"id": item, "name": name},
                )
            else:
                if kind == "type":  # one type per item: the user's latest word
                    graph.execute(
                        "MATCH (f:File {id: $id})-[e:TAGGED]->(t:Tag) WHERE e.source = 'manual' AND t.kind = 'type' "
                        "DELETE e",
                        {"id": item},
                    )
                graph.execute(
                    "MATCH (f:File {id: $id})-[e:TAGGED]->(t:Tag {name: $name}) DELETE e", {"id": item, "name": name}
                )
                graph.execute("MERGE (t:Tag {name: $name}) ON CREATE SET t.kind = $kind", {"name": name, "kind": kind})
                graph.execute(
                    "MATCH (f:File {id: $id}), (t:Tag {name: $name}) "
                    "CREATE (f)-[:TAGGED {weight: 1.0, source: 'manual', `primary`: true, why: $why}]->(t)",
                    {"id": item, "name": name, "why": f"set by you with `km tag` on {datetime.now(UTC):%Y-%m-%d}"},
                )
            changed.append({"name": name, "kind": kind, "removed": remove})
    _changing(graph)
    graph.execute("MATCH (f:File {id: $id}) SET f.tagged_hash = ''", {"id": item})
    return changed


def count_texts(graph: Graph) -> int:
    return int(graph.scalar(f"MATCH (f:File) WHERE {READ} AND size(f.text) > 0 RETURN count(*)") or 0)


def forget(graph: Graph, ids: Sequence[str], batch_size: int) -> None:
    """Tag and relate these items again: their path changed (path rules, folders of cross-domain links)."""
    if ids:
        _changing(graph)
        update_files(graph, [{"id": i, "tagged_hash": "", "related_hash": ""} for i in ids], batch_size)


def needing_records(graph: Graph, table: str) -> list[Item]:
    """Records whose current content has not been tagged, or whose taggers failed last time."""
    rows = graph.rows(
        f"MATCH (f:{table}) WHERE {RECORD_READ} AND (coalesce(f.tagged_hash, '') <> f.extracted_hash "
        "OR coalesce(f.tag_pending, '') <> '') RETURN f.id, f.hash, f.source, f.status ORDER BY f.id"
    )
    kind = table.lower()
    return [Item(path=r[0], id=r[0], hash=r[1], source=r[2], status=r[3], kind=kind) for r in rows]


def record_contents(graph: Graph, ids: Sequence[str], table: str) -> dict[str, Content]:
    created, modified = _RECORD_DATES[table]
    own = "f.hashtags" if table == "Note" else "f.keywords" if table == "Photo" else "f.attendees"
    rows = graph.rows(
        f"MATCH (f:{table}) WHERE f.id IN $ids RETURN f.id, f.text, {TITLE[table].replace('n.', 'f.')}, "
        f"{created}, {modified}, f.status, f.extracted_hash, {own}",
        {"ids": list(ids)},
    )
    return {
        r[0]: Content(
            text=r[1] or "",
            title=r[2] or "",
            created=r[3],
            modified=r[4],
            words=len((r[1] or "").split()),
            status=r[5] or "ok",
            # the record's own labels (a note's #hashtags, a photo's keywords, an event's attendees),
            # for the source's tagger; joined by newlines
            metadata={"kind": table.lower(), "extracted_hash": r[6] or "", "labels": "\n".join(r[7] or [])},
        )
        for r in rows
    }


def _save_records(
    graph: Graph, results: Sequence[tuple[Item, Merged, str, str]], batch_size: int, lang: dict[str, str], table: str
) -> None:
    """``save`` for the record tables: old edges out and the nodes they need in (one transaction),
    the new edges by COPY FROM (3,514 records: 4.3 s as UNWIND with a MATCH per edge, ~1 s so),
    and only then the items marked tagged, so that a stop in between tags them again next run."""
    ids = [item.id for item, *_ in results]
    pairs = [(item.id, tag) for item, merged, _, _ in results for tag in merged.tags]
    entities = [(item.id, e) for item, merged, _, _ in results for e in merged.entities]
    kinds: dict[str, str] = {}
    for _, tag in pairs:
        kinds.setdefault(tag.name, "type" if tag.name in TYPES and tag.kind == "type" else tag.kind)
    nodes = {entity_id(e.label, e.name): (e.name, e.label) for _, e in entities}
    with graph.transaction():
        graph.execute(
            f"MATCH (f:{table})-[e:TAGGED]->(:Tag) WHERE f.id IN $ids AND NOT e.source IN $kept DELETE e",
            {"ids": ids, "kept": list(NOT_OURS)},
        )
        graph.execute(f"MATCH (f:{table})-[m:MENTIONS]->(:Entity) WHERE f.id IN $ids DELETE m", {"ids": ids})
        if kinds:
            graph.write(
                "MERGE (t:Tag {name: r.name}) ON CREATE SET t.kind = r.kind",
                [{"name": n, "kind": k} for n, k in kinds.items()],
                batch_size,
            )
        if nodes:
            graph.write(
                "MERGE (e:Entity {id: r.id}) ON CREATE SET e.name = r.name, e.label = r.label",
                [{"id": k, "name": n, "label": label} for k, (n, label) in nodes.items()],
                batch_size,
            )
    graph.copy_edges(
        "TAGGED",
        (table, "Tag"),
        [(i, t.name, float(t.weight), t.source, bool(t.primary), t.why[:2000]) for i, t in pairs],
    )
    graph.copy_edges("MENTIONS", (table, "Entity"), [(i, entity_id(e.label, e.name), e.count) for i, e in entities])
    graph.write(
        f"MATCH (f:{table} {{id: r.id}}) SET f.tagged_hash = r.tagged_hash, f.doc_type = r.doc_type, "
        "f.tag_pending = r.tag_pending, f.lang = r.lang",
        [
            {
                "id": item.id,
                "tagged_hash": tagged_hash,
                "doc_type": merged.doc_type,
                "tag_pending": pending,
                "lang": lang.get(item.id, ""),
            }
            for item, merged, tagged_hash, pending in results
        ],
        batch_size,
    )
