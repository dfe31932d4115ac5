"""The tag step: every tagger's proposals for each new or changed item, merged and stored.

Items go in batches (``[tagging] batch``): the batch's text is read from the
graph, handed to every ``km_tag`` implementation (spaCy reads it in one pass),
completed with topics from the collection index, the user's tag rules and the
type learned from confirmed items, merged, and written in one transaction.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from km_core.api import Content, Item, Tag
from km_core.run import Run
from km_core.store import open_graph
from km_core.store import tags as tag_store
from km_core.tagging import rules as tag_rules
from km_core.tagging import topics as topics_mod
from km_core.tagging.learned import TypeModel
from km_core.tagging.merge import Kept, Merged, merge

log = logging.getLogger("km.tag")
RECORD_BATCH = 2048
T = TypeVar("T")


def _type_model(run: Run) -> TypeModel | None:
    """The type classifier trained on the user's confirmed types, retrained only when they change."""
    path = run.config.folders.state / "type-model.pkl"
    with open_graph(run.config, read_only=True) as graph:
        examples = tag_store.confirmed_types(graph)
    if len(examples) < run.config.tagging.classifier_min_examples:
        return None
    model = TypeModel.load(path)
    fresh = TypeModel.train(examples)
    if fresh is None:
        return None
    if model is None or model.signature != fresh.signature:
        fresh.save(path)
        log.info("document types learned from %d confirmed items (%s)", fresh.examples, ", ".join(fresh.labels))
        return fresh
    return model


def _learned(model: TypeModel | None, batch: Sequence[tuple[Item, Content]]) -> dict[str, Tag]:
    texted = [(item, content) for item, content in batch if content.text.strip()]
    if model is None or not texted:
        return {}
    predictions = model.predict([c.text for _, c in texted])
    return {
        item.id: Tag(
            label,
            "type",
            round(probability, 3),
            "learned",
            True,
            f"learned from the {model.examples} items whose type you confirmed: {label} with p={probability:.2f}",
        )
        for (item, _), (label, probability) in zip(texted, predictions, strict=True)
    }


def _proposals(run: Run, item: Item, content: Content, batch: list[tuple[Item, Content]]) -> tuple[list[Tag], str]:
    failed: list[str] = []
    proposals: list[Tag] = []
    # The first item of a batch is where batch taggers read the whole batch: side by side,
    # spaCy reads in this process while yake's workers read in theirs.
    first = bool(batch) and batch[0][0] is item
    for name, result in run.plugins.call_each(
        "km_tag", failed=failed, together=first, item=item, content=content, ctx=run.ctx, batch=batch
    ):
        for tag in result:
            if not isinstance(tag, Tag):
                run.plugins.record_failure(name, "km_tag", TypeError(f"returned {type(tag).__name__}, not Tag"))
                failed.append(name)
                break
            tag.source = tag.source or name
            proposals.append(tag)
    return proposals, ",".join(sorted(set(failed)))


def _tag_item(
    run: Run,
    item: Item,
    content: Content,
    batch: list[tuple[Item, Content]],
    topics: dict[str, list[tuple[str, float, list[str]]]],
    kept: dict[str, list[Kept]],
    learned: dict[str, Tag],
) -> tuple[Merged, str]:
    """(the merged tags of one item, the taggers that failed and are to be asked again)."""
    settings = run.config.tagging
    proposals, pending = _proposals(run, item, content, batch)
    proposals += topics_mod.topic_tags(topics.get(item.id, []), settings.topic_min_share)
    entities = [t for t in proposals if t.kind == "entity"]
    proposals += tag_rules.apply(run.config.tag_rules, item, content.text, content.title, entities)
    merged = merge(
        proposals,
        kept.get(item.id, []),
        learned.get(item.id),
        settings.classifier_min_probability,
        settings.max_secondary,
    )
    return merged, pending


def _bind(function: Callable[..., T], *args: Any) -> Callable[[], T]:
    return lambda: function(*args)


def step_tag(run: Run) -> None:
    with open_graph(run.config, read_only=True) as graph:
        items = tag_store.needing(graph, run.scope)
    tag_items(run, items)


def tag_items(run: Run, items: list[Item], table: str = "File") -> None:
    """Tag these items of ``table`` (files, or the notes, events and photos of the weekly job)."""
    total = len(items)
    log.info("%d %s items to tag", total, table.lower())
    if run.options.dry_run:
        run.counts["tag_planned"] += total
        return
    if not items:
        return
    with topics_mod.changing(run.config):
        _tag_locked(run, items, table)


def _tag_locked(run: Run, items: list[Item], table: str) -> None:
    settings = run.config.tagging
    total = len(items)
    indexed = table in ("File", "Note")  # events and photos say too little for the TF-IDF index
    # loading the index imports scikit-learn (1.5 s): only where it is used
    collection = topics_mod.current(run.config) if indexed else None
    model = _type_model(run)
    done = 0
    # records are short: a larger batch lets spaCy and yake share it among processes
    size = settings.batch if table == "File" else max(settings.batch, RECORD_BATCH)
    for start in range(0, total, size):
        chunk = items[start : start + size]
        ids = [item.id for item in chunk]
        with open_graph(run.config, read_only=True) as graph:
            contents = tag_store.contents(graph, ids, table)
            kept = tag_store.kept(graph, ids, table)
        batch = [(item, contents[item.id]) for item in chunk if item.id in contents]
        if collection is not None:
            collection.upsert([(item.id, content.text) for item, content in batch])
        topics = collection.topics(ids) if collection is not None else {}
        learned = _learned(model, batch)
        results: list[tuple[Item, Merged, str, str]] = []
        langs: dict[str, str] = {}
        for item, content in batch:
            outcome = run.attempt(item, _bind(_tag_item, run, item, content, batch, topics, kept, learned), retries=1)
            if outcome is not None:
                merged, pending = outcome
                results.append((item, merged, content.metadata.get("extracted_hash", item.hash), pending))
                langs[item.id] = content.metadata.get("lang", "")
                if pending:
                    log.warning("taggers to ask again next run for %s: %s", item.path, pending)
        with open_graph(run.config) as graph:
            tag_store.save(graph, results, run.config.jobs.batch_size, langs, table)
        run.counts["tagged"] += len(results)
        done += len(chunk)
        run.progress(done, total)
    if collection is not None:
        collection.save(topics_mod.collection_path(run.config))
