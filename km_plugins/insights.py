"""Built-in monthly insights: the sections of ``reports/YYYY-MM.md`` (a ``km_report`` implementation).

Files added and organised in the month, top tags and topics, knowledge gaps,
cross-domain opportunities, time allocation from calendar events, and
productivity (calendar hours against items created, per week). Every number
comes from a query over the graph; a section's ``data`` holds the same numbers
for ``YYYY-MM.json``, and ``data["charts"]`` asks the report writer for a PNG.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from functools import cache
from typing import Any

from km_core import JobContext, ReportSection, hookimpl
from km_core.analytics import PRESENT, gaps_and_opportunities, pearson, week_of


class _Rows:
    """The read-only query the engine hands over, where the analytics code expects a graph."""

    def __init__(self, ctx: JobContext) -> None:
        assert ctx.query is not None
        self.query = ctx.query

    def rows(self, cypher: str, parameters: dict[str, Any] | None = None) -> list[list[Any]]:
        return self.query(cypher, parameters or {})


def month_bounds(period: str) -> tuple[datetime, datetime]:
    year, month = (int(part) for part in period.split("-"))
    start = datetime(year, month, 1)
    end = datetime(year + month // 12, month % 12 + 1, 1)
    return start, end


@hookimpl
def km_report(job: str, ctx: JobContext) -> list[ReportSection] | None:
    if job != "monthly" or ctx.query is None or not ctx.period:
        return None
    graph = _Rows(ctx)
    start, end = month_bounds(ctx.period)
    # a month still running is reported up to now: next week's meetings are not time spent yet
    span = {"first": start, "last": min(end, datetime.now(UTC).replace(tzinfo=None))}
    structure = cache(lambda: gaps_and_opportunities(graph))  # type: ignore[arg-type]
    builders: list[tuple[str, int, Callable[[], list[ReportSection]]]] = [
        ("Added and organised", 10, lambda: [_added(graph, span, ctx.period)]),
        ("Top tags and topics", 20, lambda: [_tags(graph, span)]),
        ("Knowledge gaps", 30, lambda: [_gaps_section(structure()[0])]),
        ("Cross-domain opportunities", 40, lambda: [_cross(structure()[1])]),
        ("Time allocation and productivity", 50, lambda: _time(graph, span, ctx.period)),
    ]
    sections = []
    for title, order, build in builders:
        try:
            sections += build()
        except Exception as exc:  # one section that fails is said in its place; the others are written
            ctx.log.warning("insights: section %r failed: %s: %s", title, type(exc).__name__, exc)
            sections.append(ReportSection(title, f"_Could not be computed: {type(exc).__name__}: {exc}_", order=order))
    return sections


def _added(graph: _Rows, span: dict[str, datetime], period: str) -> ReportSection:
    discovered = graph.rows(
        "MATCH (n:File) WHERE n.discovered >= $first AND n.discovered < $last RETURN n.kind, n.discovered", span
    )
    added = sorted(Counter(kind or "other" for kind, _ in discovered).items())
    per_day = Counter(when.day for _, when in discovered)
    notes = graph.rows("MATCH (n:Note) WHERE n.created >= $first AND n.created < $last RETURN count(*)", span)[0][0]
    photos = graph.rows("MATCH (n:Photo) WHERE n.taken >= $first AND n.taken < $last RETURN count(*)", span)[0][0]
    moved = graph.rows(
        "MATCH (m:Move) WHERE m.at >= $first AND m.at < $last AND m.action = 'move' "
        "AND NOT EXISTS { MATCH (u:Move) WHERE u.undoes = m.id } RETURN count(*)",
        span,
    )[0][0]
    files = sum(n for _, n in added)
    first, end = month_bounds(period)
    days = (end - first).days  # the chart shows the whole month, days still to come at zero
    lines = [
        f"- **{files}** files added" + (" (" + ", ".join(f"{n} {kind}" for kind, n in added) + ")" if added else ""),
        f"- **{moved}** files organised into the library",
        f"- **{notes}** notes written, **{photos}** photos taken",
    ]
    chart = {
        "file": "added",
        "title": f"Files added per day, {period}",
        "x": [str(d) for d in range(1, days + 1)],
        "y": [per_day.get(d, 0) for d in range(1, days + 1)],
        "ylabel": "files",
    }
    data = {"files_added": files, "by_kind": dict(added), "organised": moved, "notes": notes, "photos": photos}
    return ReportSection("Added and organised", "\n".join(lines), {**data, "charts": [chart]}, order=10)


def _tags(graph: _Rows, span: dict[str, datetime]) -> ReportSection:
    top = graph.rows(
        "MATCH (n:File)-[r:TAGGED]->(t:Tag) WHERE n.discovered >= $first AND n.discovered < $last "
        "AND t.kind <> 'topic' RETURN t.name, t.kind, count(*) AS c ORDER BY c DESC, t.name LIMIT 15",
        span,
    )
    topics = graph.rows(
        "MATCH (n)-[r:TAGGED]->(t:Tag) WHERE t.kind = 'topic' RETURN t.name, count(*) AS c "
        "ORDER BY c DESC, t.name LIMIT 8"
    )
    lines = ["| tag | kind | items |", "| --- | --- | ---: |", *(f"| {n} | {k} | {c} |" for n, k, c in top)]
    if not top:
        lines = ["No new files were tagged this month."]
    if topics:
        lines += ["", "Topics across everything: " + ", ".join(f"{name} ({count})" for name, count in topics)]
    data = {"top_tags": [{"tag": n, "kind": k, "items": c} for n, k, c in top], "topics": dict(topics)}
    return ReportSection("Top tags and topics", "\n".join(lines), data, order=20)


def _gaps_section(gaps: dict[str, Any]) -> ReportSection:
    lines = [f"**{gaps['isolated']}** of {gaps['items_total']} items are linked to nothing."]
    if gaps["by_kind"]:
        lines.append("By kind: " + ", ".join(f"{n} {kind}s" for kind, n in sorted(gaps["by_kind"].items())) + ".")
    lines += [
        f"- {t['title']} ({t['kind']})" + (f" x {t['items']}" if t["items"] > 1 else "") for t in gaps["titles"][:10]
    ]
    return ReportSection("Knowledge gaps", "\n".join(lines), gaps, order=30)


def _cross(found: list[dict[str, Any]]) -> ReportSection:
    lines = [
        f"- **{f['entity']}** ({f['label']}) in {', '.join(f['domains'])}: {f['unlinked_pairs']} unlinked pairs"
        for f in found[:10]
    ] or ["None found: what shares a name across your folders, notes and calendars is already linked."]
    return ReportSection("Cross-domain opportunities", "\n".join(lines), {"opportunities": found}, order=40)


def _time(graph: _Rows, span: dict[str, datetime], period: str) -> list[ReportSection]:
    events = graph.rows(
        f"MATCH (n:Event) WHERE {PRESENT} AND n.start >= $first AND n.start < $last AND NOT n.all_day "
        "RETURN n.calendar, n.start, n.`end`",
        span,
    )
    by_calendar: Counter[str] = Counter()
    hours_by_week: Counter[str] = Counter()
    for calendar, start, end in events:
        hours = max(0.0, (end - start).total_seconds() / 3600) if start and end else 0.0
        by_calendar[calendar or "(no name)"] += hours
        hours_by_week[week_of(start)] += hours
    made_by_week: Counter[str] = Counter()
    for query in (
        "MATCH (n:File) WHERE n.discovered >= $first AND n.discovered < $last RETURN n.discovered",
        "MATCH (n:Note) WHERE n.created >= $first AND n.created < $last RETURN n.created",
    ):
        for (when,) in graph.rows(query, span):
            made_by_week[week_of(when)] += 1
    weeks = sorted(set(hours_by_week) | set(made_by_week))
    rows = [{"week": w, "calendar_hours": round(hours_by_week[w], 2), "items_created": made_by_week[w]} for w in weeks]
    correlation = pearson([r["calendar_hours"] for r in rows], [float(r["items_created"]) for r in rows])
    total = sum(by_calendar.values())
    allocation = ["| calendar | hours | share |", "| --- | ---: | ---: |"] + [
        f"| {name} | {hours:.1f} | {hours / total:.0%} |" for name, hours in by_calendar.most_common()
    ]
    if not events:
        allocation = ["No timed calendar events this month."]
    said = "not enough weeks to tell" if correlation is None else f"{correlation:+.2f}"
    productivity = [
        "| week | calendar hours | items created |",
        "| --- | ---: | ---: |",
        *(f"| {r['week']} | {r['calendar_hours']:.1f} | {r['items_created']} |" for r in rows),
        "",
        f"Correlation of meeting hours with items created: **{said}**"
        + (" (more meetings, less made)" if correlation is not None and correlation < -0.3 else ""),
    ]
    chart = {
        "file": "time-vs-output",
        "title": f"Calendar hours and items created per week, {period}",
        "x": weeks,
        "y": [r["calendar_hours"] for r in rows],
        "ylabel": "calendar hours",
        "y2": [r["items_created"] for r in rows],
        "y2label": "items created",
    }
    return [
        ReportSection(
            "Time allocation",
            "\n".join(allocation),
            {"hours_by_calendar": {k: round(v, 2) for k, v in by_calendar.items()}, "events": len(events)},
            order=50,
        ),
        ReportSection(
            "Productivity: time versus output",
            "\n".join(productivity),
            {"weeks": rows, "correlation": correlation, "charts": [chart] if rows else []},
            order=60,
        ),
    ]
