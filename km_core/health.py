"""``km health``: is km able to run, and has it been running? From files only, so it never waits for a job.

Each check has a level: ok, warning or critical. Thresholds come from ``[health]``.
A job is late when its last success is older than its schedule asks (the time
between two of its runs) by more than ``late_hours``; the error rate is the
share of failed items over the runs of the last 24 hours.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from km_core import state
from km_core.config import Config
from km_core.schedule import expressions, latest_at, next_after
from km_core.store.graph import size_on_disk

LEVELS = ("ok", "warning", "critical")
GB = 1024**3


@dataclass
class Check:
    name: str
    level: str  # ok, warning, critical
    value: float | str | None
    message: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _folder_bytes(folder: Path) -> int:
    total = 0
    for base, _, names in os.walk(folder):
        for name in names:
            try:
                total += os.lstat(os.path.join(base, name)).st_size
            except OSError:
                continue
    return total


def disk(config: Config) -> Check:
    folder = config.folders.data
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    free = shutil.disk_usage(folder).free / GB
    settings = config.health
    level = "critical" if free < settings.disk_critical_gb else "warning" if free < settings.disk_warn_gb else "ok"
    return Check("disk", level, round(free, 2), f"{free:.1f} GB free on the disk of {config.folders.data}")


def graph_size(config: Config) -> Check:
    size = size_on_disk(config) / GB
    level = "warning" if size > config.health.graph_warn_gb else "ok"
    return Check("graph", level, round(size, 3), f"graph is {size * 1024:.1f} MB")


def log_size(config: Config) -> Check:
    size = _folder_bytes(config.folders.logs) / GB if config.folders.logs.exists() else 0.0
    level = "warning" if size > config.health.logs_warn_gb else "ok"
    return Check("logs", level, round(size, 3), f"logs take {size * 1024:.1f} MB in {config.folders.logs}")


def last_success(config: Config, job: str, expression: str, now: datetime) -> Check:
    data = state.read_job_state(config.folders, job)
    last = data.get("last_run") or {}
    succeeded = state.moment(data.get("last_success")) or (
        state.moment(last.get("finished")) if last.get("status") in ("ok", "warning") else None
    )
    # the time between two runs, around now: a day for the daily job, a week for the weekly one
    slot = latest_at(expression, now)
    period = next_after(expression, slot) - slot
    allowed = period + timedelta(hours=config.health.late_hours)
    name = f"last {job} success"
    if succeeded is None:
        return Check(name, "warning", None, f"the {job} job never succeeded yet (km job {job})")
    age = now - succeeded
    hours = age.total_seconds() / 3600
    level = "warning" if age > allowed else "ok"
    return Check(name, level, round(hours, 1), f"{hours:.1f} h ago ({succeeded:%Y-%m-%d %H:%M} UTC)")


def error_rate(config: Config, now: datetime) -> Check:
    failed = worked = 0
    for job in state.JOBS:
        for run in state.read_job_state(config.folders, job).get("recent") or []:
            finished = state.moment(run.get("finished"))
            if finished is not None and now - finished <= timedelta(hours=24):
                failed += int(run.get("failed", 0))
                worked += int(run.get("worked_on", 0))
    rate = failed / worked if worked else 0.0
    critical = config.jobs.critical_failure_ratio
    level = "critical" if rate > critical else "warning" if rate > config.health.error_rate_warn else "ok"
    return Check("error rate", level, round(rate, 4), f"{failed} of {worked} items failed in the last 24 h")


def checks(config: Config, now: datetime | None = None) -> list[Check]:
    now = now or datetime.now(UTC)
    found = [disk(config), graph_size(config), log_size(config)]
    found += [last_success(config, job, expression, now) for job, expression in expressions(config).items()]
    found.append(error_rate(config, now))
    return found


def overall(found: list[Check]) -> str:
    return max((c.level for c in found), key=LEVELS.index, default="ok")


def exit_code(level: str) -> int:
    return LEVELS.index(level)  # 0 ok, 1 warning, 2 critical
