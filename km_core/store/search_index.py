"""The full-text index over File names, titles and text.

Measured on kuzu 0.11.3: writing to a table that carries an FTS index gives
wrong query results and can crash the process (MERGE followed by SET
segfaults; inserts after the index exists are found by every query). So the
index is never maintained incrementally: the first write of a unit of work
drops it, and the end of a job builds it afresh from the committed data.
While it is absent, search falls back to a (slower) substring scan.

A kill in the middle of CREATE_FTS_INDEX leaves internal tables behind under
the index's name that neither DROP_FTS_INDEX nor DROP TABLE can remove, so a
rebuild that finds its name taken moves on to a new one (``file_text_2``, …),
remembered in ``Meta {key: 'search_index'}``.
"""

from __future__ import annotations

import logging
import time

from km_core.store.graph import Graph

TABLE = "File"
BASE_NAME = "file_text"
COLUMNS = ["name", "title", "text"]

log = logging.getLogger("km.performance")


def current(graph: Graph) -> str:
    """The name of the live index, or '' when there is none."""
    names = {row[1] for row in graph.rows("CALL SHOW_INDEXES() RETURN *") if row[0] == TABLE}
    for name in names:
        if name == BASE_NAME or name.startswith(BASE_NAME + "_"):
            return name
    return ""


def exists(graph: Graph) -> bool:
    return bool(current(graph))


def invalidate(graph: Graph) -> None:
    """Drop the index before File rows change (outside any explicit transaction)."""
    name = current(graph)
    if name:
        graph.execute(f"CALL DROP_FTS_INDEX('{TABLE}', '{name}')")


def _next_name(graph: Graph) -> str:
    value = graph.scalar("MATCH (m:Meta {key: 'search_index'}) RETURN m.value") or BASE_NAME
    number = int(value.rsplit("_", 1)[1]) if value != BASE_NAME else 1
    return f"{BASE_NAME}_{number + 1}"


def rebuild(graph: Graph) -> float:
    """Build the index if it is absent; return the seconds it took (0 if it was there)."""
    if exists(graph):
        return 0.0
    began = time.perf_counter()
    name = graph.scalar("MATCH (m:Meta {key: 'search_index'}) RETURN m.value") or BASE_NAME
    columns = ", ".join(f"'{c}'" for c in COLUMNS)
    try:
        graph.execute(f"CALL CREATE_FTS_INDEX('{TABLE}', '{name}', [{columns}])")
    except RuntimeError as exc:
        if "already exists" not in str(exc):
            raise
        name = _next_name(graph)
        log.warning("search index name taken by what an interrupted rebuild left; building %s", name)
        graph.execute(f"CALL CREATE_FTS_INDEX('{TABLE}', '{name}', [{columns}])")
    graph.execute("MERGE (m:Meta {key: 'search_index'}) SET m.value = $v", {"v": name})
    took = time.perf_counter() - began
    log.info("search index %s rebuilt in %.2f s", name, took)
    return took
