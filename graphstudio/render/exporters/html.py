"""HTML: one self-contained page with the annotated picture and its step-through.

The page opens in any browser, with no network and no server: everything is inline. It shows
the graph with every value and gradient first; then first / back / play / next / last, a
slider and the arrow keys (Home, End, Space, Esc too) step through the forward pass node by
node and then the backward pass, each step captioned with its computation
(``∂a/∂f = 25 × 2 + 10 × 1 = 60``) beside the lectures' ``grad_table`` filling in, as the
editor's player does (the same :func:`~graphstudio.render.picture.step_pictures` and
:class:`~graphstudio.render.picture.TableRow` data).

* **Frames** are inline SVG from the SVG exporter, the canvas's own drawing (their captions are
  the page's text instead). The frames of one graph are mostly the same drawing, so each SVG is
  cut into pieces at its tags, every distinct piece is written once, and each frame is written
  as the few edits that make it from the frame before (:func:`_shared`); a few lines of
  hand-written JavaScript join a frame's pieces when it is shown. :func:`compact_svg` first
  drops what Qt's SVG generator writes that draws nothing (empty groups, identity transforms,
  attributes at their default). Bristol's 16 steps take 60 kB, not 16 × 21 kB.
* **Light and dark.** Drawn with the light theme, the page follows the reader's
  ``prefers-color-scheme``: a dark reader gets the dark theme's colours through CSS rules that
  map each light colour of the drawing to its dark counterpart (CSS outranks SVG's
  presentation attributes), so one set of frames serves both. Printing is always light, with
  the controls hidden. An export in the dark or print theme keeps that theme.
* **Without scripts** (a mail preview, an untrusted notebook) the page still shows the
  annotated picture and the whole ``grad_table``.

:func:`player_html` is the player alone, for a page of one's own or a notebook cell (several on
one page keep apart); :func:`graphstudio.render.html_player` makes one from a graph.
"""

from __future__ import annotations

import difflib
import html
import itertools
import json
import re
from dataclasses import replace
from pathlib import Path
from typing import Sequence

from ..picture import Picture, TableRow
from ..style import THEMES, Theme
from . import ExportFormat, register
from .svg import svg_text

__all__ = ["player_html", "page_html", "compact_svg", "MAX_FRAMES"]

#: the most steps a page holds: a graph of a few hundred nodes (each step is drawn, and a
#: page of thousands of steps is no way to read them: export --steps to a PDF instead)
MAX_FRAMES = 600

_players = itertools.count(1)


# ---- the frames ---------------------------------------------------------------------------------

_DROPPED = re.compile(r"<\?xml[^>]*\?>|<title>.*?</title>|<desc>.*?</desc>|<defs>\s*</defs>"
                      r'| (?:fill|stroke)-opacity="1"| vector-effect="none"'
                      r'| transform="matrix\(1,0,0,1,0,0\)"', re.S)
#: a group's font: Qt writes it on every group, and every text carries its own
_GROUP_FONT = re.compile(r' font-(?:family|size|weight|style)="[^"]*"')
_GROUP_TAG = re.compile(r"<g [^>]*>")
_EMPTY_GROUP = re.compile(r"<g [^>]*>\s*</g>")
_LINES = re.compile(r"\s*\n\s*")
#: where frames are cut into pieces: at every tag, except before the text a tag holds
_PIECES = re.compile(r"(?<=</g>)|(?=<g )|(?<=>)(?=<(?!/g))")


def compact_svg(text: str) -> str:
    """Qt's SVG without what draws nothing: the XML declaration, title and description,
    empty groups (a third of the file), attributes at their default, line breaks."""
    text = _LINES.sub(" ", _DROPPED.sub("", text))
    text = _GROUP_TAG.sub(lambda m: _GROUP_FONT.sub("", m.group(0)), text)
    text = _EMPTY_GROUP.sub("", text.replace("> <", "><"))
    return text.replace(" >", ">").strip()


def _frames(pictures: Sequence[Picture], scale: float, theme: Theme) -> list[str]:
    """Every picture as compact SVG, captions left to the page, all cropped alike."""
    from ..export import export_bounds

    bare = [replace(p, caption="") for p in pictures]
    bounds = export_bounds(bare, theme)
    return [compact_svg(svg_text(p, scale=scale, theme=theme, bounds=bounds)) for p in bare]


def _shared(svgs: Sequence[str]) -> tuple[list[str], list[list]]:
    """The distinct pieces of the frames, and each frame as edits of the one before.

    An SVG is cut at every tag but inside a text (``<g ...>``, ``<path .../>``,
    ``<text ...>8</text>``, ``</g>``), and every distinct piece is numbered once: a group's
    style recurs on every node, so it is written once. The first frame is the list of its
    pieces; each later frame is the list of operations that make it from the one before: a
    piece number, or ``[i, j]`` for the previous frame's pieces ``i`` to ``j - 1`` (a step
    changes a few pieces of a frame, so this is a few numbers)."""
    pieces: dict[str, int] = {}
    frames = [[pieces.setdefault(p, len(pieces)) for p in _PIECES.split(svg) if p]
              for svg in svgs]
    edits: list[list] = frames[:1]
    for before, now in zip(frames, frames[1:]):
        ops: list = []
        matcher = difflib.SequenceMatcher(None, before, now, autojunk=False)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag == "equal":
                ops.append([i1, i2])
            elif tag != "delete":
                ops.extend(now[j1:j2])
        edits.append(ops)
    return list(pieces), edits


# ---- colours ------------------------------------------------------------------------------------


def _dark_rules(scope: str) -> str:
    """CSS giving a light-theme drawing the dark theme's colours (see the module docstring)."""
    light, dark = THEMES["light"], THEMES["dark"]
    pairs: dict[str, str] = {}
    for field in light.__dataclass_fields__:
        a, b = getattr(light, field), getattr(dark, field)
        if isinstance(a, str) and a.startswith("#") and a != b:
            pairs.setdefault(a, b)
    rules = [f'{scope} [{attr}="{a}"]{{{attr}:{b}}}' for a, b in pairs.items()
             for attr in ("fill", "stroke")]
    rules.append(f'{scope} text[fill="#ffffff"]{{fill:#ffffff}}')  # on a warning badge: stays
    return "\n".join(rules)


def _palette(theme: Theme) -> str:
    """The page's own colours, from the drawing's theme."""
    return (f"--gs-bg:{theme.background};--gs-text:{theme.text};--gs-muted:{theme.muted};"
            f"--gs-grad:{theme.grad};--gs-line:{theme.border};--gs-now:{theme.highlight};"
            f"--gs-panel:{theme.node_fill}")


_CSS = """
{s}{{{palette};color:var(--gs-text);background:var(--gs-bg);font:15px/1.45 "DejaVu Sans",
 Verdana,"Bitstream Vera Sans",sans-serif;padding:8px 0;outline:none}}
{s}:focus-visible{{outline:2px solid var(--gs-line);outline-offset:4px}}
{s} .gs-controls{{display:flex;flex-wrap:wrap;gap:6px;align-items:center;margin:0 0 8px}}
{s} .gs-controls[hidden]{{display:none}}
{s} button{{font:inherit;color:var(--gs-text);background:var(--gs-panel);border:1px solid
 var(--gs-line);border-radius:4px;padding:3px 10px;cursor:pointer}}
{s} button:disabled{{opacity:.45;cursor:default}}
{s} .gs-slider{{flex:1 1 160px;min-width:120px;accent-color:var(--gs-line)}}
{s} .gs-count{{min-width:6em;color:var(--gs-muted);font-variant-numeric:tabular-nums}}
{s} .gs-caption{{margin:0 0 8px;min-height:2.9em;font-size:16px}}
{s} .gs-body{{display:flex;flex-wrap:wrap;gap:16px;align-items:flex-start}}
{s} .gs-frame{{flex:1 1 auto}}
{s} .gs-frame svg{{display:block;max-width:100%;height:auto}}
{s} .gs-frame text{{font-family:"DejaVu Sans",Verdana,"Bitstream Vera Sans",sans-serif}}
{s} .gs-frame text[font-family="DejaVu Sans Mono"]{{font-family:"DejaVu Sans Mono",
 "Bitstream Vera Sans Mono",Menlo,Consolas,monospace}}
{s} .gs-table{{flex:0 1 auto;max-height:80vh;overflow:auto}}
{s} table{{border-collapse:collapse;font-size:14px}}
{s} th,{s} td{{border-bottom:1px solid var(--gs-line);padding:2px 10px;text-align:left;
 vertical-align:top}}
{s} th{{color:var(--gs-muted);font-weight:normal}}
{s} td.gs-num{{font-family:"DejaVu Sans Mono",Menlo,Consolas,monospace;white-space:pre}}
{s} td.gs-grad{{color:var(--gs-grad)}}
{s} tr.gs-current td{{background:var(--gs-now)}}
@media print{{{s} .gs-controls{{display:none}}{s}{{color:#000;background:#fff}}
 {s} .gs-table{{max-height:none;overflow:visible}}{s} tr{{break-inside:avoid}}}}
"""


def _css(scope: str, theme: Theme) -> str:
    css = _CSS.format(s=scope, palette=_palette(theme))
    if theme.name == "light":  # follows the reader's colour scheme on screen
        css += (f"@media screen and (prefers-color-scheme:dark){{\n{scope}{{{_palette(THEMES['dark'])}}}\n"
                f"{_dark_rules(scope)}\n}}\n")
    return css


# ---- the player ---------------------------------------------------------------------------------


def _table_rows(rows: Sequence[TableRow]) -> list[list[str]]:
    """The whole ``grad_table`` once every step is done: node, value, grad, the sum."""
    table: dict[int, list[str]] = {}
    for r in rows:
        if r.phase == "forward":
            table[r.node] = [r.name, r.value, "", ""]
        elif r.node in table:
            table[r.node][2:] = [r.grad, r.sum]
    return list(table.values())


def _tbody(rows: list[list[str]]) -> str:
    classes = ("", "gs-num", "gs-num gs-grad", "gs-num")
    return "".join("<tr>" + "".join(f'<td class="{c}">{html.escape(t)}</td>' if c else
                                    f"<td>{html.escape(t)}</td>" for c, t in zip(classes, row))
                   + "</tr>" for row in rows)


def _overview_caption(output: str, steps: int) -> str:
    grads = f" and its gradient d{output}/d·" if output else ""
    if not steps:
        return f"The graph with every value{grads}."
    return (f"The graph with every value{grads}. Step through the forward pass, then the "
            f"backward pass ({steps} steps): Next or the → key.")


def player_html(pictures: Sequence[Picture], *, scale: float = 1.0,
                theme: Theme | str = "light", page: bool = False) -> str:
    """The step-through player (see the module docstring) as an HTML fragment: ``pictures``
    are the annotated picture then every step's (as :func:`graphstudio.render.export.pictures_for`
    makes them for this format). With ``page`` the arrow keys work anywhere on the page, not
    only when the player has the focus (a notebook keeps its own keys)."""
    theme = THEMES[theme] if isinstance(theme, str) else theme
    overview = [p for p in pictures if "row" not in p.meta][:1] or list(pictures[:1])
    steps = [p for p in pictures if "row" in p.meta]
    if len(steps) > MAX_FRAMES:
        from ..export import ExportError

        raise ExportError(f"{len(steps)} steps are too many for one page (at most "
                          f"{MAX_FRAMES}); export them with --steps to a PDF instead")
    svgs = _frames(overview + steps, scale, theme)
    pieces, frames = _shared(svgs[1:])
    rows = [p.meta["row"] for p in steps]
    output = steps[0].meta.get("output", "") if steps else ""
    uid = f"gs-player-{next(_players)}-{id(pictures) & 0xffffff:x}"
    data = {"pieces": pieces, "frames": frames, "captions": [p.caption for p in steps],
            "rows": [{"node": r.node, "name": r.name, "phase": r.phase, "value": r.value,
                      "how": r.how, "grad": r.grad, "sum": r.sum} for r in rows]}
    caption = _overview_caption(output, len(steps))
    head = f"grad = d{output}/d·" if output else "grad"
    n = len(steps)
    found = re.search(r'viewBox="[-\d.]+ [-\d.]+ ([\d.]+)', svgs[0])
    width = round(float(found.group(1))) if found else 600  # the drawing's own width, in px
    # beside the table while the drawing keeps 70 % of its size, else the table goes below
    return _PLAYER.format(width=width, least=round(width * 0.7),
        uid=uid, css=_css(f"#{uid}", theme), n=n, caption=html.escape(caption),
        svg=svgs[0], head=html.escape(head), tbody=_tbody(_table_rows(rows)),
        data=json.dumps(data, ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/"),
        page="true" if page else "false")


def page_html(pictures: Sequence[Picture], title: str, *, scale: float = 1.0,
              theme: Theme | str = "light") -> str:
    """A whole HTML document: a heading and the player, keys working anywhere on the page."""
    theme = THEMES[theme] if isinstance(theme, str) else theme
    style = f"body{{background:{theme.background};color:{theme.text}}}"
    if theme.name == "light":
        dark = THEMES["dark"]
        style += (f"\n@media screen and (prefers-color-scheme:dark){{body{{background:"
                  f"{dark.background};color:{dark.text}}}}}")
    return _PAGE.format(title=html.escape(title), style=style,
                        scheme="light dark" if theme.name == "light" else
                        "dark" if theme.name == "dark" else "light",
                        player=player_html(pictures, scale=scale, theme=theme, page=True))


_PLAYER = """<div class="gs-player" id="{uid}" tabindex="0" role="group" \
aria-label="Step-through of the forward and backward passes">
<style>{css}</style>
<div class="gs-controls" hidden>
<button type="button" data-go="first" title="First step (Home)">|&#x25C0; First</button>
<button type="button" data-go="back" title="Previous step (&#x2190;)">&#x25C0; Back</button>
<button type="button" data-go="play" title="Play / pause (Space)">&#x25B6; Play</button>
<button type="button" data-go="next" title="Next step (&#x2192;)">Next &#x25B6;</button>
<button type="button" data-go="last" title="Last step (End)">Last &#x25B6;|</button>
<input class="gs-slider" type="range" min="0" max="{n}" value="0" aria-label="Step">
<span class="gs-count" aria-live="polite">overview</span>
</div>
<p class="gs-caption">{caption}</p>
<div class="gs-body">
<div class="gs-frame" style="flex-basis:{least}px;max-width:{width}px">{svg}</div>
<div class="gs-table"><table><thead><tr><th>node</th><th>value</th><th>{head}</th>\
<th>= &#x3A3; upstream &#xD7; local</th></tr></thead><tbody>{tbody}</tbody></table></div>
</div>
<script type="application/json" class="gs-data">{data}</script>
<script>
(function () {{
  "use strict";
  var root = document.getElementById("{uid}");
  if (!root || root.getAttribute("data-ready")) {{ return; }}
  root.setAttribute("data-ready", "1");
  var data = JSON.parse(root.querySelector("script.gs-data").textContent);
  var n = data.frames.length, at = 0, timer = null, frames = [];
  data.frames.forEach(function (ops, k) {{  // each frame: edits of the one before
    var ids = [];
    ops.forEach(function (op) {{
      if (typeof op === "number") {{ ids.push(op); }}
      else {{ for (var i = op[0]; i < op[1]; i++) {{ ids.push(frames[k - 1][i]); }} }}
    }});
    frames.push(ids);
  }});
  var frame = root.querySelector(".gs-frame"), caption = root.querySelector(".gs-caption");
  var body = root.querySelector("tbody"), box = root.querySelector(".gs-table");
  var slider = root.querySelector(".gs-slider"), count = root.querySelector(".gs-count");
  var buttons = {{}};
  root.querySelectorAll("button[data-go]").forEach(function (b) {{ buttons[b.getAttribute("data-go")] = b; }});
  var overview = {{svg: frame.innerHTML, caption: caption.textContent, table: body.innerHTML}};

  function td(tr, text, cls) {{
    var cell = document.createElement("td");
    cell.textContent = text;
    if (cls) {{ cell.className = cls; }}
    tr.appendChild(cell);
    return cell;
  }}
  function table(k) {{  // the grad_table as steps 1..k wrote it
    var rows = {{}}, order = [], current = data.rows[k - 1].node, mark = null;
    for (var i = 0; i < k; i++) {{
      var r = data.rows[i];
      if (r.phase === "forward") {{ rows[r.node] = {{r: r, grad: "", sum: ""}}; order.push(r.node); }}
      else if (rows[r.node]) {{ rows[r.node].grad = r.grad; rows[r.node].sum = r.sum; }}
    }}
    body.textContent = "";
    order.forEach(function (id) {{
      var row = rows[id], tr = document.createElement("tr");
      td(tr, row.r.name);
      td(tr, row.r.value, "gs-num").title = row.r.how;
      td(tr, row.grad, "gs-num gs-grad");
      td(tr, row.sum, "gs-num");
      if (id === current) {{ tr.className = "gs-current"; mark = tr; }}
      body.appendChild(tr);
    }});
    if (mark && (mark.offsetTop < box.scrollTop || mark.offsetTop + mark.offsetHeight > box.scrollTop + box.clientHeight)) {{
      box.scrollTop = mark.offsetTop - box.clientHeight / 2;
    }}
  }}
  function show(k) {{
    at = Math.max(0, Math.min(n, k));
    if (at === 0) {{
      frame.innerHTML = overview.svg;
      caption.textContent = overview.caption;
      body.innerHTML = overview.table;
    }} else {{
      frame.innerHTML = frames[at - 1].map(function (i) {{ return data.pieces[i]; }}).join("");
      caption.textContent = "Step " + at + " of " + n + ". " + data.captions[at - 1];
      table(at);
    }}
    slider.value = String(at);
    count.textContent = at ? at + " / " + n : "overview";
    buttons.first.disabled = at === 1 || n === 0;
    buttons.back.disabled = at === 0;
    buttons.next.disabled = buttons.last.disabled = at === n;
    buttons.play.disabled = n === 0;
  }}
  function pause() {{
    if (timer !== null) {{ clearInterval(timer); timer = null; }}
    buttons.play.innerHTML = "&#x25B6; Play";
  }}
  function play() {{
    if (timer !== null) {{ pause(); return; }}
    if (at === 0 || at === n) {{ show(1); }}
    buttons.play.innerHTML = "&#x2016; Pause";
    timer = setInterval(function () {{ if (at >= n) {{ pause(); }} else {{ show(at + 1); if (at >= n) {{ pause(); }} }} }}, 900);
  }}
  var moves = {{
    first: function () {{ pause(); show(1); }}, back: function () {{ pause(); show(at - 1); }},
    next: function () {{ pause(); show(at + 1); }}, last: function () {{ pause(); show(n); }},
    play: play, overview: function () {{ pause(); show(0); }}
  }};
  Object.keys(buttons).forEach(function (name) {{
    buttons[name].addEventListener("click", function () {{ moves[name](); }});
  }});
  slider.addEventListener("input", function () {{ pause(); show(parseInt(slider.value, 10)); }});
  var keys = {{ArrowRight: "next", ArrowLeft: "back", Home: "first", End: "last", " ": "play",
              Escape: "overview"}};
  function key(event) {{
    var move = keys[event.key], tag = event.target && event.target.tagName;
    if (!move || event.altKey || event.ctrlKey || event.metaKey || tag === "INPUT" || tag === "TEXTAREA") {{ return; }}
    if (tag === "BUTTON" && (event.key === " " || event.key === "Enter")) {{ return; }}
    moves[move]();
    event.preventDefault();
  }}
  ({page} ? document : root).addEventListener("keydown", key);
  root.querySelector(".gs-controls").hidden = false;
  show(0);
}})();
</script>
</div>"""

_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="{scheme}">
<meta name="generator" content="GraphStudio">
<title>{title}: forward and backward pass</title>
<style>
body{{margin:0 auto;max-width:1400px;padding:12px 20px}}
h1{{font:600 20px/1.3 "DejaVu Sans",Verdana,sans-serif;margin:4px 0 8px}}
{style}
@media print{{body{{background:#fff;color:#000}}}}
</style>
</head>
<body>
<h1>{title}</h1>
{player}
</body>
</html>
"""


def write(pictures, path: Path, *, scale, theme, bounds) -> None:
    Path(path).write_text(page_html(pictures, Path(path).stem, scale=scale, theme=theme),
                          encoding="utf-8")


def size(_bounds, _scale: float, _options: dict) -> str:
    return "one page: the picture and every step, nothing fetched"


register(ExportFormat("html", "HTML step-through", (".html", ".htm"), write,
                      description="one page for any browser", pages=True, player=True,
                      size=size, order=4))
