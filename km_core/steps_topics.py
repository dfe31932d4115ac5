"""The weekly topic refit: the collection index learned again from everything, topic tags rewritten.

The daily job applies the fitted topics to new items; as the collection grows
they drift from what it is about, so once a week the vocabulary, the item
vectors and the topics are fitted anew and every item's topic tags replaced,
unless no item's text changed since the last fit (the fit would come out the
same: it is seeded). ``topic_tags`` counts the topic tags there are after it.
"""

from __future__ import annotations

import logging

from km_core.run import Run
from km_core.store import open_graph
from km_core.store import tags as tag_store
from km_core.tagging import topics

log = logging.getLogger("km.tag")


def step_topics(run: Run) -> None:
    if run.options.dry_run:
        with open_graph(run.config, read_only=True) as graph:
            run.counts["topics_planned"] = tag_store.count_texts(graph)
        return
    same = topics.unchanged(run.config)
    if same is not None:
        log.info("topics: no item's text changed since they were fitted; kept as they are")
        with open_graph(run.config, read_only=True) as graph:
            kept = graph.scalar("MATCH ()-[e:TAGGED]->(:Tag) WHERE e.source = 'topics' RETURN count(*)")
        run.counts["topics"] = len(same.topic_names)
        run.counts["topic_tags"] = int(kept or 0)
        return
    collection, written = topics.refit(run.config)
    run.counts["topics_refitted"] = 1
    run.counts["topics"] = len(collection.topic_names)
    run.counts["topic_tags"] = written
