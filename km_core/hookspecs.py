"""The km plugin contract: the seven hooks every stage of a job goes through.

A plugin implements any of them with ``@hookimpl`` (``from km_core import
hookimpl``) and is listed under the ``km`` entry-point group. Each docstring
says what the hook receives, what it returns and how the results of several
plugins combine.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import pluggy

from km_core.api import Content, Item, JobContext, MovePlan, Relation, ReportSection, Source, Tag

hookspec = pluggy.HookspecMarker("km")
hookimpl = pluggy.HookimplMarker("km")


@hookspec
def km_discover(source: Source, ctx: JobContext) -> Iterable[Item] | None:
    """Find the items in ``source``.

    Called once per configured source per job. Return (or yield) an Item for
    every item present now, with its stat fields filled; return None for a
    source kind this plugin does not handle. Results combine: all plugins'
    items are collected. The engine, not the plugin, decides what is new,
    changed, moved or missing by comparing with the graph.
    """


@hookspec(firstresult=True)
def km_ocr(item: Item, ctx: JobContext) -> Content | None:
    """Read the text in an image item. Stops at the first non-None result."""


@hookspec(firstresult=True)
def km_extract(item: Item, ctx: JobContext) -> Content | None:
    """Read an item's text and metadata.

    Return None when this plugin does not handle the item's type (look at
    ``item.ext`` or ``item.kind``). Stops at the first non-None result, so an
    extractor listed earlier in plugins.toml wins. Raise for a failure the
    engine should retry (I/O trouble); return ``Content(status="failed")`` or
    ``status="encrypted"`` for a file that is readable but unusable.
    """


@hookspec
def km_tag(
    item: Item, content: Content, ctx: JobContext, batch: Sequence[tuple[Item, Content]]
) -> Sequence[Tag] | None:
    """Propose tags for an item. All results are merged and weighed by the engine.

    ``content`` holds the text km read (extracted or OCR'd), its title and
    dates. ``batch`` is every (item, content) pair being tagged together, this
    one included: a tagger that is faster in bulk (spaCy's ``nlp.pipe``) may
    work through the whole batch on its first call and answer the rest from
    what it kept. Take only the arguments you need; ``batch`` is optional.
    Raise to say "could not tag this now": the engine logs it, keeps the other
    taggers' tags and asks again on the next run.
    """


@hookspec
def km_relate(items: Sequence[Item], graph: Any, ctx: JobContext) -> Sequence[Relation] | None:
    """Propose edges for a batch of new or changed items.

    ``graph`` is a read-only view for looking up neighbours. All results are
    collected; the engine removes duplicates.
    """


@hookspec(firstresult=True)
def km_organize(item: Item, tags: Sequence[Tag], ctx: JobContext) -> MovePlan | None:
    """Say where an item should live. Stops at the first non-None move plan."""


@hookspec
def km_report(job: str, ctx: JobContext) -> ReportSection | Sequence[ReportSection] | None:
    """Contribute a section to the report written at the end of a job or period.

    All sections are collected and ordered by ``ReportSection.order``.
    """
