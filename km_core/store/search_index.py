"""The full-text index over File names, titles and text.

Measured on kuzu 0.11.3: writing to a table that carries an FTS index gives
wrong query results and can crash the process (MERGE followed by SET
segfaults; inserts after the index exists are found by every query). So the
index is never maintained incrementally: the first write of a unit of work
drops it, and the end of a job builds it afresh from the committed data.
While it is absent, search falls back to a (slower) substring scan.
"""

from __future__ import annotations

import logging
import time

from km_core.store.graph import Graph

TABLE = "File"
NAME = "file_text"
COLUMNS = ["name", "title", "text"]

log = logging.getLogger("km.performance")


def exists(graph: Graph) -> bool:
    return any(row[1] == NAME for row in graph.rows("CALL SHOW_INDEXES() RETURN *"))


def invalidate(graph: Graph) -> None:
    """Drop the index before File rows change (outside any explicit transaction)."""
    if getattr(graph, "_search_index_dropped", False):
        return
    if exists(graph):
        graph.execute(f"CALL DROP_FTS_INDEX('{TABLE}', '{NAME}')")
    graph._search_index_dropped = True  # type: ignore[attr-defined]


def rebuild(graph: Graph) -> float:
    """Build the index if it is absent; return the seconds it took (0 if it was there)."""
    if exists(graph):
        return 0.0
    began = time.perf_counter()
    columns = ", ".join(f"'{c}'" for c in COLUMNS)
    graph.execute(f"CALL CREATE_FTS_INDEX('{TABLE}', '{NAME}', [{columns}])")
    took = time.perf_counter() - began
    log.info("search index rebuilt in %.2f s", took)
    return took
