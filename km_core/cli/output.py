"""How the CLI speaks: data on stdout (a table, or one JSON document), talk on stderr."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from datetime import date, datetime
from typing import Annotated, Any

import typer

from km_core.errors import KmError

# the --json option every command that prints data takes
JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON document on stdout and nothing else.")]


def _default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def emit_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, default=_default, ensure_ascii=False) + "\n")


def say(message: str) -> None:
    """A human message on stderr, which scripts reading stdout never see."""
    typer.echo(message, err=True)


def fail(error: KmError) -> typer.Exit:
    say(f"km: {error.one_line()}")
    return typer.Exit(error.exit_code)


def cell(value: Any, width: int = 80) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    text = str(value).replace("\n", " ")
    return text if len(text) <= width else text[: width - 1] + "…"


def table(columns: Sequence[str], rows: Sequence[Sequence[Any]], title: str = "", width: int = 80) -> None:
    from rich.console import Console
    from rich.table import Table

    grid = Table(title=title or None, show_lines=False, header_style="bold")
    for column in columns:
        grid.add_column(column, overflow="fold")
    for row in rows:
        grid.add_row(*(cell(v, width) for v in row))
    Console(soft_wrap=False).print(grid)
