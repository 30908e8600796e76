"""Drawing a graph with its annotations: the picture (:mod:`~graphstudio.render.picture`), the
painter code the canvas and the exports share (:mod:`~graphstudio.render.draw`), the export
formats (:mod:`~graphstudio.render.exporters`) and :func:`html_player`, the step-through as
HTML for a notebook or a page of one's own."""

from __future__ import annotations

__all__ = ["html_player"]


def html_player(graph, ev, *, show_grad: bool = True, edge_labels: bool = False,
                theme: str = "light", scale: float = 1.0) -> str:
    """The self-contained step-through of ``graph`` annotated with the evaluation ``ev``, as an
    HTML fragment (a ``<div>`` with its style and script, nothing fetched): the annotated
    picture, then first / back / play / next / last, a slider and the arrow keys (when it has
    the focus) step through the forward and backward passes beside the ``grad_table``. What
    ``graphstudio export FILE -o OUT.html`` writes, without the page around it; several on
    one page keep apart. Starts Qt (offscreen when there is no display) to draw."""
    from .export import check_scale, ensure_app, pictures_for
    from .exporters.html import player_html

    check_scale(scale)
    ensure_app()
    pictures = pictures_for(graph, ev, "html", show_grad=show_grad, edge_labels=edge_labels,
                            theme=theme)
    return player_html(pictures, scale=scale, theme=theme)
