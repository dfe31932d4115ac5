"""``km undo``: files km moved, moved back."""

from __future__ import annotations

from typing import Annotated

import typer

from km_core.cli.output import JsonOpt, emit_json, fail, say
from km_core.errors import EXIT_THRESHOLD, KmError


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


def register(app: typer.Typer) -> None:
    app.command()(undo)


__all__ = ["register"]
