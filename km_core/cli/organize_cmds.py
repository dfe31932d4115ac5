"""Commands about moved and misplaced files: ``km undo`` and ``km review rogue``."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer

from km_core.cli.output import emit_json, fail, say
from km_core.errors import EXIT_THRESHOLD, KmError

JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON document on stdout and nothing else.")]


def undo(
    last: Annotated[bool, typer.Option("--last", help="Undo the latest run that moved files.")] = False,
    run: Annotated[str, typer.Option("--run", help="Undo the moves of this run (its id, as in the change log).")] = "",
    since: Annotated[str, typer.Option("--since", help="Undo every move since this date (YYYY-MM-DD[THH:MM]).")] = "",
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show what would move back; touch nothing.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Move files back to where they were before km moved them.

    Exits 0 when everything asked for was moved back, 1 when some files could not
    be (they are listed, and left where they are), 2 on a usage error.
    """
    from km_core import logs
    from km_core.config import load
    from km_core.organize.undo import undo as run_undo

    try:
        config = load()
        logs.setup(config.folders.logs, "undo", config.logging.level)
        result = run_undo(config, last=last, run=run, since=since, dry_run=dry_run)
    except KmError as error:
        raise fail(error) from None
    moves = result.planned if dry_run else result.done
    if as_json:
        emit_json(result.as_dict())
    else:
        if result.recovered:
            say(result.recovered)
        verb = "would move back" if dry_run else "moved back"
        if moves:
            # a line each: paths are long, and a table would wrap them
            typer.echo(f"{verb}: {len(moves)}")
            for move in moves:
                typer.echo(f"  {move['old_path']}\n    -> {move['new_path']}")
        else:
            say("nothing to move back")
        for problem in result.problems:
            say(f"not moved back: {problem['path']}: {problem['problem']}")
    if result.problems:
        raise typer.Exit(EXIT_THRESHOLD)


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
    from km_core.rogue import load as load_rogue

    if what != ReviewList.rogue:
        from km_core.cli.review_cmd import monthly_review

        monthly_review(what.value, as_json)
        return

    try:
        found = load_rogue(load())
    except KmError as error:
        raise fail(error) from None
    if as_json:
        emit_json(found)
        return
    alerts = found.get("alerts", [])
    if not found.get("generated"):
        say("no list yet: the daily job writes it (km job daily)")
        return
    # a line per file, grouped by why: paths are long, and a table would wrap them
    typer.echo(f"rogue files: {len(alerts)} (as of {found['generated']})")
    for kind in dict.fromkeys(a["kind"] for a in alerts):
        group = [a for a in alerts if a["kind"] == kind]
        typer.echo(f"\n{kind}: {group[0]['reason']} ({len(group)})")
        for alert in group:
            typer.echo(f"  {alert['age_days']:>7g} d  {alert['path']}")
    if not alerts:
        say("nothing to review")


def register(app: typer.Typer) -> None:
    app.command()(undo)
    app.command()(review)


__all__ = ["register"]
