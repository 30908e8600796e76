"""Room for the edge labels in a layout the user made: the columns spread apart, nothing else.

Graph > Arrange makes room for the local-derivative labels by laying the whole graph out again
with gaps as wide as the widest label. A hand-made layout (a lecture's own drawing, or one the
user arranged and then moved boxes in) deserves better than being thrown away when the labels
are turned on: :func:`spread_for_labels` keeps every box's height and order and only moves
columns to the right, each gap between two columns as wide as the widest label of an edge that
crosses it, plus :data:`LABEL_MARGIN`. A column is a run of boxes whose horizontal extents
overlap; a gap already wide enough is left as it is, so spreading twice changes nothing.
"""

from __future__ import annotations

from .draw import node_sizes
from .picture import Picture, build_picture
from .fonts import fonts
from .style import Theme

#: room beside a label in its gap: the curve's ends, arrow heads and the label's own padding
LABEL_MARGIN = 60.0


def label_width(picture: Picture, theme: Theme) -> float:
    """The widest edge label of ``picture`` (0 without labels), as the canvas writes it."""
    fm = fonts(theme).fm["edge"]
    return max((fm.horizontalAdvance(e.label) for e in picture.edges if e.label), default=0.0)


def room_for_labels(graph, ev, positions: dict[int, tuple[float, float]], theme: Theme, *,
                    show_grad: bool = True) -> dict[int, tuple[float, float]]:
    """:func:`spread_for_labels` of ``graph`` drawn at ``positions`` with its edge labels
    (``ev``: its evaluation): the editor's Edge Labels and an export's ``--edge-labels``."""
    picture = build_picture(graph, ev, positions, edge_labels=True, show_grad=show_grad)
    return spread_for_labels(picture, theme)


def spread_for_labels(picture: Picture, theme: Theme) -> dict[int, tuple[float, float]]:
    """New centres for the boxes that must move right so that every edge label of ``picture``
    has room between the columns its edge crosses (empty: there is room already)."""
    sizes = node_sizes(picture, theme)
    spans = {n: (x - sizes[n][0] / 2, x + sizes[n][0] / 2)
             for n, (x, _y) in picture.positions.items() if n in sizes}
    columns = _columns(spans)
    if len(columns) < 2:
        return {}
    column_of = {n: i for i, nodes in enumerate(columns) for n in nodes}
    fm = fonts(theme).fm["edge"]
    need = [0.0] * len(columns)  # need[i]: the gap before column i
    for e in picture.edges:
        if not e.label or e.src not in column_of or e.dst not in column_of:
            continue
        a, b = sorted((column_of[e.src], column_of[e.dst]))
        width = fm.horizontalAdvance(e.label) + LABEL_MARGIN
        for i in range(a + 1, b + 1):
            need[i] = max(need[i], width)
    moves: dict[int, tuple[float, float]] = {}
    shift = 0.0
    right = max(spans[n][1] for n in columns[0])
    for i in range(1, len(columns)):
        left = min(spans[n][0] for n in columns[i])
        shift += max(0.0, need[i] - (left - right))
        right = max(spans[n][1] for n in columns[i])
        if shift > 0.0:
            for n in columns[i]:
                x, y = picture.positions[n]
                moves[n] = (x + shift, y)
    return moves


def _columns(spans: dict[int, tuple[float, float]]) -> list[list[int]]:
    """The boxes in columns, left to right: a column is a run of boxes whose horizontal
    extents overlap, each box joining the run whose rightmost extent it reaches into."""
    columns: list[list[int]] = []
    right = float("-inf")
    for n in sorted(spans, key=lambda n: spans[n][0]):
        left, end = spans[n]
        if columns and left < right:
            columns[-1].append(n)
            right = max(right, end)
        else:
            columns.append([n])
            right = end
    return columns
