"""The weekly analytics snapshot: what the dashboard and the monthly report read in milliseconds.

Computed from the graph once a week (``km job weekly --task=analytics``) and
written atomically to ``state/analytics.json``; each snapshot's headline
figures are also appended to ``state/analytics-history.jsonl``, which is what
"relationship patterns over time" are drawn from.

- clusters: communities of items linked by content (similar, shared tags,
  cross-domain, keyword), found by label propagation over those edges (Kùzu's
  Louvain runs on one node table only; the items are four);
- gaps: items with no edge at all;
- cross-domain opportunities: entities mentioned in more than one domain
  (a monitored folder's top-level folder, a notes folder, a calendar) whose
  items there are not linked to each other;
- time versus output: calendar hours per ISO week against items created that
  week, with their Pearson correlation;
- tag frequency: the most used tags and how many tags are used how often;
- relationship patterns: edges by kind now, and by kind per snapshot.
"""

from __future__ import annotations

import json
import math
import os
import random
from collections import Counter, defaultdict
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from km_core.config import Config
from km_core.store import Graph, open_graph

CONTENT_KINDS = ("similar", "shared_tags", "cross_domain", "keyword")
TABLES = ("File", "Note", "Event", "Photo")
TITLE = {
    "File": "coalesce(nullif(n.title, ''), n.name)",
    "Note": "n.title",
    "Event": "n.summary",
    "Photo": "coalesce(nullif(n.title, ''), n.name)",
}
PRESENT = "n.status IN ['ok', 'empty', 'encrypted']"
TOP = 20
WEEKS = 26


def snapshot_path(config: Config) -> Path:
    return config.folders.state / "analytics.json"


def history_path(config: Config) -> Path:
    return config.folders.state / "analytics-history.jsonl"


def _items(graph: Graph) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for table in TABLES:
        for item, title in graph.rows(f"MATCH (n:{table}) WHERE {PRESENT} RETURN n.id, {TITLE[table]}"):
            found[item] = {"id": item, "kind": table.lower(), "title": title or item}
    return found


def _edges(graph: Graph) -> list[tuple[str, str, str, float]]:
    return [
        (a, b, kind, float(score or 0))
        for a, b, kind, score in graph.rows("MATCH (a)-[r:RELATED]->(b) RETURN a.id, b.id, r.kind, r.score")
    ]


def communities(nodes: list[str], edges: list[tuple[str, str, float]], rounds: int = 12) -> dict[str, str]:
    """Label propagation (Raghavan et al. 2007), weighted, seeded: each item takes the label its
    neighbours weigh most, until nothing changes. Items without content edges are left out."""
    neighbours: dict[str, dict[str, float]] = defaultdict(dict)
    for a, b, weight in edges:
        if a != b:
            neighbours[a][b] = neighbours[a].get(b, 0.0) + weight
            neighbours[b][a] = neighbours[b].get(a, 0.0) + weight
    label = {node: node for node in nodes if node in neighbours}
    order = sorted(label)
    shuffle = random.Random(0)
    for _ in range(rounds):
        shuffle.shuffle(order)
        changed = 0
        for node in order:
            weights: dict[str, float] = defaultdict(float)
            for other, weight in neighbours[node].items():
                if other in label:
                    weights[label[other]] += weight
            if not weights:
                continue
            best = max(weights.values())
            choice = min(lab for lab, w in weights.items() if w == best)
            if choice != label[node]:
                label[node] = choice
                changed += 1
        if not changed:
            break
    return label


def _clusters(graph: Graph, items: dict[str, dict[str, Any]], edges: list[tuple[str, str, str, float]]) -> list[dict]:
    content = [(a, b, max(s, 0.05)) for a, b, kind, s in edges if kind in CONTENT_KINDS and a in items and b in items]
    labels = communities(list(items), content)
    groups: dict[str, list[str]] = defaultdict(list)
    for node, lab in labels.items():
        groups[lab].append(node)
    ranked = sorted((g for g in groups.values() if len(g) >= 2), key=lambda g: (-len(g), min(g)))
    tags = _tags_of(graph, [n for g in ranked[:TOP] for n in g])
    clusters = []
    for number, members in enumerate(ranked[:TOP], start=1):
        common = Counter(t for m in members for t in tags.get(m, ()))
        kinds = Counter(items[m]["kind"] for m in members)
        clusters.append(
            {
                "cluster": number,
                "size": len(members),
                "kinds": dict(kinds),
                "top_tags": [name for name, _ in common.most_common(5)],
                "items": [items[m]["title"] for m in sorted(members)[:8]],
            }
        )
    return clusters


def _tags_of(graph: Graph, ids: list[str]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = defaultdict(list)
    if ids:
        query = (
            "MATCH (n)-[:TAGGED]->(t:Tag) WHERE n.id IN $ids AND t.kind IN ['keyword', 'entity', 'topic', 'manual', "
            "'rule'] RETURN n.id, t.name"
        )
        for item, name in graph.rows(query, {"ids": ids}):
            found[item].append(name)
    return found


def _gaps(items: dict[str, dict[str, Any]], edges: list[tuple[str, str, str, float]]) -> dict[str, Any]:
    linked = {a for a, *_ in edges} | {b for _, b, *_ in edges}
    isolated = [items[i] for i in sorted(items) if i not in linked]
    by_kind = Counter(item["kind"] for item in isolated)
    # a weekly meeting makes fifty isolated items of one title: said once, with how many
    common = Counter((item["title"], item["kind"]) for item in isolated).most_common(TOP)
    return {
        "isolated": len(isolated),
        "by_kind": dict(by_kind),
        "items": isolated[:TOP],
        "titles": [{"title": title, "kind": kind, "items": n} for (title, kind), n in common],
    }


def gaps_and_opportunities(graph: Graph) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Isolated items (with ``items_total``) and cross-domain opportunities, the graph read once."""
    items, edges = _items(graph), _edges(graph)
    return {**_gaps(items, edges), "items_total": len(items)}, _cross_domain(graph, edges)


def _domains(graph: Graph) -> dict[str, str]:
    """Each item's domain: a file's monitored folder and top-level folder, a note's top folder,
    an event's calendar, 'photos' for photos."""
    found: dict[str, str] = {}
    for item, path, root in graph.rows(f"MATCH (n:File) WHERE {PRESENT} RETURN n.id, n.path, n.root"):
        rest = path[len(root) :].lstrip(os.sep) if root and path.startswith(root) else path
        top = rest.split(os.sep)[0] if os.sep in rest else ""
        found[item] = f"files: {Path(root).name}/{top}" if top else f"files: {Path(root).name}"
    for item, folder in graph.rows(f"MATCH (n:Note) WHERE {PRESENT} RETURN n.id, n.folder"):
        found[item] = f"notes: {(folder or '').split('/')[0]}"
    for item, calendar in graph.rows(f"MATCH (n:Event) WHERE {PRESENT} RETURN n.id, n.calendar"):
        found[item] = f"calendar: {calendar}"
    for (item,) in graph.rows(f"MATCH (n:Photo) WHERE {PRESENT} RETURN n.id"):
        found[item] = "photos"
    return found


def _cross_domain(graph: Graph, edges: list[tuple[str, str, str, float]]) -> list[dict[str, Any]]:
    domains = _domains(graph)
    linked = {frozenset((a, b)) for a, b, *_ in edges}
    members: dict[tuple[str, str], set[str]] = defaultdict(set)
    for item, name, label in graph.rows("MATCH (n)-[:MENTIONS]->(e:Entity) RETURN n.id, e.name, e.label"):
        if item in domains:
            members[(name, label)].add(item)
    found = []
    for (name, label), ids in members.items():
        where = defaultdict(list)
        for item in ids:
            where[domains[item]].append(item)
        if len(where) < 2 or len(ids) > 200:
            continue
        spots = sorted(where)
        unlinked = sum(
            1
            for i, first in enumerate(spots)
            for second in spots[i + 1 :]
            for a in where[first]
            for b in where[second]
            if frozenset((a, b)) not in linked
        )
        if unlinked:
            found.append(
                {"entity": name, "label": label, "domains": spots, "items": len(ids), "unlinked_pairs": unlinked}
            )
    found.sort(key=lambda f: (-len(f["domains"]), -f["unlinked_pairs"], f["entity"]))
    return found[:TOP]


def week_of(value: Any) -> str:
    """The ISO week of a date or time, as '2026-W49'."""
    day = value.date() if isinstance(value, datetime) else value
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def pearson(xs: list[float], ys: list[float]) -> float | None:
    if len(xs) < 3:
        return None
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    sx = math.sqrt(sum((x - mx) ** 2 for x in xs))
    sy = math.sqrt(sum((y - my) ** 2 for y in ys))
    if not sx or not sy:
        return None
    return round(sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / (sx * sy), 4)


def _time_vs_output(graph: Graph, today: date) -> dict[str, Any]:
    first = today - timedelta(weeks=WEEKS)
    weeks = [week_of(first + timedelta(weeks=n)) for n in range(WEEKS + 1)]
    hours: Counter[str] = Counter()
    for start, end, all_day in graph.rows(
        f"MATCH (n:Event) WHERE {PRESENT} AND n.status <> 'missing' RETURN n.start, n.`end`, n.all_day"
    ):
        if all_day or not isinstance(start, datetime) or not isinstance(end, datetime):
            continue
        if first <= start.date() <= today + timedelta(days=7):
            hours[week_of(start)] += max(0.0, (end - start).total_seconds() / 3600)
    output: Counter[str] = Counter()
    queries = [
        f"MATCH (n:File) WHERE {PRESENT} RETURN coalesce(n.created, n.mtime)",
        f"MATCH (n:Note) WHERE {PRESENT} RETURN n.created",
        f"MATCH (n:Photo) WHERE {PRESENT} RETURN n.taken",
    ]
    for query in queries:
        for (when,) in graph.rows(query):
            if isinstance(when, datetime) and first <= when.date() <= today:
                output[week_of(when)] += 1
    rows = [{"week": w, "calendar_hours": round(hours[w], 2), "items_created": output[w]} for w in weeks]
    busy = [r for r in rows if r["calendar_hours"] or r["items_created"]]
    correlation = pearson([r["calendar_hours"] for r in busy], [float(r["items_created"]) for r in busy])
    return {"weeks": rows, "correlation": correlation}


def _tag_frequency(graph: Graph) -> dict[str, Any]:
    rows = graph.rows("MATCH ()-[:TAGGED]->(t:Tag) RETURN t.name, t.kind, count(*) AS n ORDER BY n DESC, t.name")
    buckets: Counter[str] = Counter()
    for _, _, n in rows:
        buckets["1" if n == 1 else "2-4" if n < 5 else "5-19" if n < 20 else "20-99" if n < 100 else "100+"] += 1
    return {
        "top": [{"tag": name, "kind": kind, "items": n} for name, kind, n in rows[:50]],
        "distribution": {k: buckets[k] for k in ("1", "2-4", "5-19", "20-99", "100+")},
        "tags": len(rows),
    }


def compute(graph: Graph, now: datetime | None = None) -> dict[str, Any]:
    now = now or datetime.now(UTC)
    items = _items(graph)
    edges = _edges(graph)
    by_kind = Counter(kind for _, _, kind, _ in edges)
    return {
        "generated": now.isoformat(),
        "items": dict(Counter(item["kind"] for item in items.values())),
        "clusters": _clusters(graph, items, edges),
        "gaps": _gaps(items, edges),
        "cross_domain": _cross_domain(graph, edges),
        "time_vs_output": _time_vs_output(graph, now.date()),
        "tag_frequency": _tag_frequency(graph),
        "relationships": {"by_kind": dict(sorted(by_kind.items())), "edges": len(edges)},
    }


def write(config: Config, snapshot: dict[str, Any]) -> Path:
    path = snapshot_path(config)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(snapshot, indent=1, default=str), encoding="utf-8")
    os.replace(tmp, path)
    line = {
        "generated": snapshot["generated"],
        "items": snapshot["items"],
        "edges_by_kind": snapshot["relationships"]["by_kind"],
        "isolated": snapshot["gaps"]["isolated"],
        "clusters": len(snapshot["clusters"]),
    }
    with history_path(config).open("a", encoding="utf-8") as out:
        out.write(json.dumps(line) + "\n")
    return path


def read(config: Config) -> dict[str, Any] | None:
    """The last snapshot with its history, or None before the first weekly job."""
    path = snapshot_path(config)
    if not path.is_file():
        return None
    snapshot = json.loads(path.read_text(encoding="utf-8"))
    history = history_path(config)
    lines = history.read_text(encoding="utf-8").splitlines() if history.is_file() else []
    snapshot["history"] = [entry for entry in map(_entry, lines[-52:]) if entry]
    return snapshot


def _entry(line: str) -> dict[str, Any] | None:
    """One history line; a line a crash cut short is passed over."""
    try:
        found = json.loads(line)
    except ValueError:
        return None
    return found if isinstance(found, dict) else None


def step_analytics(run: Any) -> None:
    if run.options.dry_run:
        return
    with open_graph(run.config, read_only=True) as graph:
        snapshot = compute(graph)
    write(run.config, snapshot)
    run.counts["clusters"] = len(snapshot["clusters"])
    run.counts["isolated"] = snapshot["gaps"]["isolated"]
