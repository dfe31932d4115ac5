"""Relating the weekly records: the same ``km_relate`` hooks as files, edges across node tables.

Notes are related again when their content changed. Events and photos are
related again every week: their links are to whatever else happened on their
day, and files and notes of that day keep arriving after the event was synced.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from km_core.api import Item, Relation
from km_core.run import Run
from km_core.steps_relate import RelateView
from km_core.store import Graph, open_graph
from km_core.store import relations as rel_store
from km_core.store.records import drop_edges, table_of
from km_core.store.tags import READ, RECORD_READ
from km_core.tagging import collection as collection_index
from km_core.tagging.topics import collection_path

log = logging.getLogger("km.relate")
BATCH = 500
ALWAYS = ("Event", "Photo")  # related again every run (see the module docstring)


class RecordView(RelateView):
    """The relate view, plus what links a short record (an event's summary) to items by words."""

    def containing(
        self, queries: dict[str, str], min_words: int, k: int
    ) -> dict[str, list[tuple[str, float, list[str]]]]:
        """For each query key: up to ``k`` files and notes holding its words (see Collection.containing)."""
        return self._collection.containing(queries, min_words, k)


def _needing(graph: Graph, table: str) -> list[Item]:
    where = RECORD_READ + " AND f.tagged_hash = f.extracted_hash"
    if table not in ALWAYS:
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
    ids = [item.id for item in items]
    drop_edges(graph, table, ids)
    groups: dict[tuple[str, str], list[tuple[Any, ...]]] = defaultdict(list)
    for r in relations:
        row = (r.source_id, r.target_id, r.kind, round(float(r.score), 4), r.why[:2000])
        groups[(table_of(r.source_id), table_of(r.target_id))].append(row)
    for pair, rows in groups.items():
        graph.copy_edges("RELATED", pair, rows)
    now = datetime.now(UTC)
    graph.write(
        f"MATCH (f:{table} {{id: r.id}}) SET f.related_hash = r.hash, f.updated = r.now",
        [{"id": item.id, "hash": item.hash, "now": now} for item in items],
        batch,
    )


def relate_records(run: Run, table: str) -> None:
    with open_graph(run.config, read_only=True) as graph:
        items = _needing(graph, table)
        known = present(graph)
    total = len(items)
    log.info("%d %s records to relate", total, table.lower())
    if run.options.dry_run or not items:
        return
    collection = collection_index.load(collection_path(run.config))
    done = 0
    for start in range(0, total, BATCH):
        chunk = items[start : start + BATCH]
        proposed: list[Relation] = []
        with open_graph(run.config, read_only=True) as graph:
            view = RecordView(graph, collection)
            for name, result in run.plugins.call_each("km_relate", items=chunk, graph=view, ctx=run.ctx):
                good = [r for r in result if isinstance(r, Relation)]
                if len(good) != len(result):
                    run.plugins.record_failure(
                        name, "km_relate", TypeError("returned something that is not a Relation")
                    )
                proposed += good
        mine = {item.id for item in chunk}
        # an edge is stored from this batch's record, so that relating it again replaces it
        edges = [
            r if r.source_id in mine else Relation(r.target_id, r.source_id, r.kind, r.score, r.why)
            for r in rel_store.unique(proposed, known)
            if r.source_id in mine or r.target_id in mine
        ]
        with open_graph(run.config) as graph:
            _save(graph, table, chunk, edges, run.config.jobs.batch_size)
        run.counts["related"] += len(chunk)
        run.counts["relations"] += len(edges)
        done += len(chunk)
        run.progress(done, total)
