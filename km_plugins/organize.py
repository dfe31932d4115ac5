"""Built-in organiser: the first ``[[organize.rules]]`` rule that matches an item names its destination.

A plugin listed before ``organize`` in plugins.toml answers first and so can
override it; whoever makes a plan, the engine checks it the same way.
"""

from __future__ import annotations

from collections.abc import Sequence

from km_core import Item, JobContext, MovePlan, Tag, hookimpl
from km_core.organize.plan import plan_for
from km_core.organize.rules import OrganizeConfig


@hookimpl
def km_organize(item: Item, tags: Sequence[Tag], ctx: JobContext) -> MovePlan | None:
    settings = ctx.organize
    if not isinstance(settings, OrganizeConfig) or not settings.enabled:
        return None
    return plan_for(settings, item, tags)
