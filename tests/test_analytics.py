"""The analytics' own arithmetic: communities by label propagation, the correlation of weeks."""

from __future__ import annotations

import math

from km_core.analytics import communities, pearson


def test_two_dense_groups_joined_by_one_weak_edge_are_two_communities() -> None:
    left = [("a", "b", 1.0), ("b", "c", 1.0), ("a", "c", 1.0)]
    right = [("x", "y", 1.0), ("y", "z", 1.0), ("x", "z", 1.0)]
    labels = communities(["a", "b", "c", "x", "y", "z", "alone"], [*left, *right, ("c", "x", 0.1)])
    assert labels["a"] == labels["b"] == labels["c"]
    assert labels["x"] == labels["y"] == labels["z"]
    assert labels["a"] != labels["x"]
    assert "alone" not in labels  # an item with no content edge belongs to no cluster


def test_communities_are_the_same_every_run() -> None:
    edges = [(f"n{i}", f"n{(i * 7) % 30}", 1.0 + i % 3) for i in range(30)]
    nodes = [f"n{i}" for i in range(30)]
    assert communities(nodes, edges) == communities(nodes, edges)


def test_pearson() -> None:
    assert pearson([1, 2, 3, 4], [2, 4, 6, 8]) == 1.0
    assert pearson([1, 2, 3, 4], [8, 6, 4, 2]) == -1.0
    assert pearson([1, 2], [1, 2]) is None  # too few weeks to say
    assert pearson([1, 1, 1], [1, 2, 3]) is None  # no spread in hours
    value = pearson([10, 2, 8, 1, 9], [3, 1, 2, 1, 4])
    assert value is not None and 0.8 < value < 0.9 and not math.isnan(value)
