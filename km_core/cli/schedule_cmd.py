"""``km scheduler run``, ``km schedule show|install|uninstall`` and ``km health``."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from km_core.cli.output import JsonOpt, emit_json, fail, say, table
from km_core.errors import KmError

scheduler_app = typer.Typer(help="The long-running scheduler.", no_args_is_help=True)
schedule_app = typer.Typer(help="When jobs run: show the schedule, install it in the OS.", no_args_is_help=True)


@scheduler_app.command("run")
def scheduler_run() -> None:
    """Run the daily, weekly and monthly jobs at their times until stopped (SIGTERM, Ctrl-C).

    Jobs missed while the machine slept or was off run once when it is back.
    """
    from km_core import logs
    from km_core.config import load
    from km_core.locks import FileLock
    from km_core.schedule import Scheduler, install_signals

    try:
        config = load()
    except KmError as error:
        raise fail(error) from None
    config.folders.ensure()
    lock = FileLock(config.folders.locks / "scheduler.lock")
    if not lock.try_acquire():
        say(f"a km scheduler is already running (pid {lock.holder() or '?'})")
        return
    try:

        def open_log() -> None:
            logs.setup(config.folders.logs, "scheduler", config.logging.level)

        open_log()
        scheduler = Scheduler(config, on_new_day=open_log)
        install_signals(scheduler)
        say(f"km scheduler running (pid {os.getpid()}); log: {config.folders.logs / 'jobs'}")
        scheduler.serve()
    finally:
        lock.release()


def _kind(launchd: bool, systemd: bool, cron: bool) -> str:
    from km_core.schedule_install import default_kind

    chosen = [k for k, on in (("launchd", launchd), ("systemd", systemd), ("cron", cron)) if on]
    if len(chosen) > 1:
        raise fail(KmError("give one of --launchd, --systemd, --cron", "or none for this platform's own"))
    return chosen[0] if chosen else default_kind()


LaunchdOpt = Annotated[bool, typer.Option("--launchd", help="macOS LaunchAgents.")]
SystemdOpt = Annotated[bool, typer.Option("--systemd", help="systemd user timers.")]
CronOpt = Annotated[bool, typer.Option("--cron", help="Lines in your crontab.")]


@schedule_app.command("show")
def schedule_show(as_json: JsonOpt = False) -> None:
    """The next run of each job, its cron expression and its last run."""
    from datetime import datetime

    from km_core.config import load
    from km_core.schedule import plan

    try:
        rows = plan(load(), datetime.now().astimezone())
    except KmError as error:
        raise fail(error) from None
    if as_json:
        emit_json(rows)
        return
    table(
        ["job", "cron", "next run (local)", "last run (UTC)", "last status"],
        [
            [
                r["job"],
                r["cron"],
                ("due now (missed) " if r["due"] else "") + r["next_run"][:16].replace("T", " "),
                r["last_run"][:19].replace("T", " "),
                r["last_status"],
            ]
            for r in rows
        ],
    )


@schedule_app.command("install")
def schedule_install(
    launchd: LaunchdOpt = False,
    systemd: SystemdOpt = False,
    cron: CronOpt = False,
    scheduler: Annotated[
        bool, typer.Option("--scheduler", help="One always-running km scheduler instead of one entry per job.")
    ] = False,
    print_only: Annotated[bool, typer.Option("--print", help="Show what would be written; write nothing.")] = False,
) -> None:
    """Put the schedule in the OS scheduler (default: launchd on macOS, systemd where it runs, else cron)."""
    from km_core import schedule_install as installer
    from km_core.config import load

    kind = _kind(launchd, systemd, cron)
    try:
        config = load()
        if print_only:
            for planned in installer.plan(config, kind, scheduler):
                typer.echo(f"# {planned.path}")
                typer.echo(planned.text)
            return
        for line in installer.install(config, kind, scheduler):
            say(line)
    except KmError as error:
        raise fail(error) from None


@schedule_app.command("uninstall")
def schedule_uninstall(launchd: LaunchdOpt = False, systemd: SystemdOpt = False, cron: CronOpt = False) -> None:
    """Remove what km schedule install wrote."""
    from km_core import schedule_install as installer

    try:
        for line in installer.uninstall(_kind(launchd, systemd, cron)):
            say(line)
    except KmError as error:
        raise fail(error) from None


def health(as_json: JsonOpt = False) -> None:
    """Disk space, graph and log size, last successful runs, error rate. Exit 0 ok, 1 warning, 2 critical."""
    from km_core import health as health_mod
    from km_core.config import load

    try:
        found = health_mod.checks(load())
    except KmError as error:
        raise fail(error) from None
    level = health_mod.overall(found)
    if as_json:
        emit_json({"status": level, "checks": [c.as_dict() for c in found]})
    else:
        marks = {"ok": "ok", "warning": "WARNING", "critical": "CRITICAL"}
        table(["check", "status", "detail"], [[c.name, marks[c.level], c.message] for c in found])
        say(f"health: {level}")
    raise typer.Exit(health_mod.exit_code(level))


def register(app: typer.Typer) -> None:
    app.add_typer(scheduler_app, name="scheduler")
    app.add_typer(schedule_app, name="schedule")
    app.command()(health)
