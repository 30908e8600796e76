"""Where each node of a graph is drawn: the user's own positions when the graph has them for
every node (a saved document), else the layered layout (a ``.gs`` file has none).

All or nothing: mixing a few saved positions with a computed layout would put nodes on top of
each other, because the layout knows nothing of the saved coordinates.

No Qt here.
"""

from __future__ import annotations

from ..core.graph import Graph
from .layout import layered_layout

__all__ = ["graph_positions", "saved_positions"]


def saved_positions(graph: Graph) -> dict[int, tuple[float, float]] | None:
    """The graph's own positions when every node has one, else None."""
    saved = {n: graph.position(n) for n in graph.nodes()}
    if saved and all(p is not None for p in saved.values()):
        return {n: (float(p[0]), float(p[1])) for n, p in saved.items()}
    return None


def graph_positions(graph: Graph, sizes: dict[int, tuple[float, float]] | None = None,
                    gap_x: float = 90.0, gap_y: float = 40.0) -> dict[int, tuple[float, float]]:
    """Centre of every node in scene units (1 unit = 1 pixel at 96 dpi, y pointing down).

    With the node boxes' ``sizes`` (from the drawing code) the layout leaves ``gap_x`` between
    columns and ``gap_y`` between boxes, so wide array nodes never overlap."""
    saved = saved_positions(graph)
    if saved is not None:
        return saved
    if sizes is not None:
        return layered_layout(graph, dx=gap_x, dy=gap_y, sizes=sizes)
    return layered_layout(graph)
