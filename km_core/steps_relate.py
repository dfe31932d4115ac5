"""The relate step: edges between each new or changed item and the rest of the collection.

Every ``km_relate`` implementation gets a batch of items and a read-only view
of the graph (Cypher reads, and the collection index's similar items); the
engine keeps one edge per pair and kind, replaces the batch's old edges and
drops the edges of items that are gone.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from km_core.api import Item, Relation
from km_core.run import Run
from km_core.store import Graph, open_graph
from km_core.store import relations as rel_store
from km_core.tagging import collection as collection_index
from km_core.tagging.topics import changing, collection_path

log = logging.getLogger("km.tag")
BATCH = 500


class RelateView:
    """What a ``km_relate`` implementation may look at: read-only queries and similar items."""

    def __init__(self, graph: Graph, collection: collection_index.Collection) -> None:
        self._graph = graph
        self._collection = collection

    def rows(self, query: str, params: dict[str, Any] | None = None) -> list[list[Any]]:
        return self._graph.rows(query, params)

    def similar(self, ids: Sequence[str], k: int, threshold: float) -> dict[str, list[tuple[str, float, list[str]]]]:
        """For each id with text: up to ``k`` (other id, TF-IDF cosine, the words they share most)."""
        return self._collection.neighbours(ids, k, threshold)


def propose(run: Run, items: Sequence[Item], view: RelateView) -> list[Relation]:
    """Every ``km_relate`` implementation's edges for these items; a wrong answer is a plugin failure."""
    proposed: list[Relation] = []
    for name, result in run.plugins.call_each("km_relate", items=items, graph=view, ctx=run.ctx):
        good = [r for r in result if isinstance(r, Relation)]
        if len(good) != len(result):
            run.plugins.record_failure(name, "km_relate", TypeError("returned something that is not a Relation"))
        proposed += good
    return proposed


def step_relate(run: Run) -> None:
    with open_graph(run.config, read_only=True) as graph:
        items = rel_store.needing(graph, run.scope)
        known = rel_store.present(graph)
        gone = rel_store.missing_with_edges(graph)
    total = len(items)
    log.info("%d items to relate", total)
    if run.options.dry_run:
        run.counts["relate_planned"] = total
        return
    if gone:  # a write transaction (and its checkpoint) only when there is something to drop
        with open_graph(run.config) as graph:
            rel_store.drop_edges(graph, gone)
        with changing(run.config):
            collection = collection_index.load(collection_path(run.config))
            collection.remove(gone)
            collection.save(collection_path(run.config))
        log.info("edges of %d missing items removed", len(gone))
    collection = collection_index.load(collection_path(run.config))
    done = 0
    for start in range(0, total, BATCH):
        chunk = items[start : start + BATCH]
        ids = [item.id for item in chunk]
        with open_graph(run.config, read_only=True) as graph:
            proposed = propose(run, chunk, RelateView(graph, collection))
            hashes = rel_store.hashes(graph, ids)
        edges = rel_store.unique(proposed, known)
        with open_graph(run.config) as graph:
            rel_store.save(graph, ids, edges, hashes, run.config.jobs.batch_size)
        run.counts["related"] += len(chunk)
        run.counts["relations"] += len(edges)
        done += len(chunk)
        run.progress(done, total)
