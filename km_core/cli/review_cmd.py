"""``km review rogue|stale|duplicates`` and ``km report``: the lists and the report the jobs leave for you."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from km_core.cli.output import JsonOpt, emit_json, fail, say
from km_core.errors import KmError, UsageError


class ReviewList(StrEnum):
    rogue = "rogue"
    stale = "stale"
    duplicates = "duplicates"


def review(
    what: Annotated[ReviewList, typer.Argument(help="Which list to review.")],
    as_json: JsonOpt = False,
) -> None:
    """Files for you to look at: rogue files (daily job), stale files and duplicates (monthly job).

    km never acts on these lists.
    """
    from km_core.config import load
    from km_core.monthly.stale import load as load_review
    from km_core.rogue import load as load_rogue

    try:
        found = (load_rogue if what == ReviewList.rogue else load_review)(load())
    except KmError as error:
        raise fail(error) from None
    if not found.get("generated"):
        if as_json:
            emit_json(found)
        job = "daily" if what == ReviewList.rogue else "monthly"
        say(f"no list yet: the {job} job writes it (km job {job})")
        return
    if what == ReviewList.rogue:
        _rogue(found, as_json)
    elif as_json:
        keys = ("basis", "stale_days", "stale", "drafts", "low_value_tags") if what == "stale" else ("duplicates",)
        emit_json({"generated": found["generated"], **{k: found[k] for k in keys}})
    elif what == ReviewList.duplicates:
        _duplicates(found)
    else:
        _stale(found)


def _rogue(found: dict[str, Any], as_json: bool) -> None:
    if as_json:
        emit_json(found)
        return
    alerts = found.get("alerts", [])
    # a line per file, grouped by why: paths are long, and a table would wrap them
    typer.echo(f"rogue files: {len(alerts)} (as of {found['generated']})")
    for kind in dict.fromkeys(a["kind"] for a in alerts):
        group = [a for a in alerts if a["kind"] == kind]
        typer.echo(f"\n{kind}: {group[0]['reason']} ({len(group)})")
        for alert in group:
            typer.echo(f"  {alert['age_days']:>7g} d  {alert['path']}")
    if not alerts:
        say("nothing to review")


def _duplicates(found: dict[str, Any]) -> None:
    groups = found["duplicates"]
    wasted = sum(g["wasted"] for g in groups)
    typer.echo(
        f"duplicate content: {len(groups)} groups, {wasted:,} bytes in extra copies (as of {found['generated']})"
    )
    for group in groups:
        typer.echo(f"\n{group['size']:,} bytes x {len(group['paths'])}  sha256 {group['hash'][:12]}")
        for path in group["paths"]:
            typer.echo(f"  {path}")


def _stale(found: dict[str, Any]) -> None:
    typer.echo(
        f"stale files: {len(found['stale'])}, not opened for {found['stale_days']} days, judged by {found['basis']} "
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
    app.command()(review)
    app.command()(report)
