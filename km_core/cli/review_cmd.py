"""``km review stale|duplicates`` and ``km report``: what the monthly job found and wrote."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from km_core.cli.output import emit_json, fail, say
from km_core.errors import KmError, UsageError


def monthly_review(what: str, as_json: bool) -> None:
    from km_core.config import load
    from km_core.monthly.stale import load as load_review

    try:
        found = load_review(load())
    except KmError as error:
        raise fail(error) from None
    if not found.get("generated"):
        if as_json:
            emit_json({})
        say("no list yet: the monthly job writes it (km job monthly --task=stale)")
        return
    if as_json:
        emit_json(
            {k: found[k] for k in ("generated", "basis", "stale_days", "stale", "drafts", "low_value_tags")}
            if what == "stale"
            else {"generated": found["generated"], "duplicates": found["duplicates"]}
        )
        return
    if what == "duplicates":
        groups = found["duplicates"]
        wasted = sum(g["wasted"] for g in groups)
        typer.echo(
            f"duplicate content: {len(groups)} groups, {wasted:,} bytes in extra copies (as of {found['generated']})"
        )
        for group in groups:
            typer.echo(f"\n{group['size']:,} bytes x {len(group['paths'])}  sha256 {group['hash'][:12]}")
            for path in group["paths"]:
                typer.echo(f"  {path}")
        return
    typer.echo(
        f"stale files: not opened for {found['stale_days']} days, judged by {found['basis']} "
        f"(as of {found['generated']})"
    )
    for entry in found["stale"]:
        typer.echo(f"  {entry['days']:>6} d  {entry['path']}")
    typer.echo(f"\ndrafts never finalised: {len(found['drafts'])}")
    for entry in found["drafts"]:
        typer.echo(f"  {entry['path']}\n    final: {entry['final']} ({entry['days_older']} days newer)")
    tags = found["low_value_tags"]
    typer.echo(f"\nlow-value tags (on one item only): {len(tags)}")
    if tags:
        typer.echo("  " + ", ".join(t["tag"] for t in tags[:40]) + (" ..." if len(tags) > 40 else ""))


def report(
    month: Annotated[str, typer.Option("--month", help="The month, YYYY-MM (default: last month).")] = "",
    as_json: Annotated[bool, typer.Option("--json", help="Print the report's JSON on stdout.")] = False,
) -> None:
    """Write (again) the monthly insights report: reports/YYYY-MM.md, YYYY-MM.json and its charts."""
    from datetime import date

    from km_core.config import load
    from km_core.monthly.report import PERIOD, previous_month
    from km_core.run import RunOptions
    from km_core.runner import run_job

    period = month or previous_month(date.today())
    if not PERIOD.match(period):
        raise fail(UsageError(f"--month {period!r} is not a month", "write it as YYYY-MM, e.g. 2026-11"))
    try:
        config = load()
        summary = run_job(config, "monthly", RunOptions(manual=True, task="report", period=period))
    except KmError as error:
        raise fail(error) from None
    markdown = config.folders.reports / f"{period}.md"
    if summary.status not in ("ok", "warning") or not markdown.exists():
        say(f"km: the report was not written: {summary.status} {summary.notes or summary.errors}")
        raise typer.Exit(summary.exit_code or 1)
    if as_json:
        typer.echo(Path(markdown.with_suffix(".json")).read_text(encoding="utf-8"), nl=False)
    else:
        say(f"wrote {markdown}")
        typer.echo(markdown.read_text(encoding="utf-8"))


def register(app: typer.Typer) -> None:
    app.command()(report)
