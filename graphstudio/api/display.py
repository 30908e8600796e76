"""Pictures for the notebook and files: the export code, so a notebook shows what the canvas
and ``graphstudio export`` show.

* A graph or a result displays as the annotated picture: ``_repr_svg_`` gives the SVG export
  (vector, its numbers are ``<text>``), and ``_repr_png_`` the PNG export, but only when asked
  for with :func:`set_display` (``gs.set_display("png")``): Jupyter calls every ``_repr_*_``
  method and keeps every answer in the notebook, so offering both by default would draw each
  picture twice and store it twice. PNG is the choice where fonts must be exactly the
  editor's (an SVG uses the browser's fonts) or where SVG is not shown.
* :class:`Steps` is the forward pass then the backward pass, a frame a step. In a notebook it
  displays as a small player (``_repr_html_``): every frame is an inline SVG (the step
  exports' own frames, sharing one crop, each captioned with its computation), with first /
  previous / next / last buttons and the arrow keys, in plain JavaScript: no network, no
  server, no widget library. Where scripts do not run (an untrusted notebook, a static
  viewer) the frames are simply shown one under the other.

Qt is imported only when a picture is drawn (offscreen when there is no display).
"""

from __future__ import annotations

import html
import itertools
import json
import re
import tempfile
from pathlib import Path
from typing import Any, Iterator, Sequence

from ..core.engine import Evaluation
from ..core.graph import Graph

__all__ = ["set_display", "export", "svg_text", "png_bytes", "Steps", "Frame", "player_html",
           "MAX_DRAWN_NODES"]

#: the formats a graph or a result offers Jupyter (see the module docstring)
_display: set[str] = {"svg"}
#: a graph with more nodes is not drawn in a notebook by itself (it would take minutes and
#: megabytes); ``graph.export("big.png")`` still draws it
MAX_DRAWN_NODES = 1000
#: the most frames the inline player holds (each is a whole SVG)
MAX_PLAYER_FRAMES = 400

#: the settings every export format shares (ExportSettings' fields); the others are options
_SETTINGS = ("format", "steps", "show_grad", "edge_labels", "theme", "scale")


def set_display(*formats: str) -> None:
    """Which pictures a graph or a result offers Jupyter: ``"svg"`` (the default), ``"png"``,
    or both, as matplotlib's ``set_matplotlib_formats`` does."""
    wanted = {f.lower() for f in formats}
    unknown = wanted - {"svg", "png"}
    if unknown or not wanted:
        raise ValueError(f"display formats are 'svg' and 'png', not {', '.join(sorted(unknown)) or 'none'}")
    _display.clear()
    _display.update(wanted)


def export(graph: Graph, ev: Evaluation, path: Path, **settings: Any) -> list[Path]:
    """:func:`graphstudio.render.export.export_graph` with the settings by keyword (see
    :meth:`graphstudio.Graph.export`): those every format shares go into its
    :class:`~graphstudio.render.export.ExportSettings`, the others are the format's options,
    which the export registry checks (an option no format has is an ``ExportError``)."""
    from ..render.export import ExportSettings, export_graph

    shared = {k: v for k, v in settings.items() if k in _SETTINGS}
    options = {k: v for k, v in settings.items() if k not in _SETTINGS}
    return export_graph(graph, ev, path, ExportSettings(**shared, options=options))


def _clean_svg(text: str) -> str:
    """The ``<svg>`` element alone (no XML declaration), without the empty groups Qt's SVG
    generator writes for every state change (a third of the file, and nothing to draw)."""
    start = text.find("<svg")
    text = text[start:] if start >= 0 else text
    return _EMPTY_GROUP.sub("", text)


_EMPTY_GROUP = re.compile(r"<g [^>]*>\s*</g>\s*")


def svg_text(graph: Graph, ev: Evaluation | None, **settings: Any) -> str:
    """The SVG export of ``graph`` annotated with ``ev``, as text."""
    with tempfile.TemporaryDirectory(prefix="graphstudio-") as folder:
        path = Path(folder) / "graph.svg"
        export(graph, ev, path, format="svg", **settings)
        return _clean_svg(path.read_text(encoding="utf-8"))


def png_bytes(graph: Graph, ev: Evaluation | None, **settings: Any) -> bytes:
    """The PNG export of ``graph`` annotated with ``ev``, as bytes."""
    with tempfile.TemporaryDirectory(prefix="graphstudio-") as folder:
        path = Path(folder) / "graph.png"
        export(graph, ev, path, format="png", **settings)
        return path.read_bytes()


def _drawable(graph: Graph) -> bool:
    return 0 < len(graph) <= MAX_DRAWN_NODES


def svg_for_display(graph: Graph, ev: Evaluation) -> str | None:
    """What ``_repr_svg_`` answers: the SVG, or None (not wanted, or nothing to draw)."""
    if "svg" not in _display or not _drawable(graph):
        return None
    return svg_text(graph, ev)


def png_for_display(graph: Graph, ev: Evaluation):
    """What ``_repr_png_`` answers: the PNG with its size in CSS pixels (the export is drawn
    at twice that, so it is sharp on a high-density screen), or None."""
    if "png" not in _display or not _drawable(graph):
        return None
    data = png_bytes(graph, ev)
    width, height = _png_size(data)
    return data, {"width": width // 2, "height": height // 2}


def _png_size(data: bytes) -> tuple[int, int]:
    """Width and height from a PNG's header chunk."""
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


# ---- the step-through ---------------------------------------------------------------------------


class Frame:
    """One step: its ``caption`` (``"Backward pass, step 3 of 7: ∂a/∂e = 25"``), its
    ``phase`` (``"forward"`` or ``"backward"``) and its picture (``svg``, drawn with every
    other frame's crop)."""

    def __init__(self, caption: str, phase: str, svg: str) -> None:
        self.caption, self.phase, self.svg = caption, phase, svg

    def __repr__(self) -> str:
        return f"<Frame: {self.caption}>"

    def _repr_svg_(self) -> str:
        return self.svg


class Steps(Sequence[Frame]):
    """The forward pass node by node, then the backward pass node by node (the lectures'
    ``grad_table`` filling in), as frames. Drawn on first use."""

    def __init__(self, graph: Graph, ev: Evaluation) -> None:
        self._graph, self._ev = graph, ev
        self._frames: list[Frame] | None = None

    @property
    def frames(self) -> list[Frame]:
        if self._frames is None:
            self._frames = _draw_steps(self._graph, self._ev)
        return self._frames

    def __len__(self) -> int:
        return len(self.frames)

    def __getitem__(self, i):  # type: ignore[override]
        return self.frames[i]

    def __iter__(self) -> Iterator[Frame]:
        return iter(self.frames)

    def __repr__(self) -> str:
        return f"<Steps: {len(self)} frames>"

    def _repr_html_(self) -> str | None:
        if not _drawable(self._graph):
            return None
        return player_html(self.frames)


def _draw_steps(graph: Graph, ev: Evaluation) -> list[Frame]:
    from ..render.export import export_steps, graph_steps

    if len(graph) == 0:
        return []
    pictures = graph_steps(graph, ev)
    with tempfile.TemporaryDirectory(prefix="graphstudio-") as folder:
        files = export_steps(pictures, Path(folder) / "steps", "svg")
        svgs = [_clean_svg(f.read_text(encoding="utf-8")) for f in files]
    return [Frame(p.caption, p.meta.get("phase", ""), s) for p, s in zip(pictures, svgs)]


_players = itertools.count(1)


def player_html(frames: Sequence[Frame]) -> str:
    """A self-contained step-through player (see the module docstring): buttons and arrow
    keys in a few lines of plain JavaScript, nothing fetched.

    The frames are mostly the same drawing (one layout, a few texts and highlights changing),
    so they are not written out whole: each SVG is cut after every ``</g>``, every distinct
    piece is written once, and a frame is the list of its pieces, joined again when shown
    (the micrograd README's graph: 0.5 MB instead of 7). The first frame is also written out
    as it is, so it shows where scripts do not run."""
    if not frames:
        return "<p>There are no steps: the graph has no nodes.</p>"
    if len(frames) > MAX_PLAYER_FRAMES:
        return (f"<p>{len(frames)} steps are too many to show here (at most "
                f"{MAX_PLAYER_FRAMES}); export them: graph.export('steps.pdf', steps=True)</p>")
    pieces: dict[str, int] = {}
    indices = [[pieces.setdefault(p, len(pieces)) for p in _PIECE_END.split(f.svg)]
               for f in frames]
    uid = f"graphstudio-steps-{next(_players)}-{id(frames):x}"
    data = json.dumps({"pieces": list(pieces), "frames": indices,
                       "captions": [f.caption for f in frames]}, ensure_ascii=False)
    return _PLAYER.format(
        uid=uid, n=len(frames), first=frames[0].svg, caption=html.escape(frames[0].caption),
        data=data.replace("</", "<\\/"))


_PIECE_END = re.compile(r"(?<=</g>)")

_PLAYER = """<div id="{uid}" class="graphstudio-steps" tabindex="0" style="outline:none">
<div class="gs-controls" style="display:none;margin:4px 0;font-family:sans-serif;font-size:13px">
<button type="button" data-go="first" title="First (Home)">First</button>
<button type="button" data-go="prev" title="Previous (&#x2190;)">&#x25C0; Previous</button>
<button type="button" data-go="next" title="Next (&#x2192;)">Next &#x25B6;</button>
<button type="button" data-go="last" title="Last (End)">Last</button>
<span class="gs-count">1 / {n}</span>
</div>
<div class="gs-frame" title="{caption}">{first}</div>
<noscript>Step 1 of {n}; scripts are off here, so the other steps do not show.</noscript>
</div>
<script>
(function () {{
  var root = document.getElementById("{uid}");
  if (!root) {{ return; }}
  var data = {data};
  var frame = root.querySelector(".gs-frame");
  var count = root.querySelector(".gs-count");
  var n = data.frames.length, at = 0;
  function show(k) {{
    at = Math.max(0, Math.min(n - 1, k));
    frame.innerHTML = data.frames[at].map(function (i) {{ return data.pieces[i]; }}).join("");
    frame.title = data.captions[at];
    count.textContent = (at + 1) + " / " + n;
  }}
  var moves = {{first: function () {{ return 0; }}, prev: function () {{ return at - 1; }},
               next: function () {{ return at + 1; }}, last: function () {{ return n - 1; }}}};
  root.querySelectorAll("button[data-go]").forEach(function (button) {{
    button.addEventListener("click", function () {{ show(moves[button.dataset.go]()); root.focus(); }});
  }});
  var keys = {{ArrowLeft: "prev", ArrowUp: "prev", ArrowRight: "next", ArrowDown: "next",
              " ": "next", Home: "first", End: "last"}};
  root.addEventListener("keydown", function (event) {{
    if (keys[event.key]) {{ show(moves[keys[event.key]]()); event.preventDefault(); }}
  }});
  root.querySelector(".gs-controls").style.display = "block";
  show(0);
}})();
</script>"""
