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
from datetime import date, datetime
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
    # local calendar days as ordinals: ISO weeks start on Mondays, and ordinal 1 was a Monday
    days = [date.fromtimestamp(stamp).toordinal() for stamp in times]
    wanted = set(ids)
    relations = []
    for index, (stamp, item, what) in enumerate(dated):
        if item not in wanted:
            continue
        day = days[index]
        low, high = bisect.bisect_left(times, stamp - 7 * DAY), bisect.bisect_right(times, stamp + 7 * DAY)
        near = sorted((abs(times[i] - stamp), i) for i in range(low, high) if dated[i][1] != item)
        counts = {"same_day": 0, "same_week": 0}
        for gap, i in near:
            other_day = days[i]
            kind = "same_day" if other_day == day else "same_week" if (other_day - 1) // 7 == (day - 1) // 7 else ""
            if not kind or counts[kind] >= k:
                continue
            counts[kind] += 1
            window = DAY if kind == "same_day" else 7 * DAY
            shown, other_shown = date.fromordinal(day).isoformat(), date.fromordinal(other_day).isoformat()
            why = f"{what} {shown}, the other's {dated[i][2]} {other_shown}"
            relations.append(Relation(item, dated[i][1], kind, round(1 - gap / window, 4), why))
            if counts["same_day"] >= k and counts["same_week"] >= k:
                break
    return relations


def _too_common(present: int) -> int:
    """Items above which a tag or entity is too common to link by (like a stop word): 2 % of
    the collection, at least 50. It also keeps the pairs counted here few on a large collection."""
    return max(50, present // 50)


def _members(
    graph: Any, query: str, keys: Sequence[str], limit: int, extra: str = ""
) -> tuple[dict[str, list[str]], dict[str, tuple[Any, ...]]]:
    """For each key (a tag name or entity id): the present items that have it, if there are at
    most ``limit``; and for each such item, the ``extra`` columns asked for (``b.path, b.root``)."""
    found: dict[str, list[str]] = defaultdict(list)
    info: dict[str, tuple[Any, ...]] = {}
    if not keys:
        return found, info
    sizes = dict(graph.rows(query + " RETURN k, count(*)", {"keys": list(keys)}))
    kept = [key for key in keys if 0 < sizes.get(key, 0) <= limit]
    columns = f", {extra}" if extra else ""
    for key, item, *rest in graph.rows(query + f" RETURN k, b.id{columns}", {"keys": kept}) if kept else []:
        found[key].append(item)
        info[item] = tuple(rest)
    return found, info


def _common(
    graph: Any, ids: Sequence[str], own_query: str, member_query: str, params: dict[str, Any], extra: str = ""
) -> tuple[dict[str, dict[str, list[str]]], dict[str, int], dict[str, tuple[Any, ...]]]:
    """For each item of ``ids``: the other items sharing keys with it, with the keys' names;
    how many keys each item has; and the ``extra`` columns of every item met."""
    own: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for item, key, name in graph.rows(own_query, {"ids": list(ids), **params}):
        own[item].append((key, name))
    present = graph.rows("MATCH (f:File) WHERE f.status <> 'missing' RETURN count(*)")[0][0]
    keys = sorted({key for pairs in own.values() for key, _ in pairs})
    members, info = _members(graph, member_query, keys, _too_common(present), extra)
    shared: dict[str, dict[str, list[str]]] = {}
    for item, pairs in own.items():
        others: dict[str, list[str]] = defaultdict(list)
        for key, name in pairs:
            for other in members.get(key, ()):
                if other != item:
                    others[other].append(name)
        shared[item] = others
    return shared, {item: len(pairs) for item, pairs in own.items()}, info


def _ranked(others: dict[str, list[str]], minimum: int) -> list[tuple[str, list[str]]]:
    return sorted(
        ((b, names) for b, names in others.items() if len(names) >= minimum), key=lambda x: (-len(x[1]), x[0])
    )


def shared_tags(graph: Any, ids: Sequence[str], k: int, minimum: int) -> list[Relation]:
    shared, totals, _ = _common(
        graph,
        ids,
        "MATCH (a)-[:TAGGED]->(t:Tag) WHERE a.id IN $ids AND t.kind IN $kinds RETURN a.id, t.name AS k, t.name",
        "MATCH (t:Tag)<-[:TAGGED]-(b) WHERE t.name IN $keys AND b.status <> 'missing' WITH t.name AS k, b",
        {"kinds": SHARED_KINDS},
    )
    relations = []
    for a in sorted(shared):
        for b, names in _ranked(shared[a], minimum)[:k]:
            n = len(names)
            why = f"{n} tags in common: {', '.join(sorted(names)[:8])}"
            relations.append(Relation(a, b, "shared_tags", round(n / max(totals.get(a, n), n), 4), why))
    return relations


def _domain(
    path: str | None, root: str | None, folder: str | None, calendar: str | None, library: str | None
) -> tuple[str, str]:
    """(root, top-level folder under it): items in different ones live in different parts of a life.
    A note's domain is its top notes folder, an event's its calendar, a photo's its library."""
    if folder is not None:
        return "notes", folder.split("/")[0]
    if calendar is not None:
        return "calendar", calendar
    if library is not None:
        return "photos", library
    path = path or ""
    prefix = root.rstrip(os.sep) + os.sep
    relative = path[len(prefix) :] if root and path.startswith(prefix) else path
    top = relative.split(os.sep)[0] if os.sep in relative else ""
    return root, top


def cross_domain(graph: Any, ids: Sequence[str], k: int) -> list[Relation]:
    shared, _, info = _common(
        graph,
        ids,
        "MATCH (a)-[:MENTIONS]->(e:Entity) WHERE a.id IN $ids RETURN a.id, e.id, e.name",
        "MATCH (e:Entity)<-[:MENTIONS]-(b) WHERE e.id IN $keys AND b.status <> 'missing' WITH e.id AS k, b",
        {},
        extra="b.path, b.root, b.folder, b.calendar, b.library",
    )
    where = {item: _domain(*columns) for item, columns in info.items()}
    relations = []
    for a in sorted(shared):
        mine = where.get(a)
        taken = 0
        for b, names in _ranked(shared[a], 1):
            theirs = where.get(b)
            if mine is None or theirs is None or mine == theirs:
                continue
            if taken >= k:
                break
            taken += 1
            n = len(names)
            there = f"{theirs[1] or os.path.basename(theirs[0])}" if mine[0] == theirs[0] else theirs[0]
            names_said = ", ".join(sorted(names)[:6])
            why = f"{n} entities in common across folders ({mine[1] or mine[0]} / {there}): {names_said}"
            relations.append(Relation(a, b, "cross_domain", round(min(1.0, n / 3), 4), why))
    return relations
