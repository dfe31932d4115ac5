"""km health, each threshold triggered through the real command; km schedule install for launchd, systemd, cron."""

from __future__ import annotations

import json
import os
import plistlib
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from conftest import run_km, write_config

from km_core import config as config_mod
from km_core import state
from km_core.errors import KmError
from km_core.schedule_install import calendar_intervals, on_calendar, plan_cron


def docs(home: Path) -> Path:
    folder = home.parent / "docs"
    folder.mkdir(exist_ok=True)
    return folder


def health(home: Path) -> tuple[int, dict]:
    done = run_km("health", "--json", home=home)
    return done.returncode, json.loads(done.stdout)


def by_name(report: dict) -> dict[str, dict]:
    return {c["name"]: c for c in report["checks"]}


def succeed_all(home: Path, hours_ago: float = 1) -> None:
    dirs = config_mod.load().folders
    for job in state.JOBS:
        finished = (datetime.now(UTC) - timedelta(hours=hours_ago)).isoformat()
        state.update_job_state(dirs, job, last_success=finished)


def test_healthy_home_exits_0(km_home: Path) -> None:
    write_config(km_home, [docs(km_home)])
    assert run_km("job", "daily", "--quiet", home=km_home).returncode == 0
    succeed_all(km_home)
    code, report = health(km_home)
    assert code == 0 and report["status"] == "ok", report
    checks = by_name(report)
    assert checks["disk"]["value"] > 0 and checks["graph"]["value"] > 0
    assert checks["error rate"]["message"].endswith("failed in the last 24 h")


@pytest.mark.parametrize(
    ("setting", "check", "level", "code"),
    [
        ("disk_warn_gb = 100000000.0", "disk", "warning", 1),
        ("disk_warn_gb = 100000000.0\ndisk_critical_gb = 100000000.0", "disk", "critical", 2),
        ("graph_warn_gb = 0.000001", "graph", "warning", 1),
        ("logs_warn_gb = 0.0000001", "logs", "warning", 1),
    ],
)
def test_size_thresholds(km_home: Path, setting: str, check: str, level: str, code: int) -> None:
    write_config(km_home, [docs(km_home)], f"[health]\n{setting}\n")
    assert run_km("job", "daily", "--quiet", home=km_home).returncode == 0  # a graph and a log to measure
    succeed_all(km_home)
    got, report = health(km_home)
    assert got == code and report["status"] == level and by_name(report)[check]["level"] == level, report


def test_late_and_never_run_jobs_warn(km_home: Path) -> None:
    write_config(km_home, [docs(km_home)])
    dirs = config_mod.load().folders
    succeed_all(km_home)
    state.update_job_state(dirs, "daily", last_success=(datetime.now(UTC) - timedelta(hours=80)).isoformat())
    state.update_job_state(dirs, "monthly", last_success=None)
    code, report = health(km_home)
    checks = by_name(report)
    assert code == 1
    assert checks["last daily success"]["level"] == "warning" and checks["last daily success"]["value"] >= 80
    assert checks["last weekly success"]["level"] == "ok"  # 1 h ago
    assert "never succeeded" in checks["last monthly success"]["message"]


def test_a_weekly_job_five_days_old_is_on_time(km_home: Path) -> None:
    write_config(km_home, [docs(km_home)])
    succeed_all(km_home, hours_ago=5 * 24)
    checks = by_name(health(km_home)[1])
    assert checks["last weekly success"]["level"] == "ok" and checks["last monthly success"]["level"] == "ok"
    assert checks["last daily success"]["level"] == "warning"  # a day plus 48 h has passed


@pytest.mark.parametrize(("failed", "level", "code"), [(3, "ok", 0), (8, "warning", 1), (60, "critical", 2)])
def test_error_rate_over_the_last_day(km_home: Path, failed: int, level: str, code: int) -> None:
    write_config(km_home, [docs(km_home)])
    succeed_all(km_home)
    dirs = config_mod.load().folders
    now = datetime.now(UTC)
    recent = [
        {"finished": (now - timedelta(hours=2)).isoformat(), "failed": failed, "worked_on": 100},
        {"finished": (now - timedelta(hours=30)).isoformat(), "failed": 100, "worked_on": 100},  # older than a day
    ]
    state.update_job_state(dirs, "daily", recent=recent)
    got, report = health(km_home)
    assert got == code and by_name(report)["error rate"]["level"] == level
    assert by_name(report)["error rate"]["value"] == failed / 100


def test_job_runs_leave_a_history_for_the_error_rate(km_home: Path, tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.txt").write_text("hello there, a small note\n", encoding="utf-8")
    write_config(km_home, [docs])
    for _ in range(2):
        assert run_km("job", "daily", "--quiet", home=km_home).returncode == 0
    data = state.read_job_state(config_mod.load().folders, "daily")
    assert len(data["recent"]) == 2 and data["recent"][0]["worked_on"] == 1 and data["last_success"]


# --- km schedule install ---------------------------------------------------------------------------------------


@pytest.fixture
def fake_home(tmp_path: Path) -> dict[str, str]:
    """HOME and XDG_CONFIG_HOME in the test's folder, and a PATH without launchctl or systemctl: nothing of
    the machine's own schedule is touched."""
    home = tmp_path / "user"
    home.mkdir()
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    return {"HOME": str(home), "XDG_CONFIG_HOME": str(home / ".config"), "PATH": str(bin_dir)}


def test_launchd_agents_are_valid_plists(km_home: Path, fake_home: dict[str, str]) -> None:
    write_config(km_home, [docs(km_home)], '[schedule]\nweekly = "30 23 * * 0"\nmonthly = "0 3 1,15 * *"\n')
    done = run_km("schedule", "install", "--launchd", home=km_home, env=fake_home)
    assert done.returncode == 0, done.stderr
    assert "launchctl not found" in done.stderr
    folder = Path(fake_home["HOME"]) / "Library" / "LaunchAgents"
    agents = {p.name: plistlib.loads(p.read_bytes()) for p in folder.glob("*.plist")}
    assert set(agents) == {"org.km.daily.plist", "org.km.weekly.plist", "org.km.monthly.plist"}
    daily = agents["org.km.daily.plist"]
    assert daily["Label"] == "org.km.daily"
    assert daily["ProgramArguments"] == [sys.executable, "-m", "km_core", "job", "daily", "--quiet"]
    assert daily["StartCalendarInterval"] == {"Minute": 0, "Hour": 2}
    assert daily["EnvironmentVariables"] == {"KM_HOME": str(km_home)}
    assert agents["org.km.weekly.plist"]["StartCalendarInterval"] == {"Minute": 30, "Hour": 23, "Weekday": 0}
    assert agents["org.km.monthly.plist"]["StartCalendarInterval"] == [
        {"Minute": 0, "Hour": 3, "Day": 1},
        {"Minute": 0, "Hour": 3, "Day": 15},
    ]
    removed = run_km("schedule", "uninstall", "--launchd", home=km_home, env=fake_home)
    assert removed.returncode == 0 and not list(folder.glob("*.plist"))


def test_launchd_scheduler_agent_keeps_alive(km_home: Path, fake_home: dict[str, str]) -> None:
    write_config(km_home, [docs(km_home)])
    printed = run_km("schedule", "install", "--launchd", "--scheduler", "--print", home=km_home, env=fake_home)
    body = printed.stdout.split("\n", 1)[1]
    agent = plistlib.loads(body.encode())
    assert agent["KeepAlive"] is True and agent["ProgramArguments"][-2:] == ["scheduler", "run"]
    assert not (Path(fake_home["HOME"]) / "Library").exists()  # --print writes nothing


def test_systemd_units_have_the_right_keys(km_home: Path, fake_home: dict[str, str]) -> None:
    write_config(km_home, [docs(km_home)], '[schedule]\nmonthly = ""\n')
    done = run_km("schedule", "install", "--systemd", home=km_home, env=fake_home)
    assert done.returncode == 0, done.stderr
    folder = Path(fake_home["XDG_CONFIG_HOME"]) / "systemd" / "user"
    assert sorted(p.name for p in folder.iterdir()) == [
        "km-daily.service",
        "km-daily.timer",
        "km-weekly.service",
        "km-weekly.timer",
    ]
    timer = (folder / "km-weekly.timer").read_text()
    assert "OnCalendar=Sun *-*-* 23:00:00" in timer and "Persistent=true" in timer
    assert "Unit=km-weekly.service" in timer and "WantedBy=timers.target" in timer
    service = (folder / "km-daily.service").read_text()
    assert "Type=oneshot" in service and f"ExecStart={sys.executable} -m km_core job daily --quiet" in service
    assert f"Environment=KM_HOME={km_home}" in service
    assert run_km("schedule", "uninstall", "--systemd", home=km_home, env=fake_home).returncode == 0
    assert not list(folder.iterdir())


def test_cron_lines_keep_the_users_own(km_home: Path) -> None:
    write_config(km_home, [docs(km_home)])
    mine = "# my backups\n15 4 * * * /usr/local/bin/backup\n0 2 * * * old km line # km-schedule daily\n"
    lines = plan_cron(config_mod.load(), mine)[0].text.splitlines()
    assert lines[:2] == ["# my backups", "15 4 * * * /usr/local/bin/backup"]
    ours = [line for line in lines if "# km-schedule" in line]
    assert len(ours) == 3 and ours[0].startswith(f"0 2 * * * KM_HOME={km_home} {sys.executable} -m km_core job daily")
    assert "old km line" not in "\n".join(lines)


def test_cron_translations() -> None:
    assert on_calendar("*/15 8-10 * * 1-5") == "Mon,Tue,Wed,Thu,Fri *-*-* 08,09,10:00,15,30,45:00"
    assert calendar_intervals("0 9 * * 7") == [{"Minute": 0, "Hour": 9, "Weekday": 0}]
    with pytest.raises(KmError, match="both a day of the month and a weekday"):
        on_calendar("0 9 1 * 1")


def test_print_shows_without_writing(km_home: Path, fake_home: dict[str, str]) -> None:
    write_config(km_home, [docs(km_home)])
    done = run_km("schedule", "install", "--systemd", "--print", home=km_home, env=fake_home)
    assert "OnCalendar=*-*-01 03:00:00" in done.stdout and "[Timer]" in done.stdout
    assert not (Path(fake_home["XDG_CONFIG_HOME"]) / "systemd").exists()
    assert os.environ.get("HOME") != fake_home["HOME"]


def test_cron_print_works_without_cron_and_install_says_what_is_missing(
    km_home: Path, fake_home: dict[str, str]
) -> None:
    write_config(km_home, [docs(km_home)])
    printed = run_km("schedule", "install", "--cron", "--print", home=km_home, env=fake_home)
    assert printed.returncode == 0 and printed.stdout.count("# km-schedule") == 3
    done = run_km("schedule", "install", "--cron", home=km_home, env=fake_home)  # no crontab on this PATH
    assert done.returncode != 0 and "no crontab command" in done.stderr
