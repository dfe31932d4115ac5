"""Relating the weekly records: the same ``km_relate`` hooks as files, edges across node tables.

A record is related again when its content changed, and all records of a table
are when the items only they link to changed since they were last related
(``DEPENDS``): an event's links are to whatever else happened on its day, and
files of that day keep arriving after the event was synced; a new file may be
similar to last month's note.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from km_core.api import Item, Relation
from km_core.run import Run
from km_core.steps_relate import RelateView, propose
from km_core.store import Graph, open_graph
from km_core.store import relations as rel_store
from km_core.store.records import drop_edges, table_of
from km_core.store.tags import READ, RECORD_READ
from km_core.tagging import collection as collection_index
from km_core.tagging.topics import collection_path

log = logging.getLogger("km.relate")
# Records related in one pass: the timeline and the plugins' lookups are built once per pass
BATCH = 5000


class RecordView(RelateView):
    """The relate view, plus what links a short record (an event's summary) to items by words."""

    def containing(
        self, queries: dict[str, str], min_words: int, k: int
    ) -> dict[str, list[tuple[str, float, list[str]]]]:
        """For each query key: up to ``k`` files and notes holding its words (see Collection.containing)."""
        return self._collection.containing(queries, min_words, k)


def _stamp_key(table: str) -> str:
    return f"related_at:{table}"


# Whose changes oblige a table's records to be related again: the items only its side links to.
# Files are linked to events and photos from their side only; notes link themselves to events and
# photos of their time (moment links), but an event's words in a note are found from the event's side.
# The daily job links files to files only, so notes are related again when files changed too.
DEPENDS = {"Event": ("File", "Note"), "Photo": ("File",), "Note": ("File",)}


def _changed_since(graph: Graph, table: str) -> bool:
    """Did an item it depends on change since ``table``'s records were last related (or never)?"""
    last = graph.scalar("MATCH (m:Meta {key: $k}) RETURN m.value", {"k": _stamp_key(table)})
    if not last:
        return True
    when = datetime.fromisoformat(last)
    for other in DEPENDS.get(table, ()):
        hit = graph.rows(
            f"MATCH (n:{other}) WHERE n.updated > $t OR n.missing_since > $t RETURN n.id LIMIT 1", {"t": when}
        )
        if hit:
            return True
    return False


def _needing(graph: Graph, table: str) -> list[Item]:
    where = RECORD_READ + " AND f.tagged_hash = f.extracted_hash"
    if table not in DEPENDS or not _changed_since(graph, table):
        where += " AND coalesce(f.related_hash, '') <> f.tagged_hash"
    rows = graph.rows(f"MATCH (f:{table}) WHERE {where} RETURN f.id, f.tagged_hash, f.source ORDER BY f.id")
    kind = table.lower()
    return [Item(path=r[0], id=r[0], hash=r[1], source=r[2], kind=kind) for r in rows]


def present(graph: Graph) -> set[str]:
    """Every item an edge may end at: files read, and records not missing."""
    ids = {r[0] for r in graph.rows(f"MATCH (f:File) WHERE {READ} RETURN f.id")}
    for table in ("Note", "Event", "Photo"):
        ids |= {r[0] for r in graph.rows(f"MATCH (f:{table}) WHERE {RECORD_READ} RETURN f.id")}
    return ids


def _save(graph: Graph, table: str, items: Sequence[Item], relations: Sequence[Relation], batch: int) -> None:
    groups: dict[tuple[str, str], list[tuple[Any, ...]]] = defaultdict(list)
    for r in relations:
        row = (r.source_id, r.target_id, r.kind, round(float(r.score), 4), r.why[:2000])
        groups[(table_of(r.source_id), table_of(r.target_id))].append(row)
    for pair, rows in groups.items():
        graph.copy_edges("RELATED", pair, rows)
    # not `updated`: relating is not a change others must react to (see _changed_since)
    graph.write(
        f"MATCH (f:{table} {{id: r.id}}) SET f.related_hash = r.hash",
        [{"id": item.id, "hash": item.hash} for item in items],
        batch,
    )


def relate_records(run: Run, table: str) -> None:
    began = datetime.now(UTC)
    with open_graph(run.config, read_only=True) as graph:
        items = _needing(graph, table)
        known = present(graph)
    total = len(items)
    log.info("%d %s records to relate", total, table.lower())
    if run.options.dry_run or not items:
        return
    collection = collection_index.load(collection_path(run.config))
    with open_graph(run.config) as graph:
        # all at once, before any is related again: a later batch must not remove what an
        # earlier one wrote to it
        drop_edges(graph, table, [item.id for item in items])
    written: set[tuple[str, str, str]] = set()
    done = 0
    for start in range(0, total, BATCH):
        chunk = items[start : start + BATCH]
        with open_graph(run.config, read_only=True) as graph:
            proposed = propose(run, chunk, RecordView(graph, collection))
        mine = {item.id for item in chunk}
        edges = []
        for r in rel_store.unique(proposed, known):
            key = (*sorted((r.source_id, r.target_id)), r.kind)
            if key in written or not (r.source_id in mine or r.target_id in mine):
                continue
            written.add(key)  # type: ignore[arg-type]
            # stored from this table's record, so that relating it again finds and replaces it
            mirrored = r.source_id not in mine
            edges.append(Relation(r.target_id, r.source_id, r.kind, r.score, r.why) if mirrored else r)
        with open_graph(run.config) as graph:
            _save(graph, table, chunk, edges, run.config.jobs.batch_size)
        run.counts["related"] += len(chunk)
        run.counts["relations"] += len(edges)
        done += len(chunk)
        run.progress(done, total)
    with open_graph(run.config) as graph:
        graph.execute("MERGE (m:Meta {key: $k}) SET m.value = $v", {"k": _stamp_key(table), "v": began.isoformat()})
