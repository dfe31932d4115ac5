"""Monthly graph maintenance: check, back up, repair, checkpoint.

1. Integrity, read-only: present files that share a path, present files whose
   file is gone from the disk (the daily job marks them; here they are counted),
   tags and entities nothing points at, items missing past the grace period.
2. A backup of the graph before any repair (the same backup a good job makes).
3. Repairs: items missing for longer than ``orphan_grace_days`` are removed with
   their edges (their Move history stays), then tags and entities left without
   an item; duplicate present paths keep their most recently updated row.
4. CHECKPOINT, so the file holds everything and the WAL is empty.

The full-text index is rebuilt after the job by the runner, as after every job
that changed the graph. What was found and done is in the run's counts and notes.
"""

from __future__ import annotations

import logging
import os
from datetime import UTC, datetime, timedelta

from km_core.run import Run
from km_core.store import backup, open_graph
from km_core.store.graph import Graph, size_on_disk
from km_core.store.schema import ITEM_TABLES

log = logging.getLogger("km.maintenance")


def inspect(graph: Graph, grace: timedelta, now: datetime) -> dict[str, int | list[str]]:
    before = now - grace
    orphans = 0
    for table in ITEM_TABLES:
        orphans += graph.rows(
            f"MATCH (n:{table}) WHERE n.status = 'missing' AND n.missing_since < $before RETURN count(*)",
            {"before": before},
        )[0][0]
    duplicates = graph.rows(
        "MATCH (f:File) WHERE f.status <> 'missing' WITH f.path AS path, count(*) AS n WHERE n > 1 RETURN path"
    )
    gone = [
        path
        for (path,) in graph.rows("MATCH (f:File) WHERE f.status <> 'missing' RETURN f.path")
        if not os.path.lexists(path)
    ]
    lonely_tags = graph.rows("MATCH (t:Tag) WHERE NOT EXISTS { MATCH ()-[:TAGGED]->(t) } RETURN count(*)")[0][0]
    lonely_entities = graph.rows("MATCH (e:Entity) WHERE NOT EXISTS { MATCH ()-[:MENTIONS]->(e) } RETURN count(*)")[0][
        0
    ]
    return {
        "orphans": orphans,
        "duplicate_paths": [p for (p,) in duplicates],
        "gone_from_disk": gone[:100],
        "gone_from_disk_count": len(gone),
        "lonely_tags": lonely_tags,
        "lonely_entities": lonely_entities,
    }


def repair(graph: Graph, grace: timedelta, now: datetime, duplicate_paths: list[str]) -> dict[str, int]:
    before = now - grace
    done = {"orphans_removed": 0, "tags_removed": 0, "entities_removed": 0, "duplicates_removed": 0}
    with graph.transaction():
        for table in ITEM_TABLES:
            ids = graph.rows(
                f"MATCH (n:{table}) WHERE n.status = 'missing' AND n.missing_since < $before RETURN n.id",
                {"before": before},
            )
            if ids:
                graph.execute(f"MATCH (n:{table}) WHERE n.id IN $ids DETACH DELETE n", {"ids": [i for (i,) in ids]})
                done["orphans_removed"] += len(ids)
        if duplicate_paths:
            rows = graph.rows(
                "MATCH (f:File) WHERE f.path IN $paths AND f.status <> 'missing' "
                "RETURN f.path, f.id ORDER BY f.path, f.updated DESC",
                {"paths": duplicate_paths},
            )
            kept: set[str] = set()
            stale = []
            for path, item in rows:  # newest first: each path keeps its first row
                if path in kept:
                    stale.append(item)
                kept.add(path)
            graph.execute("MATCH (f:File) WHERE f.id IN $ids DETACH DELETE f", {"ids": stale})
            done["duplicates_removed"] = len(stale)
        done["tags_removed"] = graph.rows("MATCH (t:Tag) WHERE NOT EXISTS { MATCH ()-[:TAGGED]->(t) } RETURN count(*)")[
            0
        ][0]
        graph.execute("MATCH (t:Tag) WHERE NOT EXISTS { MATCH ()-[:TAGGED]->(t) } DELETE t")
        done["entities_removed"] = graph.rows(
            "MATCH (e:Entity) WHERE NOT EXISTS { MATCH ()-[:MENTIONS]->(e) } RETURN count(*)"
        )[0][0]
        graph.execute("MATCH (e:Entity) WHERE NOT EXISTS { MATCH ()-[:MENTIONS]->(e) } DELETE e")
    return done


def step_maintenance(run: Run) -> None:
    config = run.config
    grace = timedelta(days=config.monthly.orphan_grace_days)
    now = datetime.now(UTC)
    with open_graph(config, read_only=True) as graph:
        found = inspect(graph, grace, now)
    for key in ("orphans", "gone_from_disk_count", "lonely_tags", "lonely_entities"):
        run.counts[f"maintenance_{key}"] = int(found[key])  # type: ignore[arg-type]
    duplicates = list(found["duplicate_paths"])  # type: ignore[arg-type]
    run.counts["maintenance_duplicate_paths"] = len(duplicates)
    needs_repair = bool(found["orphans"] or duplicates or found["lonely_tags"] or found["lonely_entities"])
    if found["gone_from_disk_count"]:
        run.notes.append(
            f"maintenance: {found['gone_from_disk_count']} files in the graph are no longer on disk; "
            "the next daily job marks them missing"
        )
    if run.options.dry_run or not needs_repair:
        run.notes.append("maintenance: nothing to repair" if not needs_repair else f"maintenance: would repair {found}")
    else:
        saved = backup(config)
        run.notes.append(f"maintenance: backup before repairs: {saved}")
        with open_graph(config) as graph:
            done = repair(graph, grace, now, duplicates)
        run.counts.update(done)
        log.info("maintenance repairs: %s", done)
    if not run.options.dry_run:
        with open_graph(config) as graph:
            graph.execute("CHECKPOINT")
    run.counts["maintenance_graph_bytes"] = size_on_disk(config)
