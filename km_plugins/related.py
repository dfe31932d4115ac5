"""Built-in relationships: similar content, same day or week, shared tags, cross-domain links.

Each edge says why it exists: the words two items share most, the date they
share, the tags or entities they have in common. Limits per item keep a
thousand files copied on one day from becoming a million edges.
"""

from __future__ import annotations

import bisect
import os
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from km_core import Item, JobContext, Relation, hookimpl

NAME = "related"
DEFAULTS = {"similar_threshold": 0.3, "top_k": 5, "min_shared_tags": 3}
SHARED_KINDS = ["keyword", "entity", "rule", "manual"]  # not type, status or topic: those are too broad
DAY = 86_400.0


@hookimpl
def km_relate(items: Sequence[Item], graph: Any, ctx: JobContext) -> list[Relation]:
    k = int(ctx.setting(NAME, "top_k", DEFAULTS["top_k"]))
    ids = [item.id for item in items]
    relations = similar(graph, ids, k, float(ctx.setting(NAME, "similar_threshold", DEFAULTS["similar_threshold"])))
    relations += temporal(graph, ids, k)
    relations += shared_tags(graph, ids, k, int(ctx.setting(NAME, "min_shared_tags", DEFAULTS["min_shared_tags"])))
    relations += cross_domain(graph, ids, k)
    return relations


def similar(graph: Any, ids: Sequence[str], k: int, threshold: float) -> list[Relation]:
    return [
        Relation(item, other, "similar", score, f"TF-IDF cosine {score:.2f}; both about: {', '.join(words)}")
        for item, hits in graph.similar(ids, k, threshold).items()
        for other, score, words in hits
    ]


def _dates(graph: Any) -> list[tuple[float, str, str]]:
    """(timestamp, id, which date) of every present item: the document's own date before the file's."""
    rows = graph.rows(
        "MATCH (f:File) WHERE f.status IN ['ok', 'empty', 'encrypted'] RETURN f.id, f.created, f.modified, f.mtime_ns"
    )
    found = []
    for item, created, modified, mtime_ns in rows:
        for value, what in ((created, "created"), (modified, "modified")):
            if isinstance(value, datetime):
                found.append((value.timestamp(), item, what))
                break
        else:
            if mtime_ns:
                found.append((mtime_ns / 1e9, item, "file modified"))
    return sorted(found)


def temporal(graph: Any, ids: Sequence[str], k: int) -> list[Relation]:
    dated = _dates(graph)
    times = [d[0] for d in dated]
    mine = {item: (stamp, what) for stamp, item, what in dated if item in set(ids)}
    relations = []
    for item, (stamp, what) in mine.items():
        day = datetime.fromtimestamp(stamp).date()
        week = day.isocalendar()[:2]
        low, high = bisect.bisect_left(times, stamp - 7 * DAY), bisect.bisect_right(times, stamp + 7 * DAY)
        near = sorted((abs(dated[i][0] - stamp), i) for i in range(low, high) if dated[i][1] != item)
        counts = {"same_day": 0, "same_week": 0}
        for gap, i in near:
            other_stamp, other, other_what = dated[i]
            other_day = datetime.fromtimestamp(other_stamp).date()
            kind = "same_day" if other_day == day else "same_week" if other_day.isocalendar()[:2] == week else ""
            if not kind or counts[kind] >= k:
                continue
            counts[kind] += 1
            window = DAY if kind == "same_day" else 7 * DAY
            why = f"{what} {day.isoformat()}, the other's {other_what} {other_day.isoformat()}"
            relations.append(Relation(item, other, kind, round(1 - gap / window, 4), why))
    return relations


def shared_tags(graph: Any, ids: Sequence[str], k: int, minimum: int) -> list[Relation]:
    rows = graph.rows(
        "MATCH (a:File)-[:TAGGED]->(t:Tag)<-[:TAGGED]-(b:File) "
        "WHERE a.id IN $ids AND a.id <> b.id AND t.kind IN $kinds AND b.status <> 'missing' "
        "WITH a.id AS a, b.id AS b, collect(t.name) AS names, count(*) AS n WHERE n >= $minimum "
        "RETURN a, b, n, names ORDER BY a, n DESC, b",
        {"ids": list(ids), "kinds": SHARED_KINDS, "minimum": minimum},
    )
    totals = dict(
        graph.rows(
            "MATCH (a:File)-[:TAGGED]->(t:Tag) WHERE a.id IN $ids AND t.kind IN $kinds RETURN a.id, count(*)",
            {"ids": list(ids), "kinds": SHARED_KINDS},
        )
    )
    taken: dict[str, int] = defaultdict(int)
    relations = []
    for a, b, n, names in rows:
        if taken[a] >= k:
            continue
        taken[a] += 1
        why = f"{n} tags in common: {', '.join(sorted(names)[:8])}"
        relations.append(Relation(a, b, "shared_tags", round(n / max(totals.get(a, n), n), 4), why))
    return relations


def _domain(path: str, root: str) -> tuple[str, str]:
    """(root, top-level folder under it): items in different ones live in different parts of a life."""
    relative = os.path.relpath(path, root) if root else path
    top = relative.split(os.sep)[0] if os.sep in relative else ""
    return root, top


def cross_domain(graph: Any, ids: Sequence[str], k: int) -> list[Relation]:
    rows = graph.rows(
        "MATCH (a:File)-[:MENTIONS]->(e:Entity)<-[:MENTIONS]-(b:File) "
        "WHERE a.id IN $ids AND a.id <> b.id AND b.status <> 'missing' "
        "RETURN a.id, a.path, a.root, b.id, b.path, b.root, collect(e.name) AS names, count(*) AS n "
        "ORDER BY a.id, n DESC, b.id",
        {"ids": list(ids)},
    )
    taken: dict[str, int] = defaultdict(int)
    relations = []
    for a, a_path, a_root, b, b_path, b_root, names, n in rows:
        mine, theirs = _domain(a_path, a_root), _domain(b_path, b_root)
        if mine == theirs or taken[a] >= k:
            continue
        taken[a] += 1
        where = f"{theirs[1] or os.path.basename(theirs[0])}" if mine[0] == theirs[0] else theirs[0]
        why = f"{n} entities in common across folders ({mine[1] or mine[0]} / {where}): {', '.join(sorted(names)[:6])}"
        relations.append(Relation(a, b, "cross_domain", round(min(1.0, n / 3), 4), why))
    return relations
