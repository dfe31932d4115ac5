"""The collection index on disk, topic tags, and the refit that keeps topics in step with the collection."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from km_core.api import Tag
from km_core.config import Config
from km_core.locks import FileLock
from km_core.store import open_graph
from km_core.store import tags as tag_store
from km_core.tagging import collection as collection_index

log = logging.getLogger("km.tag")
TOPICS_PER_ITEM = 2
# The daily job refits by itself while the collection is young: once it has this many times the
# items it was fitted on (plus a few), the vocabulary and topics of the first run no longer describe it.
GROWTH = 2
SMALL = 10


def collection_path(config: Config) -> Path:
    return config.folders.state / "collection.pkl"


_depth = threading.local()


@contextmanager
def changing(config: Config) -> Iterator[None]:
    """Hold the collection index for a load-change-save: the daily and the weekly job both add
    items to it, and the one that saved last used to lose the other's (measured: 3 files gone
    from the index after a daily and a weekly job ran together). Re-entrant within a thread;
    always taken before the graph, never inside an open graph, so the two locks cannot cross."""
    depth = getattr(_depth, "n", 0)
    if depth:
        _depth.n = depth + 1
        try:
            yield
        finally:
            _depth.n -= 1
        return
    lock = FileLock(config.folders.locks / "collection.lock")
    lock.acquire(config.graph.lock_timeout_s)
    _depth.n = 1
    try:
        yield
    finally:
        _depth.n = 0
        lock.release()


def topic_tags(found: Sequence[tuple[str, float, list[str]]], min_share: float) -> list[Tag]:
    return [
        Tag(
            name,
            "topic",
            round(share, 3),
            "topics",
            False,
            f"topic '{name}' is {share:.0%} of this item (its top words: {', '.join(words[:6])})",
        )
        for name, share, words in found[:TOPICS_PER_ITEM]
        if share >= min_share
    ]


def refit(config: Config) -> tuple[collection_index.Collection, int]:
    """Fit the index on every item with text and replace every topic tag; (index, tags written)."""
    with changing(config):
        return _refit(config)


def _refit(config: Config) -> tuple[collection_index.Collection, int]:
    with open_graph(config, read_only=True) as graph:
        documents = tag_store.texts(graph, chars=collection_index.TEXT_CHARS)
        signature = tag_store.text_signature(graph)
    collection = collection_index.Collection()
    collection.fit(documents, config.tagging.topics)
    collection.signature = signature
    found = collection.topics([item for item, _ in documents])
    pairs = [
        (item, tag) for item, topics in found.items() for tag in topic_tags(topics, config.tagging.topic_min_share)
    ]
    with open_graph(config) as graph:
        tag_store.replace_source(graph, "topics", pairs, config.jobs.batch_size)
    collection.save(collection_path(config))
    log.info(
        "topics fitted on %d items: %d topics, %d topic tags",
        len(documents),
        len(collection.topic_names),
        len(pairs),
        extra={"context": "; ".join(collection.topic_names)},
    )
    return collection, len(pairs)


def unchanged(config: Config) -> collection_index.Collection | None:
    """The saved index when it was fitted on exactly the items with text there are now."""
    collection = collection_index.load(collection_path(config))
    if not collection.fitted or not getattr(collection, "signature", ""):
        return None
    with open_graph(config, read_only=True) as graph:
        same = tag_store.text_signature(graph) == collection.signature
    return collection if same else None


def current(config: Config) -> collection_index.Collection:
    """The saved index, refitted first when there is none yet or the collection outgrew it."""
    collection = collection_index.load(collection_path(config))
    if collection.fitted:
        with open_graph(config, read_only=True) as graph:
            size = tag_store.count_texts(graph)
        if size < GROWTH * collection.fitted_docs + SMALL:
            return collection
        log.info("the collection grew from %d to %d items with text: topics refitted", collection.fitted_docs, size)
    return refit(config)[0]
