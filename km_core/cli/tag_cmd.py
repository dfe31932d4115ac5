"""``km tag``: the user's own tags, which km never overrides and learns document types from."""

from __future__ import annotations

from typing import Annotated

import typer

from km_core.cli.output import emit_json, fail, say
from km_core.errors import KmError, UsageError


def tag(
    target: Annotated[str, typer.Argument(help="A file path or an item id.")],
    names: Annotated[
        list[str], typer.Argument(help="Tags to give it; a document type (invoice, cv, …) sets its type.")
    ],
    remove: Annotated[bool, typer.Option("--remove", help="Take these tags off instead.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON document on stdout.")] = False,
) -> None:
    """Tag an item yourself. Your tags win over km's; your types teach its classifier."""
    from km_core.config import load
    from km_core.store import open_graph
    from km_core.store.queries import find_item
    from km_core.store.tags import set_manual

    try:
        with open_graph(load()) as graph:
            item = find_item(graph, target)
            if item is None:
                raise UsageError(f"no item with path or id {target!r}", "run `km search WORDS` to find one")
            changed = set_manual(graph, item["id"], names, remove)
    except KmError as error:
        raise fail(error) from None
    if as_json:
        emit_json({"item": item["id"], "path": item["path"], "changed": changed})
        return
    verb = "removed from" if remove else "given to"
    for change in changed:
        say(f"{change['kind']} tag '{change['name']}' {verb} {item['path']}")
    say("the next job re-tags it around your tags")


def register(app: typer.Typer) -> None:
    app.command()(tag)
