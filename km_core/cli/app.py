"""The ``km`` command line (typer). Heavy libraries are imported inside commands.

Exit codes: 0 done (also "already running"), 1 the job finished but crossed a
failure threshold, 2 usage or configuration error, 3 the graph could not be
opened or recovered.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from km_core.cli import (
    analytics_cmd,
    inspect_cmds,
    organize_cmds,
    plugins_cmd,
    review_cmd,
    schedule_cmd,
    tag_cmd,
)
from km_core.cli.output import JsonOpt, emit_json, fail, say
from km_core.errors import EXIT_GRAPH, KmError

app = typer.Typer(
    name="km",
    help="km keeps your personal knowledge graph up to date: scan, extract, tag, relate, organise.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.add_typer(plugins_cmd.app, name="plugins")
inspect_cmds.register(app)
tag_cmd.register(app)
organize_cmds.register(app)
analytics_cmd.register(app)
schedule_cmd.register(app)
review_cmd.register(app)


class JobName(StrEnum):
    daily = "daily"
    weekly = "weekly"
    monthly = "monthly"


@app.command()
def init(
    root: Annotated[list[Path] | None, typer.Option("--root", help="A folder to monitor (repeatable).")] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing km.toml.")] = False,
) -> None:
    """Write a commented default km.toml (does nothing if one exists)."""
    from km_core import config as config_mod
    from km_core.paths import folders

    dirs = folders()
    dirs.ensure()
    target = dirs.config_file
    if target.exists() and not force:
        say(f"km.toml already exists: {target} (left as it is; --force rewrites it)")
        return
    overrides = {"locations.roots": [str(p.expanduser().resolve()) for p in root]} if root else {}
    text = config_mod.default_text(overrides)
    config_mod.parse(text, str(target), dirs)  # never write a file we would refuse to read
    target.write_text(text, encoding="utf-8")
    say(f"wrote {target}")


def _progress_printer(quiet: bool, as_json: bool):  # type: ignore[no-untyped-def]
    import sys

    if quiet or as_json or not sys.stderr.isatty():
        return None
    from km_core.cli.progress import JobProgress

    return JobProgress()


@app.command()
def job(
    name: Annotated[JobName, typer.Argument(help="Which job: daily, weekly or monthly.")],
    manual: Annotated[bool, typer.Option("--manual", help="Mark the run as started by hand.")] = False,
    task: Annotated[str, typer.Option(help="Run only this step of the job (e.g. ocr, extract).")] = "",
    path: Annotated[
        Path | None,
        typer.Option(
            help="Process only this folder (daily), or read this NoteStore, calendar file or folder, "
            "or photo library or folder (weekly --task=notes|calendar|photos)."
        ),
    ] = None,
    full_rescan: Annotated[bool, typer.Option("--full-rescan", help="Re-hash and re-read every file.")] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show what would change; write nothing.")] = False,
    as_json: JsonOpt = False,
    quiet: Annotated[bool, typer.Option("--quiet", help="No progress and no summary on a terminal.")] = False,
) -> None:
    """Run a job now: discover, OCR, extract and the rest of its steps."""
    from km_core.config import load
    from km_core.run import RunOptions
    from km_core.runner import run_job

    if path is not None:
        _check_path(name.value, task, path.expanduser())
    options = RunOptions(manual, task, str(path or ""), full_rescan, dry_run)
    progress = _progress_printer(quiet, as_json)
    try:
        config = load()
        if progress is not None:
            with progress:
                summary = run_job(config, name.value, options, progress.update)
        else:
            summary = run_job(config, name.value, options)
    except KmError as error:
        raise fail(error) from None
    if summary.status == "already_running":
        say(summary.notes[0])  # stderr, also with --json
    if as_json:
        emit_json(summary.as_dict())
    elif summary.status != "already_running" and not quiet:
        from km_core.cli.progress import print_summary

        print_summary(summary, dry_run)
    if summary.recovered and not as_json:
        say(f"note: {summary.recovered}")
    raise typer.Exit(summary.exit_code)


WEEKLY_SOURCES = ("notes", "calendar", "photos")


def _check_path(job_name: str, task: str, path: Path) -> None:
    if job_name == "weekly":
        if task not in WEEKLY_SOURCES:
            raise fail(KmError("--path with the weekly job needs --task notes, calendar or photos", "add --task"))
        if not path.exists():
            raise fail(KmError(f"--path {path} does not exist", "give an existing file or folder"))
    elif not path.is_dir():
        raise fail(KmError(f"--path {path} is not a folder", "give an existing folder"))


@app.command()
def status(as_json: JsonOpt = False) -> None:
    """Last and running jobs, from the state files (never waits for the graph)."""
    from km_core.cli.status import collect, show

    try:
        data = collect()
    except KmError as error:
        raise fail(error) from None
    if as_json:
        emit_json(data)
    else:
        show(data)


@app.command()
def demo(
    folder: Annotated[Path, typer.Option(help="Where to create the demo home.")] = Path("demo-home"),
) -> None:
    """Create a demo home with generated files, run the daily job on it, show what landed."""
    from km_core.cli.demo import run_demo

    try:
        code = run_demo(folder.expanduser().resolve())
    except KmError as error:
        raise fail(error) from None
    raise typer.Exit(code)


def main() -> None:
    try:
        app()
    except KmError as error:
        say(f"km: {error.one_line()}")
        raise SystemExit(EXIT_GRAPH if error.exit_code == EXIT_GRAPH else error.exit_code) from None
