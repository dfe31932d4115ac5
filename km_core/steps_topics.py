"""The weekly topic refit: the collection index learned again from everything, topic tags rewritten.

The daily job applies the fitted topics to new items; as the collection grows
they drift from what it is about, so once a week the vocabulary, the item
vectors and the topics are fitted anew and every item's topic tags replaced.
"""

from __future__ import annotations

import logging

from km_core.api import Tag
from km_core.run import Run
from km_core.steps_tag import collection_path, topic_tags
from km_core.store import open_graph
from km_core.store import tags as tag_store
from km_core.tagging import collection as collection_index

log = logging.getLogger("km.tag")


def step_topics(run: Run) -> None:
    with open_graph(run.config, read_only=True) as graph:
        documents = tag_store.texts(graph, chars=collection_index.TEXT_CHARS)
    log.info("refitting topics on %d items", len(documents))
    if run.options.dry_run:
        run.counts["topics_planned"] = len(documents)
        return
    collection = collection_index.Collection()
    collection.fit(documents, run.config.tagging.topics)
    found = collection.topics([item for item, _ in documents])
    pairs: list[tuple[str, Tag]] = [
        (item, tag) for item, topics in found.items() for tag in topic_tags(topics, run.config.tagging.topic_min_share)
    ]
    with open_graph(run.config) as graph:
        tag_store.replace_source(graph, "topics", pairs, run.config.jobs.batch_size)
    collection.save(collection_path(run))
    run.counts["topics"] = len(collection.topic_names)
    run.counts["topic_tags"] = len(pairs)
    log.info(
        "%d topics over %d items",
        len(collection.topic_names),
        len(documents),
        extra={"context": "; ".join(collection.topic_names)},
    )
