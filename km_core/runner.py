"""The job runner: one job of a kind at a time, steps in order, a record of every run.

A job is data (``JOBS``): an ordered list of step names. The runner takes the
job-kind lock (a second start says "already running" and exits 0), runs each
step, judges the failure ratio against the thresholds, records the run in
the graph and in the state file, and backs the graph up after a good run.
"""

from __future__ import annotations

import json
import logging
import os
import time
import traceback
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from km_core import logs, scan_cache, signals, state
from km_core.api import JobContext
from km_core.config import Config
from km_core.errors import EXIT_GRAPH, EXIT_OK, EXIT_THRESHOLD, KmError, UsageError
from km_core.ignore import compile_ignore
from km_core.locks import FileLock
from km_core.organize.execute import recover as recover_moves
from km_core.plugins import Plugins, get_plugins
from km_core.run import Run, RunOptions
from km_core.steps import STEPS
from km_core.store import Graph, backup, open_graph, search_index
from km_core.store import files as file_store

log = logging.getLogger("km.runner")
perf = logging.getLogger("km.performance")

JOBS: dict[str, list[str]] = {
    "daily": ["discover", "ocr", "extract", "tag", "relate", "organize", "rogue"],
    "weekly": ["notes", "calendar", "photos", "topics", "analytics"],
    "monthly": ["archive", "logs", "report", "stale", "maintenance"],
}


@dataclass
class RunSummary:
    job: str
    run_id: str
    status: str  # ok, warning, critical, failed, interrupted, already_running
    started: str
    finished: str = ""
    duration_s: float = 0.0
    counts: dict[str, int] = field(default_factory=dict)
    errors: list[dict[str, str]] = field(default_factory=list)
    steps: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    plan: list[dict[str, Any]] = field(default_factory=list)  # the moves organize planned (made unless a dry run)
    recovered: str = ""
    failure_ratio: float = 0.0
    worked_on: int = 0  # items the failure ratio is a share of
    plugin_failures: dict[str, int] = field(default_factory=dict)
    log_file: str = ""
    exit_code: int = EXIT_OK  # what `km job` exits with: 0, 1 (threshold, failed, stopped) or 3 (graph)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def steps_for(job: str, task: str = "") -> list[str]:
    if job not in JOBS:
        raise UsageError(f"unknown job '{job}'", f"use one of: {', '.join(JOBS)}")
    steps = JOBS[job]
    if not task:
        return steps
    if task not in steps:
        known = ", ".join(steps) or "none yet"
        raise UsageError(f"the {job} job has no task '{task}'", f"tasks of the {job} job: {known}")
    return [task]


def _now() -> datetime:
    return datetime.now(UTC)


def _judge(run: Run, config: Config) -> str:
    ratio = run.failure_ratio()
    if ratio > config.jobs.critical_failure_ratio:
        return "critical"
    if ratio > config.jobs.warn_failure_ratio:
        return "warning"
    return "ok"


def _record(config: Config, summary: RunSummary) -> None:
    with open_graph(config) as graph:
        graph.execute(
            "MERGE (r:Run {id: $id}) SET r.job = $job, r.status = $status, r.started = $started, "
            "r.finished = $finished, r.duration_s = $duration, r.counts = $counts, r.errors = $errors, "
            "r.recovered = $recovered",
            {
                "id": summary.run_id,
                "job": summary.job,
                "status": summary.status,
                "started": datetime.fromisoformat(summary.started),
                "finished": datetime.fromisoformat(summary.finished),
                "duration": summary.duration_s,
                "counts": json.dumps(summary.counts),
                "errors": json.dumps(summary.errors[:200]),
                "recovered": summary.recovered,
            },
        )


def _recovery_said(config: Config) -> str:
    """Open the graph once up front so that a recovery happens, and is said, at the start."""
    with open_graph(config) as graph:
        return graph.recovered


def run_job(
    config: Config,
    job: str,
    options: RunOptions | None = None,
    on_progress: Callable[[str, int, int], None] | None = None,
    plugins: Plugins | None = None,
) -> RunSummary:
    """Run one job to the end and say how it went; only a usage error raises."""
    options = options or RunOptions()
    steps = steps_for(job, options.task)
    config.folders.ensure()
    run_id = f"{job}-{_now():%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:6]}"
    started = _now()
    lock = FileLock(config.folders.locks / f"job-{job}.lock")
    if not lock.try_acquire():
        holder = lock.holder()
        return RunSummary(
            job,
            run_id,
            "already_running",
            started.isoformat(),
            notes=[f"a {job} job is already running (pid {holder or '?'})"],
        )
    try:
        return _run_locked(config, job, steps, options, on_progress, plugins, run_id, started)
    finally:
        lock.release()


def _run_locked(
    config: Config,
    job: str,
    steps: list[str],
    options: RunOptions,
    on_progress: Callable[[str, int, int], None] | None,
    plugins: Plugins | None,
    run_id: str,
    started: datetime,
) -> RunSummary:
    signals.install()
    summary = RunSummary(job, run_id, "ok", started.isoformat())
    summary.log_file = str(logs.setup(config.folders.logs, job, config.logging.level))
    plugins = plugins or get_plugins()
    plugins.failures.clear()  # counted per run
    ctx = JobContext(
        job=job,
        run_id=run_id,
        dry_run=options.dry_run,
        full_rescan=options.full_rescan,
        plugin_settings=plugins.plugin_settings(),
        ignore=compile_ignore(config.ignore.patterns),
        settle_seconds=config.ignore.settle_seconds,
        log=log,
        data_dir=str(config.folders.state),
        organize=config.organize,
    )
    run = Run(config, plugins, job, run_id, options, ctx)
    state_progress = _state_writer(config, job, run_id, started, on_progress)
    run.on_progress = state_progress
    ctx.progress = run.progress
    ctx.keep = run.kept.append
    log.info(
        "starting %s job %s%s",
        job,
        run_id,
        " (dry run)" if options.dry_run else "",
        extra={"context": f"steps: {', '.join(steps) or 'none'}; manual: {options.manual}"},
    )
    try:
        state_progress("", 0, 0)
        if not options.dry_run:
            summary.recovered = _recovery_said(config)
            if job == "daily":  # the job that moves files finishes what a crash left half done
                moves_said = recover_moves(config)
                summary.recovered = "; ".join(filter(None, [summary.recovered, moves_said]))
        for name in steps:
            run.step = name
            state_progress(name, 0, 0)
            began = time.perf_counter()
            try:
                STEPS[name](run)
            except (KmError, signals.Interrupted):
                raise
            except Exception as exc:
                summary.status = "failed"
                run.notes.append(f"step {name} stopped: {type(exc).__name__}: {exc}")
                log.error("step %s stopped: %s", name, exc, extra={"context": traceback.format_exc()})
            summary.steps[name] = round(time.perf_counter() - began, 3)
            perf.info("step %s took %.3f s", name, summary.steps[name])
        if summary.status == "ok":
            summary.status = _judge(run, config)
    except signals.Interrupted as exc:
        summary.status = "interrupted"
        run.notes.append(f"stopped by {exc}")
        log.warning("%s job %s stopped by %s", job, run_id, exc)
    except KmError as error:
        summary.status = "failed"
        summary.exit_code = error.exit_code
        run.notes.append(error.one_line())
        log.error("%s job %s stopped: %s", job, run_id, error.one_line())
    finally:
        finished = _now()
        summary.finished = finished.isoformat()
        summary.duration_s = round((finished - started).total_seconds(), 3)
        summary.counts = run.summary_counts()
        summary.errors = [f.as_dict() for f in run.failures]
        summary.failure_ratio = round(run.failure_ratio(), 4)
        summary.worked_on = len(run.processed | {f.item_id for f in run.failures})
        summary.notes = run.notes
        summary.plan = run.plan
        summary.plugin_failures = dict(plugins.failures)
        _finish(config, summary, options)
    return summary


def _attempt(summary: RunSummary, what: str, work: Callable[[], object]) -> None:
    """Run one closing chore; a failure (or a signal) is noted, and the other chores still run."""
    try:
        work()
    except signals.Interrupted as exc:
        summary.status = "interrupted"
        summary.notes.append(f"stopped by {exc} while {what}")
    except Exception as exc:
        summary.notes.append(f"{what} failed: {type(exc).__name__}: {exc}")
        log.error("%s failed: %s", what, exc, extra={"context": traceback.format_exc()})


def _finish(config: Config, summary: RunSummary, options: RunOptions) -> None:
    graph_usable = summary.exit_code != EXIT_GRAPH
    if not options.dry_run and graph_usable and summary.status != "interrupted":

        def refresh() -> None:
            with open_graph(config) as graph:
                took = search_index.rebuild(graph)
                _refresh_scan_cache(config, graph)
            if took:
                summary.steps["search_index"] = round(took, 3)

        _attempt(summary, "rebuilding the search index", refresh)
    if not options.dry_run and graph_usable:
        _attempt(summary, "recording the run", lambda: _record(config, summary))
    if summary.status in ("ok", "warning", "critical") and not options.dry_run:
        _attempt(summary, "backing up the graph", lambda: backup(config))
    if summary.exit_code == EXIT_OK and summary.status in ("critical", "failed", "interrupted"):
        summary.exit_code = EXIT_THRESHOLD
    _remember(config, summary, options)
    level = {"ok": logging.INFO, "warning": logging.WARNING}.get(summary.status, logging.ERROR)
    log.log(
        level,
        "%s job %s finished: %s in %.1f s",
        summary.job,
        summary.run_id,
        summary.status,
        summary.duration_s,
        extra={"context": json.dumps(summary.counts)},
    )


RECENT_RUNS = 60  # kept in the job's state file: the health check's error rate, the dashboard's history


def _remember(config: Config, summary: RunSummary, options: RunOptions) -> None:
    """The run in the job's state file: the last run whole, the last success, a short history."""
    previous = state.read_job_state(config.folders, summary.job)
    changes: dict[str, object] = {"running": None, "last_run": summary.as_dict()}
    if not options.dry_run and summary.status in ("ok", "warning"):
        changes["last_success"] = summary.finished
    if not options.dry_run:
        brief = {
            "run_id": summary.run_id,
            "finished": summary.finished,
            "status": summary.status,
            "duration_s": summary.duration_s,
            "failed": summary.counts.get("failed", 0),
            "worked_on": summary.worked_on,
            "failure_ratio": summary.failure_ratio,
        }
        changes["recent"] = [*(previous.get("recent") or [])[-(RECENT_RUNS - 1) :], brief]
    state.update_job_state(config.folders, summary.job, **changes)


def _refresh_scan_cache(config: Config, graph: Graph) -> None:
    gen = file_store.generation(graph)
    if gen and not scan_cache.has(config.folders, gen):
        scan_cache.save(config.folders, gen, file_store.known_files(graph))


def _state_writer(
    config: Config,
    job: str,
    run_id: str,
    started: datetime,
    on_progress: Callable[[str, int, int], None] | None,
) -> Callable[[str, int, int], None]:
    last = [0.0]

    def write(step: str, done: int, total: int) -> None:
        if on_progress is not None:
            on_progress(step, done, total)
        now = time.monotonic()
        if now - last[0] < 0.5 and done != total:
            return
        last[0] = now
        state.update_job_state(
            config.folders,
            job,
            running={
                "run_id": run_id,
                "pid": os.getpid(),
                "started": started.isoformat(),
                "step": step,
                "done": done,
                "total": total,
            },
        )

    return write
