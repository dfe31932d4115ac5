"""``km analytics``: the snapshot the weekly job computed (read from a file, never the graph)."""

from __future__ import annotations

from typing import Any

import typer

from km_core.cli.output import JsonOpt, emit_json, fail, say, table
from km_core.errors import KmError


def analytics(as_json: JsonOpt = False) -> None:
    """Knowledge clusters, gaps, cross-domain opportunities, time versus output, tags and edges."""
    from km_core.analytics import read
    from km_core.config import load

    try:
        snapshot = read(load())
    except KmError as error:
        raise fail(error) from None
    if snapshot is None:
        raise fail(KmError("no analytics yet", "run `km job weekly` (or `km job weekly --task=analytics`)"))
    if as_json:
        emit_json(snapshot)
        return
    _show(snapshot)


def _show(snapshot: dict[str, Any]) -> None:
    say(f"analytics of {snapshot['generated'][:19].replace('T', ' ')} UTC")
    items = ", ".join(f"{n} {kind}s" for kind, n in sorted(snapshot["items"].items()))
    typer.echo(f"items: {items or 'none'}")
    clusters = snapshot["clusters"]
    table(
        ["cluster", "items", "top tags", "for example"],
        [[c["cluster"], c["size"], ", ".join(c["top_tags"]), "; ".join(c["items"][:3])] for c in clusters[:10]],
        title="knowledge clusters",
    )
    gaps = snapshot["gaps"]
    typer.echo(
        f"gaps: {gaps['isolated']} items with no link ({', '.join(f'{n} {k}' for k, n in gaps['by_kind'].items())})"
    )
    table(
        ["entity", "domains", "unlinked pairs"],
        [[c["entity"], " | ".join(c["domains"]), c["unlinked_pairs"]] for c in snapshot["cross_domain"][:10]],
        title="cross-domain opportunities",
    )
    timing = snapshot["time_vs_output"]
    busy = [w for w in timing["weeks"] if w["calendar_hours"] or w["items_created"]]
    correlation = "n/a" if timing["correlation"] is None else f"{timing['correlation']:.2f}"
    table(
        ["week", "calendar hours", "items created"],
        [[w["week"], w["calendar_hours"], w["items_created"]] for w in busy[-12:]],
        title=f"time versus output (correlation: {correlation})",
    )
    tags = snapshot["tag_frequency"]
    typer.echo("top tags: " + ", ".join(f"{t['tag']} ({t['items']})" for t in tags["top"][:15]))
    edges = snapshot["relationships"]
    typer.echo("edges: " + ", ".join(f"{kind} {n}" for kind, n in edges["by_kind"].items()))


def register(app: typer.Typer) -> None:
    app.command()(analytics)
