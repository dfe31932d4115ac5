"""Helpers for taggers that read a whole batch on their first call and answer item by item.

The tag step calls ``km_tag`` once per item but passes the whole batch; a
tagger that is faster over many texts at once (spaCy's ``nlp.pipe``, yake in
worker processes) computes every answer on the first call for a batch and
hands them out from a :class:`BatchAnswers`.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any, Generic, TypeVar

from km_core import Content, Item, JobContext

T = TypeVar("T")
R = TypeVar("R")
Pairs = Sequence[tuple[Item, Content]]


class BatchAnswers(Generic[T]):
    """Answers for the batch being tagged, computed once, by the identity of the batch and items."""

    def __init__(self) -> None:
        self._batch: Any = None  # kept, so that a new batch is told apart by identity
        self._answers: dict[int, T] = {}

    def get(self, item: Item, batch: Pairs, compute: Callable[[Pairs], list[T]]) -> T | None:
        """The answer for ``item``; ``compute`` answers every pair of ``batch``, in order.

        None when ``item`` is not one of the batch's items (nothing is computed then), or
        was answered already: the caller reads that one alone.
        """
        if self._batch is not batch:
            if not any(i is item for i, _ in batch):
                return None
            answers = compute(batch)
            self._answers = {id(i): answer for (i, _), answer in zip(batch, answers, strict=True)}
            self._batch = batch
        return self._answers.pop(id(item), None)


def cpus() -> int:
    """The CPUs this process may use (containers and taskset limit them)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def processes(ctx: JobContext, plugin: str, chars: int, threshold: int, most: int = 4) -> int:
    """Worker processes for ``chars`` of text: the ``processes`` setting, else one below
    ``threshold`` (starting workers would cost more than they save), else one per CPU."""
    setting = int(ctx.setting(plugin, "processes", 0))
    if setting > 0:
        return setting
    return min(cpus(), most) if chars >= threshold else 1


def parallel_map(function: Callable[[T], R], values: Sequence[T], workers: int) -> list[R]:
    """``function`` over ``values`` in ``workers`` processes (in this one when 1), in order.

    Workers are forked where the platform allows it, so that they start at once
    with what this process has imported, the way spaCy starts its own.
    """
    if workers <= 1 or len(values) < 2:
        return [function(value) for value in values]
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    chunk = max(1, len(values) // (workers * 4))
    with ProcessPoolExecutor(max_workers=min(workers, len(values)), mp_context=context) as pool:
        return list(pool.map(function, values, chunksize=chunk))
