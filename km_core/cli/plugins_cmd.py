"""``km plugins``: what is installed and what each plugin implements."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

import typer

from km_core.cli.output import emit_json, fail, table
from km_core.errors import KmError

app = typer.Typer(help="List km's plugins.", no_args_is_help=True)


@app.command("list")
def list_plugins(
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON document on stdout.")] = False,
) -> None:
    """Every plugin in the km entry-point group: version, source, enabled, hooks."""
    from km_core.plugins import get_plugins

    try:
        plugins = get_plugins()
    except KmError as error:
        raise fail(error) from None
    infos = sorted(plugins.info.values(), key=lambda p: p.name)
    if as_json:
        emit_json([asdict(p) for p in infos])
        return
    rows = [
        [
            p.name,
            p.version,
            "built-in" if p.builtin else "package",
            "yes" if p.enabled else ("error" if p.error else "no"),
            ", ".join(p.hooks) or p.error,
        ]
        for p in infos
    ]
    table(["name", "version", "source", "enabled", "hooks"], rows)
