"""``km schedule install``: the jobs in the operating system's own scheduler.

- launchd (macOS): a LaunchAgent per job in ``~/Library/LaunchAgents`` with
  ``StartCalendarInterval`` (launchd runs a job missed while asleep once, at wake);
  ``--scheduler`` instead writes one KeepAlive agent running ``km scheduler run``.
- systemd (Linux): a user service and timer per job in ``~/.config/systemd/user``,
  ``OnCalendar`` from the cron expression and ``Persistent=true`` (a run missed
  while off happens at the next boot, once).
- cron: lines in the user's crontab, marked so that uninstall finds them.

Every file is built in memory first, so ``--print`` shows exactly what would be written.
"""

from __future__ import annotations

import itertools
import os
import plistlib
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from km_core.config import Config
from km_core.errors import KmError
from km_core.schedule import expressions

LABEL = "org.km"
CRON_MARK = "# km-schedule"
DAYS = ("Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat")
MAX_INTERVALS = 200  # a cron expression that expands to more calendar intervals wants the scheduler agent


@dataclass
class Planned:
    """One file (or crontab) to write, with what it holds."""

    path: Path
    text: str


def command(job: str | None) -> list[str]:
    """The command the OS runs: this Python running km (a job, or the scheduler)."""
    tail = ["job", job, "--quiet"] if job else ["scheduler", "run"]
    return [sys.executable, "-m", "km_core", *tail]


def _environment() -> dict[str, str]:
    """What the OS scheduler must pass on for km to find the same folders (KM_HOME, if set)."""
    return {key: os.environ[key] for key in ("KM_HOME",) if os.environ.get(key)}


def default_kind() -> str:
    if sys.platform == "darwin":
        return "launchd"
    if shutil.which("systemctl") and Path("/run/systemd/system").is_dir():
        return "systemd"
    return "cron"


# --- cron expression fields --------------------------------------------------------------------------------


def _values(field_text: str, low: int, high: int) -> list[int] | None:
    """The numbers a cron field stands for; None for '*' (every)."""
    if field_text == "*":
        return None
    found: set[int] = set()
    for part in field_text.split(","):
        base, _, step_text = part.partition("/")
        step = int(step_text) if step_text else 1
        if base == "*":
            start, end = low, high
        elif "-" in base:
            start, end = (int(v) for v in base.split("-", 1))
        else:
            start = int(base)
            end = high if step_text else start
        found.update(range(start, end + 1, step))
    return sorted(v % 7 if high == 7 else v for v in found)  # cron's weekday 7 is Sunday, as 0


def _fields(expression: str) -> list[list[int] | None]:
    minute, hour, day, month, weekday = expression.split()
    if any(not c.isdigit() and c not in "*,-/" for c in expression.replace(" ", "")):
        raise KmError(
            f"cron expression {expression!r} uses names or specials the OS schedulers do not share",
            "write it with numbers only (e.g. 0 23 * * 0), or install the scheduler: --scheduler",
        )
    return [
        _values(minute, 0, 59),
        _values(hour, 0, 23),
        _values(day, 1, 31),
        _values(month, 1, 12),
        _values(weekday, 0, 7),
    ]


def calendar_intervals(expression: str) -> list[dict[str, int]]:
    """launchd's StartCalendarInterval dicts for a cron expression (every combination of listed values)."""
    keys = ("Minute", "Hour", "Day", "Month", "Weekday")
    parsed = _fields(expression)
    if parsed[2] is not None and parsed[4] is not None:
        raise KmError(
            f"cron expression {expression!r} gives both a day of the month and a weekday",
            "cron runs on either, launchd and systemd on both: pick one, or install the scheduler: --scheduler",
        )
    axes = [[(key, v) for v in values] for key, values in zip(keys, parsed, strict=True) if values is not None]
    combos = list(itertools.islice(itertools.product(*axes), MAX_INTERVALS + 1))
    if len(combos) > MAX_INTERVALS:
        raise KmError(
            f"cron expression {expression!r} makes over {MAX_INTERVALS} launchd intervals",
            "install the scheduler agent instead: km schedule install --launchd --scheduler",
        )
    return [dict(combo) for combo in combos]


def on_calendar(expression: str) -> str:
    """systemd's OnCalendar for a cron expression."""
    minute, hour, day, month, weekday = _fields(expression)
    if day is not None and weekday is not None:
        calendar_intervals(expression)  # raises the same clear error

    def part(values: list[int] | None, width: int = 2) -> str:
        return "*" if values is None else ",".join(f"{v:0{width}d}" for v in values)

    days = "" if weekday is None else ",".join(DAYS[v] for v in weekday) + " "
    return f"{days}*-{part(month)}-{part(day)} {part(hour)}:{part(minute)}:00"


# --- the three kinds -----------------------------------------------------------------------------------------


def plan_launchd(config: Config, scheduler: bool = False) -> list[Planned]:
    folder = Path.home() / "Library" / "LaunchAgents"
    logs = config.folders.logs / "jobs"
    agents: list[tuple[str, dict[str, object]]] = []
    if scheduler:
        agents.append(("scheduler", {"KeepAlive": True, "RunAtLoad": True, "ProgramArguments": command(None)}))
    else:
        for job, expression in expressions(config).items():
            intervals = calendar_intervals(expression)
            when = intervals[0] if len(intervals) == 1 else intervals
            agents.append((job, {"ProgramArguments": command(job), "StartCalendarInterval": when}))
    planned = []
    for name, body in agents:
        label = f"{LABEL}.{name}"
        plist: dict[str, object] = {"Label": label, **body}
        plist["StandardOutPath"] = str(logs / f"launchd-{name}.out.log")
        plist["StandardErrorPath"] = str(logs / f"launchd-{name}.err.log")
        plist["ProcessType"] = "Background"
        if env := _environment():
            plist["EnvironmentVariables"] = env
        planned.append(Planned(folder / f"{label}.plist", plistlib.dumps(plist, sort_keys=False).decode()))
    return planned


def plan_systemd(config: Config, scheduler: bool = False) -> list[Planned]:
    folder = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config") / "systemd" / "user"
    env = "".join(f"Environment={key}={shlex.quote(value)}\n" for key, value in _environment().items())

    def exec_line(job: str | None) -> str:
        return " ".join(shlex.quote(part) for part in command(job))

    if scheduler:
        service = (
            "[Unit]\nDescription=km scheduler: daily, weekly and monthly jobs\n\n"
            f"[Service]\nType=simple\nExecStart={exec_line(None)}\n{env}Restart=on-failure\n\n"
            "[Install]\nWantedBy=default.target\n"
        )
        return [Planned(folder / "km-scheduler.service", service)]
    planned = []
    for job, expression in expressions(config).items():
        service = (
            f"[Unit]\nDescription=km {job} job\n\n"
            f"[Service]\nType=oneshot\nExecStart={exec_line(job)}\n{env}Nice=10\nIOSchedulingClass=idle\n"
        )
        timer = (
            f"[Unit]\nDescription=km {job} job ({expression})\n\n"
            f"[Timer]\nOnCalendar={on_calendar(expression)}\nPersistent=true\nUnit=km-{job}.service\n\n"
            "[Install]\nWantedBy=timers.target\n"
        )
        planned += [Planned(folder / f"km-{job}.service", service), Planned(folder / f"km-{job}.timer", timer)]
    return planned


def _need_crontab() -> None:
    if shutil.which("crontab") is None:
        raise KmError("no crontab command on this machine", "install cron, or use --systemd or km scheduler run")


def _crontab() -> str:
    """The user's crontab ('' when there is none, or no cron here: --print still shows km's lines)."""
    if shutil.which("crontab") is None:
        return ""
    done = subprocess.run(["crontab", "-l"], capture_output=True, text=True, check=False)
    return done.stdout if done.returncode == 0 else ""  # 1: no crontab yet


def plan_cron(config: Config, current: str | None = None) -> list[Planned]:
    env = " ".join(f"{key}={shlex.quote(value)}" for key, value in _environment().items())
    kept = [line for line in (current if current is not None else _crontab()).splitlines() if CRON_MARK not in line]
    ours = [
        f"{expression} {env + ' ' if env else ''}{' '.join(shlex.quote(p) for p in command(job))} {CRON_MARK} {job}"
        for job, expression in expressions(config).items()
    ]
    return [Planned(Path("crontab"), "\n".join([*kept, *ours]) + "\n")]


def plan(config: Config, kind: str, scheduler: bool = False) -> list[Planned]:
    if kind == "launchd":
        return plan_launchd(config, scheduler)
    if kind == "systemd":
        return plan_systemd(config, scheduler)
    if scheduler:
        raise KmError("cron cannot keep the scheduler running", "use --launchd or --systemd with --scheduler")
    return plan_cron(config)


def install(config: Config, kind: str, scheduler: bool = False) -> list[str]:
    """Write the files and tell the OS; returns what was done, a line each."""
    done: list[str] = []
    if kind == "cron":
        _need_crontab()
    planned = plan(config, kind, scheduler)
    if kind == "cron":
        subprocess.run(["crontab", "-"], input=planned[0].text, text=True, check=True)
        return [f"crontab: {len(expressions(config))} km line(s) written"]
    for item in planned:
        item.path.parent.mkdir(parents=True, exist_ok=True)
        item.path.write_text(item.text, encoding="utf-8")
        done.append(f"wrote {item.path}")
    done += _activate(kind, [p.path for p in planned], load=True)
    return done


def uninstall(kind: str) -> list[str]:
    done: list[str] = []
    if kind == "cron":
        _need_crontab()
        current = _crontab()
        kept = [line for line in current.splitlines() if CRON_MARK not in line]
        subprocess.run(["crontab", "-"], input="\n".join(kept) + ("\n" if kept else ""), text=True, check=True)
        return [f"crontab: {len(current.splitlines()) - len(kept)} km line(s) removed"]
    if kind == "launchd":
        paths = sorted((Path.home() / "Library" / "LaunchAgents").glob(f"{LABEL}.*.plist"))
    else:
        folder = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config") / "systemd" / "user"
        paths = sorted([*folder.glob("km-*.timer"), *folder.glob("km-*.service")])
    done += _activate(kind, paths, load=False)
    for path in paths:
        path.unlink(missing_ok=True)
        done.append(f"removed {path}")
    return done or ["nothing of km's was installed"]


def _activate(kind: str, paths: list[Path], load: bool) -> list[str]:
    """Tell launchd or systemd; where the tool is missing, say what to run instead."""
    tool = "launchctl" if kind == "launchd" else "systemctl"
    if shutil.which(tool) is None:
        return [f"{tool} not found here: the files are in place; load them on the machine that runs km"]
    commands: list[list[str]] = []
    if kind == "launchd":
        verb = "load" if load else "unload"
        commands = [["launchctl", verb, "-w", str(p)] for p in paths if p.suffix == ".plist"]
    else:
        units = [p.name for p in paths if p.suffix == ".timer"] or [p.name for p in paths if p.suffix == ".service"]
        commands = [["systemctl", "--user", "daemon-reload"]]
        if units:
            commands.append(["systemctl", "--user", "enable" if load else "disable", "--now", *units])
    said = []
    for argv in commands:
        done = subprocess.run(argv, capture_output=True, text=True, check=False)
        status = "ok" if done.returncode == 0 else f"failed: {done.stderr.strip() or done.returncode}"
        said.append(f"{' '.join(argv)}: {status}")
    return said
