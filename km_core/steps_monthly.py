"""The monthly job's steps: archive change logs, rotate logs, the report, stale files, graph maintenance."""

from __future__ import annotations

from datetime import date

from km_core import logs
from km_core.monthly import archive, stale
from km_core.monthly.maintenance import step_maintenance
from km_core.monthly.report import step_report
from km_core.organize.execute import roots_of
from km_core.run import Run
from km_core.store import open_graph


def step_archive(run: Run) -> None:
    """Change logs older than 30 days, gzipped into archive/change_logs/YYYY-MM/ (km undo still reads them)."""
    if run.options.dry_run:
        return
    done = archive.archive_change_logs(run.config.folders.archive, roots_of(run.config), date.today())
    run.counts["change_logs_archived"] = done.files
    run.notes.append(archive.describe("change logs", done))
    for problem in done.problems:
        run.notes.append(f"archive: not archived: {problem}")


def step_logs(run: Run) -> None:
    """Log files past their retention (30 days; errors 90; monthly logs 12 months) into archive/logs/YYYY-MM/."""
    if run.options.dry_run:
        return
    folder = run.config.folders.logs
    current = {folder / "jobs" / logs.job_log_name(run.job)}
    done = archive.rotate_logs(folder, run.config.folders.archive, date.today(), current)
    run.counts["logs_archived"] = done.files
    run.notes.append(archive.describe("log files", done))
    for problem in done.problems:
        run.notes.append(f"logs: not archived: {problem}")


def step_stale(run: Run) -> None:
    """Stale files, drafts never finalised, duplicates and low-value tags, listed for km review (never acted on)."""
    with open_graph(run.config, read_only=True) as graph:
        found = stale.find(run.config, graph)
    for key in ("stale", "drafts", "duplicates", "low_value_tags"):
        run.counts[f"review_{key}"] = len(found[key])
    run.notes.append(f"stale files judged by {found['basis']}")


MONTHLY_STEPS = {
    "archive": step_archive,
    "logs": step_logs,
    "report": step_report,
    "stale": step_stale,
    "maintenance": step_maintenance,
}
