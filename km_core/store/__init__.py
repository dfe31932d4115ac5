"""The graph store: every kuzu call in km lives in this package."""

from km_core.store.graph import Graph, backup, graph_path, open_graph

__all__ = ["Graph", "backup", "graph_path", "open_graph"]
