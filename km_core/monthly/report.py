"""The monthly insights report: every ``km_report`` section, as ``reports/YYYY-MM.md`` and ``YYYY-MM.json``.

Sections come from plugins (the built-in ``insights`` plugin writes the usual
ones), ordered by ``ReportSection.order``. A section whose ``data["charts"]``
asks for a chart gets a PNG beside the Markdown (``YYYY-MM-NAME.png``),
drawn with matplotlib: bars, and a line on a second axis when given ``y2``.
"""

from __future__ import annotations

import logging
import re
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from km_core.api import ReportSection
from km_core.run import Run
from km_core.state import write_json
from km_core.store import open_graph

log = logging.getLogger("km.report")
PERIOD = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


def previous_month(today: date) -> str:
    year, month = (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
    return f"{year:04d}-{month:02d}"


def sections(run: Run, period: str) -> list[tuple[str, ReportSection]]:
    found: list[tuple[str, ReportSection]] = []
    with open_graph(run.config, read_only=True) as graph:
        ctx = replace(run.ctx, period=period, query=lambda cypher, params=None: graph.rows(cypher, params or {}))
        for name, result in run.plugins.call_each("km_report", job="monthly", ctx=ctx):
            parts = [result] if isinstance(result, ReportSection) else result
            if not isinstance(parts, list | tuple):
                parts = [parts]  # neither a section nor a list of them: refused below, by name
            for part in parts:
                if isinstance(part, ReportSection):
                    found.append((name, part))
                else:
                    run.plugins.record_failure(name, "km_report", TypeError(f"returned {type(part).__name__}"))
    return sorted(found, key=lambda pair: (pair[1].order, pair[1].title))


def draw(chart: dict[str, Any], target: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    figure, axis = plt.subplots(figsize=(8, 3.2), dpi=100)
    try:
        positions = list(range(len(chart["x"])))
        axis.bar(positions, chart["y"], color="#4c78a8", label=chart.get("ylabel", ""))
        axis.set_ylabel(chart.get("ylabel", ""))
        axis.set_xticks(positions, chart["x"], rotation=45 if len(positions) > 8 else 0, fontsize=7)
        if chart.get("y2"):
            other = axis.twinx()
            other.plot(positions, chart["y2"], color="#f58518", marker="o", label=chart.get("y2label", ""))
            other.set_ylabel(chart.get("y2label", ""))
        axis.set_title(chart.get("title", ""), fontsize=10)
        figure.tight_layout()
        figure.savefig(target, format="png")
    finally:
        plt.close(figure)


def write(run: Run, period: str) -> tuple[Path, int]:
    """Write the report of ``period`` (YYYY-MM); (the Markdown's path, how many sections it has)."""
    folder = run.config.folders.reports
    folder.mkdir(parents=True, exist_ok=True)
    found = sections(run, period)
    generated = datetime.now(UTC).isoformat(timespec="seconds")
    title = datetime.strptime(period, "%Y-%m").strftime("%B %Y")
    lines = [f"# km insights: {title}", "", f"_Generated {generated[:16].replace('T', ' ')} UTC by km._", ""]
    data: list[dict[str, Any]] = []
    for plugin, section in found:
        lines += [f"## {section.title}", "", section.markdown.strip(), ""]
        for chart in section.data.get("charts", []):
            png = folder / f"{period}-{chart['file']}.png"
            try:
                draw(chart, png)
                lines += [f"![{chart.get('title', chart['file'])}]({png.name})", ""]
            except Exception as exc:  # a chart is a picture of numbers the report already gives
                log.warning("chart %s not drawn: %s", png.name, exc)
        data.append({"title": section.title, "plugin": plugin, "order": section.order, "data": section.data})
    markdown = folder / f"{period}.md"
    markdown.write_text("\n".join(lines).rstrip() + "\n", encoding="utf-8")
    as_json = folder / f"{period}.json"
    write_json(as_json, {"period": period, "generated": generated, "sections": data})
    log.info("monthly report %s written: %d sections", markdown, len(found))
    return markdown, len(found)


def step_report(run: Run) -> None:
    period = run.options.period or previous_month(date.today())
    if not PERIOD.match(period):
        run.notes.append(f"report: {period!r} is not a month (YYYY-MM)")
        return
    if run.options.dry_run:
        run.notes.append(f"report: would write {run.config.folders.reports / (period + '.md')}")
        return
    markdown, run.counts["report_sections"] = write(run, period)
    run.notes.append(f"report: {markdown}")
