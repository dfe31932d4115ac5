"""Commands that read the graph: query, search, show."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from km_core.cli.output import JsonOpt, cell, emit_json, fail, say, table
from km_core.errors import KmError, UsageError


def query(
    cypher: Annotated[str, typer.Argument(help="A read-only Cypher query.")],
    as_json: JsonOpt = False,
) -> None:
    """Run a read-only Cypher query and print its rows."""
    from km_core.config import load
    from km_core.store import open_graph

    try:
        with open_graph(load(), read_only=True) as graph:
            result = graph.execute(cypher)
            columns = result.get_column_names()
            rows = result.get_all()
            result.close()
    except RuntimeError as exc:
        message = str(exc).splitlines()[0]
        if "read only" in message.lower() or "read-only" in message.lower():
            raise fail(UsageError("km query is read-only", "writes go through jobs and commands")) from None
        raise fail(UsageError(f"query failed: {message}", "check the Cypher; see docs/graph.md")) from None
    except KmError as error:
        raise fail(error) from None
    if as_json:
        emit_json({"columns": columns, "rows": rows})
    else:
        table(columns, rows)
        say(f"{len(rows)} row{'s' if len(rows) != 1 else ''}")


def search(
    text: Annotated[str, typer.Argument(help="Words to look for in names, titles and text.")],
    limit: Annotated[int, typer.Option(min=1, max=1000, help="At most this many results.")] = 20,
    as_json: JsonOpt = False,
) -> None:
    """Full-text search over everything km has read."""
    from km_core.config import load
    from km_core.store import open_graph
    from km_core.store.queries import search as run_search

    try:
        with open_graph(load(), read_only=True) as graph:
            hits = run_search(graph, text, limit)
    except KmError as error:
        raise fail(error) from None
    if as_json:
        emit_json({"query": text, "results": hits})
        return
    if not hits:
        say(f"nothing found for {text!r}")
        return
    for hit in hits:
        typer.echo(f"{hit['score']:>7.3f}  {hit['path']}")
        if hit["snippet"]:
            typer.echo(f"         {hit['snippet']}")


RECORD_FIELDS = {
    "Note": ("id", "path", "status", "title", "folder", "account", "created", "modified", "attachments", "hashtags"),
    "Event": (
        "id",
        "path",
        "status",
        "summary",
        "start",
        "end",
        "all_day",
        "timezone",
        "location",
        "attendees",
        "organizer",
        "calendar",
        "event_status",
        "recurring",
        "file",
    ),
    "Photo": (
        "id",
        "path",
        "status",
        "name",
        "title",
        "description",
        "taken",
        "timezone",
        "lat",
        "lon",
        "albums",
        "keywords",
        "people",
        "favorite",
        "hidden",
        "present",
        "camera",
        "library",
    ),
}


def _print_item(item: dict[str, Any]) -> None:
    fields = RECORD_FIELDS.get(item.get("table", ""), ()) or (
        "id",
        "path",
        "kind",
        "status",
        "title",
        "author",
        "created",
        "modified",
        "size",
        "pages",
        "words",
        "hash",
        "extractor",
        "error",
        "location",
        "discovered",
        "updated",
    )
    for key in fields:
        value = item.get(key)
        if isinstance(value, list):
            value = ", ".join(str(v) for v in value)
        if value not in (None, "", 0) or key in ("id", "path", "status"):
            typer.echo(f"{key:>11}: {cell(value, 100)}")
    text = (item.get("text") or "").strip()
    if text:
        typer.echo(f"{'text':>11}: {cell(text, 300)}")
    _print_tags(item.get("tags") or [])
    entities = item.get("entities") or []
    typer.echo(f"{'entities':>11}: {'none found' if not entities else ''}")
    for entity in entities:
        typer.echo(f"{'':>13}{entity['name']} ({entity['label']}, {entity['count']}x)")
    _print_related(item.get("related") or [])
    moves = item.get("moves") or []
    typer.echo(f"{'moves':>11}: {'none' if not moves else ''}")
    for move in moves:
        when = str(move["at"])[:19]
        typer.echo(f"{'':>13}{when}  {move['action']}  {move['old_path']} -> {move['new_path']}")
        typer.echo(f"{'':>15}why: {move['reason']} (run {move['run']})")


def _print_tags(tags: list[dict[str, Any]]) -> None:
    typer.echo(f"{'tags':>11}: {'none yet' if not tags else ''}")
    for tag in tags:
        rank = "primary" if tag.get("primary") else "secondary"
        typer.echo(f"{'':>13}{tag['name']}  [{tag['kind']}, {rank}, {tag['weight']:.2f}, by {tag['source']}]")
        if tag.get("why"):
            typer.echo(f"{'':>15}why: {tag['why']}")


def _print_related(related: list[dict[str, Any]]) -> None:
    typer.echo(f"{'related':>11}: {'none yet' if not related else ''}")
    kind = None
    for edge in related:
        if edge["kind"] != kind:
            kind = edge["kind"]
            typer.echo(f"{'':>13}{kind}:")
        typer.echo(f"{'':>15}{edge['score']:.2f}  {edge['path']}")
        typer.echo(f"{'':>21}why: {edge['why']}")


def show(
    target: Annotated[str, typer.Argument(help="A file path or an item id.")],
    as_json: JsonOpt = False,
) -> None:
    """One item: its metadata, text, tags and why, entities and related items."""
    from km_core.config import load
    from km_core.store import open_graph
    from km_core.store.queries import find_item

    try:
        with open_graph(load(), read_only=True) as graph:
            item = find_item(graph, target)
    except KmError as error:
        raise fail(error) from None
    if item is None:
        raise fail(UsageError(f"no item with path or id {target!r}", "run `km search WORDS` to find one"))
    if as_json:
        emit_json(item)
    else:
        _print_item(item)


def register(app: typer.Typer) -> None:
    app.command()(query)
    app.command()(search)
    app.command()(show)
