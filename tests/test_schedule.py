"""The scheduler on a controlled clock, its state across restarts, the real jobs it starts, SIGTERM, schedule show."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from conftest import run_km, write_config

from km_core import config as config_mod
from km_core import state
from km_core.schedule import Scheduler, SchedulerState, latest_at, plan

ZONE = ZoneInfo("Europe/Berlin")


class FakeClock:
    """Time that moves only when the scheduler sleeps (or the test says the machine slept)."""

    def __init__(self, start: datetime) -> None:
        self.moment = start
        self.naps: list[float] = []
        self.jump: tuple[datetime, datetime] | None = None  # (when, to): the machine sleeps through

    def now(self) -> datetime:
        return self.moment

    def sleep(self, seconds: float) -> None:
        self.naps.append(seconds)
        self.moment += timedelta(seconds=seconds)
        if self.jump and self.moment >= self.jump[0]:
            self.moment, self.jump = self.jump[1], None


class Recorder:
    def __init__(self, clock: FakeClock) -> None:
        self.clock = clock
        self.ran: list[tuple[str, datetime]] = []

    def __call__(self, job: str) -> int:
        self.ran.append((job, self.clock.now()))
        self.clock.moment += timedelta(minutes=5)  # a job takes a while
        return 0


def load(home: Path, extra: str = "") -> config_mod.Config:
    write_config(home, [home], extra)
    return config_mod.load()


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=ZONE)


def test_first_start_runs_nothing_then_each_job_at_its_time(km_home: Path) -> None:
    config = load(km_home)
    clock = FakeClock(at("2026-03-02 10:00"))  # a Monday
    runner = Recorder(clock)
    days: list[str] = []
    scheduler = Scheduler(config, clock, runner, on_new_day=lambda: days.append(clock.now().strftime("%a")))
    assert scheduler.run_due() == []  # a new install does not start every job at once
    scheduler.serve(until=lambda: clock.now() >= at("2026-03-09 12:00"))
    jobs = [(job, moment.strftime("%a %d %H:%M")) for job, moment in runner.ran]
    daily = [m for j, m in jobs if j == "daily"]
    assert daily == [f"{day} 02:00" for day in ("Tue 03", "Wed 04", "Thu 05", "Fri 06", "Sat 07", "Sun 08", "Mon 09")]
    assert [m for j, m in jobs if j == "weekly"] == ["Sun 08 23:00"]
    assert not [m for j, m in jobs if j == "monthly"]
    assert max(clock.naps) <= 60  # it wakes at least every minute to notice a jump in time
    assert days == ["Tue", "Wed", "Thu", "Fri", "Sat", "Sun", "Mon"]  # today's log file opened each day


def test_missed_slots_run_once_after_a_gap_and_state_survives_a_restart(km_home: Path) -> None:
    config = load(km_home)
    clock = FakeClock(at("2026-03-02 10:00"))
    runner = Recorder(clock)
    Scheduler(config, clock, runner).run_due()  # first start: the reference is now
    saved = SchedulerState.load(config)
    assert set(saved.handled) == {"daily", "weekly", "monthly"}

    clock.moment = at("2026-04-20 09:00")  # off for seven weeks: 49 daily, 7 weekly, 1 monthly slots missed
    restarted = Scheduler(config, clock, runner)  # a new process: it knows only the state file
    assert restarted.run_due() == ["daily", "weekly", "monthly"]
    assert [job for job, _ in runner.ran] == ["daily", "weekly", "monthly"]  # once each, in order
    handled = SchedulerState.load(config).handled
    assert handled["daily"] == at("2026-04-20 02:00") and handled["weekly"] == at("2026-04-19 23:00")
    assert handled["monthly"] == at("2026-04-01 03:00")
    assert Scheduler(config, clock, runner).run_due() == []  # nothing runs twice


def test_a_wake_from_sleep_catches_up_at_once(km_home: Path) -> None:
    config = load(km_home)
    clock = FakeClock(at("2026-03-02 10:00"))
    clock.jump = (at("2026-03-02 12:00"), at("2026-03-05 08:30"))  # the lid closed at noon for three days
    runner = Recorder(clock)
    scheduler = Scheduler(config, clock, runner)
    scheduler.run_due()
    scheduler.serve(until=lambda: clock.now() >= at("2026-03-05 09:00"))
    # the three missed 02:00 runs are one run, at wake, not one at the next minute's check nor three
    assert runner.ran == [("daily", at("2026-03-05 08:30"))]


def test_catch_up_off_skips_missed_runs(km_home: Path) -> None:
    config = load(km_home, "[schedule]\ncatch_up = false\n")
    clock = FakeClock(at("2026-03-02 10:00"))
    runner = Recorder(clock)
    Scheduler(config, clock, runner).run_due()
    clock.moment = at("2026-03-10 09:00")
    assert Scheduler(config, clock, runner).run_due() == [] and runner.ran == []
    assert SchedulerState.load(config).handled["daily"] == at("2026-03-10 02:00")


def test_a_manual_run_counts_as_the_reference(km_home: Path) -> None:
    config = load(km_home)
    state.update_job_state(config.folders, "daily", last_run={"started": at("2026-03-01 09:00").isoformat()})
    rows = {r["job"]: r for r in plan(config, at("2026-03-02 10:00"))}
    assert rows["daily"]["due"] is True  # the 02:00 slot after that run was missed
    assert rows["weekly"]["due"] is False and rows["weekly"]["next_run"].startswith("2026-03-08T23:00")


def test_latest_slot_at_or_before() -> None:
    assert latest_at("0 2 * * *", at("2026-03-02 02:00")) == at("2026-03-02 02:00")
    assert latest_at("0 2 * * *", at("2026-03-02 01:59")) == at("2026-03-01 02:00")


def test_bad_cron_in_config_names_the_field(km_home: Path) -> None:
    write_config(km_home, [km_home], '[schedule]\nweekly = "sundays at 11"\n')
    done = run_km("schedule", "show", home=km_home)
    assert done.returncode == 2
    assert "schedule.weekly" in done.stderr and "five fields" in done.stderr


def test_schedule_show_json(km_home: Path) -> None:
    write_config(km_home, [km_home], '[schedule]\nmonthly = ""\n')
    rows = json.loads(run_km("schedule", "show", "--json", home=km_home).stdout)
    assert [r["job"] for r in rows] == ["daily", "weekly"]
    assert rows[0]["cron"] == "0 2 * * *" and rows[0]["due"] is False


def test_real_scheduler_process_runs_a_missed_job_and_stops_on_sigterm(km_home: Path, tmp_path: Path) -> None:
    """km scheduler run for real: a daily job missed since its last run runs at start, then SIGTERM stops it."""
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "note.txt").write_text("A note about the scheduler.\n", encoding="utf-8")
    write_config(km_home, [folder], '[schedule]\nweekly = ""\nmonthly = ""\n')
    config = config_mod.load()
    two_days_ago = (datetime.now().astimezone() - timedelta(days=2)).isoformat()
    state.update_job_state(config.folders, "daily", last_run={"started": two_days_ago})
    env = {**os.environ, "KM_HOME": str(km_home), "KM_LOAD_PLUGINS": "filesystem,text"}
    process = subprocess.Popen(
        [sys.executable, "-m", "km_core", "scheduler", "run"], env=env, stderr=subprocess.PIPE, text=True
    )
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            last = state.read_job_state(config.folders, "daily").get("last_run") or {}
            # the job's state is written by the job, the scheduler's after it: wait for both
            if last.get("status") == "ok" and "daily" in SchedulerState.load(config).handled:
                break
            time.sleep(0.5)
        assert last.get("status") == "ok" and last["counts"]["discovered"] == 1
        handled = SchedulerState.load(config).handled
        assert handled["daily"] == latest_at("0 2 * * *", datetime.now().astimezone())
        again = subprocess.run(
            [sys.executable, "-m", "km_core", "scheduler", "run"], env=env, capture_output=True, text=True, timeout=60
        )
        assert "already running" in again.stderr  # one scheduler at a time
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0
    finally:
        if process.poll() is None:
            process.kill()
    data = json.loads((config.folders.state / "scheduler.json").read_text())
    assert data["pid"] is None  # it said goodbye


def test_sigterm_during_a_job_stops_the_job_between_steps(km_home: Path, tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    for n in range(300):
        (folder / f"n{n}.txt").write_text(f"Note {n} about gardens and rivers.\n" * 20, encoding="utf-8")
    write_config(km_home, [folder], '[schedule]\nweekly = ""\nmonthly = ""\n')
    config = config_mod.load()
    state.update_job_state(
        config.folders, "daily", last_run={"started": (datetime.now().astimezone() - timedelta(days=2)).isoformat()}
    )
    env = {**os.environ, "KM_HOME": str(km_home)}
    process = subprocess.Popen([sys.executable, "-m", "km_core", "scheduler", "run"], env=env, text=True)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not state.read_job_state(config.folders, "daily").get("running"):
            time.sleep(0.2)
        assert state.read_job_state(config.folders, "daily").get("running"), "the daily job never started"
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=120) == 0
    finally:
        if process.poll() is None:
            process.kill()
    last = state.read_job_state(config.folders, "daily")["last_run"]
    assert last["status"] == "interrupted"  # it stopped at a step boundary: 300 files take far longer than that
    assert not state.read_job_state(config.folders, "daily").get("running")
