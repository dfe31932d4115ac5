"""When jobs run: croniter expressions from ``[schedule]``, and the long-running scheduler.

The scheduler keeps, per job, the last slot it handled (``state/scheduler.json``).
A job is due when the next slot after that one has come; however many slots
were missed while the machine slept or was off, the job runs once and the
latest slot is recorded. The first time a job is seen its reference is its
last run (from the job's state file, a manual ``km job`` counts), or now when
it never ran: a new install does not start every job at once. Jobs run one at
a time, as ``km job NAME`` processes, so they take the same lock as the CLI and
a job that crashes never takes the scheduler down.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from croniter import croniter

from km_core import state
from km_core.config import Config

log = logging.getLogger("km.scheduler")

ORDER = ("daily", "weekly", "monthly")
MAX_NAP_S = 60.0  # wake at least this often: a jump in wall-clock time (sleep, resume) is noticed soon
JUMP_S = 120.0  # a nap that overran by more than this was a machine asleep
LATE = timedelta(hours=1)  # a run this long after its slot is a catch-up (a job before it ran long, or a wake)


class Clock(Protocol):
    def now(self) -> datetime: ...
    def sleep(self, seconds: float) -> None: ...


class SystemClock:
    def __init__(self) -> None:
        self._woken = threading.Event()

    def now(self) -> datetime:
        return datetime.now().astimezone()  # cron times are the user's local times

    def sleep(self, seconds: float) -> None:
        """Sleep, but return at once when ``wake`` is called (from a signal handler)."""
        self._woken.wait(seconds)

    def wake(self) -> None:
        self._woken.set()


def expressions(config: Config) -> dict[str, str]:
    return {job: getattr(config.schedule, job) for job in ORDER if getattr(config.schedule, job)}


def next_after(expression: str, moment: datetime) -> datetime:
    return croniter(expression, moment).get_next(datetime)  # type: ignore[no-any-return]


def latest_at(expression: str, moment: datetime) -> datetime:
    """The latest slot at or before ``moment``."""
    following = next_after(expression, moment - timedelta(seconds=1))
    return following if following <= moment else croniter(expression, moment).get_prev(datetime)


@dataclass
class SchedulerState:
    """What survives a restart: the last slot handled per job."""

    handled: dict[str, datetime] = field(default_factory=dict)

    @classmethod
    def load(cls, config: Config) -> SchedulerState:
        data = state.read_json(config.folders.state / "scheduler.json")
        handled = data.get("handled", {}) if isinstance(data, dict) else {}
        return cls({job: moment for job, value in handled.items() if (moment := state.moment(value)) is not None})

    def save(self, config: Config, **extra: Any) -> None:
        data = {"handled": {job: moment.isoformat() for job, moment in self.handled.items()}, **extra}
        state.write_json(config.folders.state / "scheduler.json", data)


def reference(config: Config, job: str, saved: SchedulerState, now: datetime) -> datetime:
    """Where the job's slots are counted from: the last slot handled, else its last run, else now."""
    if job in saved.handled:
        return saved.handled[job]
    last = state.read_job_state(config.folders, job).get("last_run") or {}
    return state.moment(last.get("started")) or now


def plan(config: Config, now: datetime, saved: SchedulerState | None = None) -> list[dict[str, Any]]:
    """Each scheduled job: its expression, last slot handled, whether a run is due now, and the next run."""
    saved = saved or SchedulerState.load(config)
    rows = []
    for job, expression in expressions(config).items():
        since = reference(config, job, saved, now)
        due = next_after(expression, since) <= now
        last = state.read_job_state(config.folders, job).get("last_run") or {}
        rows.append(
            {
                "job": job,
                "cron": expression,
                "due": due,
                "next_run": (now if due else next_after(expression, now)).isoformat(timespec="minutes"),
                "last_run": last.get("started", ""),
                "last_status": last.get("status", ""),
            }
        )
    return rows


def run_job_process(job: str) -> int:
    """``km job JOB`` in a process of its own; its exit code."""
    command = [sys.executable, "-m", "km_core", "job", job, "--quiet"]
    child = subprocess.Popen(command, stdin=subprocess.DEVNULL)
    _children.append(child)
    try:
        return child.wait()
    finally:
        _children.remove(child)


_children: list[subprocess.Popen[bytes]] = []


class Scheduler:
    """Sleeps until a job is due, runs it, and catches up after sleep or downtime, once per job."""

    def __init__(
        self,
        config: Config,
        clock: Clock | None = None,
        runner: Callable[[str], int] = run_job_process,
        on_new_day: Callable[[], None] = lambda: None,
    ) -> None:
        self.config = config
        self.clock = clock or SystemClock()
        self.runner = runner
        # log files are named by day: a scheduler running for weeks opens today's file each day,
        # so the monthly log rotation never archives a file it still writes to
        self.on_new_day = on_new_day
        self.saved = SchedulerState.load(config)
        self.stopping = False

    def stop(self, *_: Any) -> None:
        """Stop after the job that runs now (which is told to stop between two of its steps)."""
        self.stopping = True
        wake = getattr(self.clock, "wake", None)
        if wake is not None:
            wake()
        for child in list(_children):
            child.send_signal(signal.SIGTERM)

    def run_due(self) -> list[str]:
        """Run every job whose next slot has come, once each, in order; record the latest slot."""
        ran = []
        for job, expression in expressions(self.config).items():
            if self.stopping:
                break
            now = self.clock.now()
            since = reference(self.config, job, self.saved, now)
            if next_after(expression, since) > now:
                self.saved.handled.setdefault(job, since)
                continue
            slot = latest_at(expression, now)
            missed = next_after(expression, since) < slot or now - slot > LATE
            if missed and not self.config.schedule.catch_up:
                log.info("%s: missed run(s) since %s skipped (catch_up = false)", job, since.isoformat())
            else:
                log.info("%s: %s run", job, "catch-up" if missed else "scheduled")
                code = self.runner(job)
                ran.append(job)
                log.info("%s: finished with exit code %d", job, code)
            self.saved.handled[job] = slot
            self.saved.save(self.config, pid=os.getpid())
        self.saved.save(self.config, pid=os.getpid())
        return ran

    def next_wake(self) -> datetime:
        now = self.clock.now()
        slots = [
            next_after(expression, reference(self.config, job, self.saved, now))
            for job, expression in expressions(self.config).items()
        ]
        return min(slots, default=now + timedelta(days=1))

    def serve(self, until: Callable[[], bool] = lambda: False) -> None:
        """Run until stopped (SIGTERM, SIGINT) or ``until()`` says so."""
        log.info("scheduler started (pid %d): %s", os.getpid(), expressions(self.config))
        self.run_due()  # missed while km was not running
        day = self.clock.now().date()
        while not self.stopping and not until():
            if self.clock.now().date() != day:
                day = self.clock.now().date()
                self.on_new_day()
            wake = self.next_wake()
            before = self.clock.now()
            nap = min(MAX_NAP_S, max(0.0, (wake - before).total_seconds()))
            self.clock.sleep(nap)
            overran = (self.clock.now() - before).total_seconds() - nap
            if overran > JUMP_S:
                log.info("wall clock jumped %.0f s (the machine slept): catching up", overran)
            if self.clock.now() >= wake:  # after a jump too: a missed slot is behind the clock
                self.run_due()
        self.saved.save(self.config, pid=None)
        log.info("scheduler stopped")


def install_signals(scheduler: Scheduler) -> None:
    signal.signal(signal.SIGTERM, scheduler.stop)
    signal.signal(signal.SIGINT, scheduler.stop)
