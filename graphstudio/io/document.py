"""The JSON document (``.json``): the whole editor state, with a ``format_version``.

::

    {
      "format_version": 1,
      "app": "graphstudio",
      "nodes": [{"id": 0, "op": "input", "name": "a", "value": -1.0, "pos": [0, 0],
                 "trainable": false}, ...],
      "edges": [{"src": 0, "dst": 3, "port": 0}, ...],
      "output": 5,            # the chosen output node id, or null
      "groups": [{"id": 0, "name": "swish", "members": [3, 4], "collapsed": true,
                  "function": "swish", "params": ["x"], "args": [0]}],  # optional
      "dataset": "data/points.csv",  # optional: the CSV file of the data(...) inputs,
                                     # relative to the document's folder (or absolute)
      "dataset_csv": "x,y\n1,2\n",  # optional: the dataset carried inside (then "dataset"
                                     # is just its name)
      "view": {...}           # view settings the editor keeps (zoom, grid, edge labels...)
    }

Values are numbers or nested lists; non-finite numbers are the strings ``"nan"``, ``"inf"``,
``"-inf"`` so the file stays valid JSON. Nothing is pickled and nothing in a file is executed:
every field is checked, and a bad file raises :class:`DocumentError` that names the file and the
field. Older versions are upgraded by :data:`MIGRATIONS`; a newer version is refused.

Writes are atomic (:mod:`graphstudio.core.savefile`): the text goes to a temporary file in the
same folder, which then replaces the old file, so a crash mid-save never leaves a half-written
document; the file gets the permissions the user's umask gives a new file.
"""

from __future__ import annotations

import json
import re
import reprlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np

from ..core.dataset import MAX_CLASSES, dataset_name_problem
from ..core.graph import Graph, GraphError
from ..core.groups import Group
from ..core.node import SAVED_FIELDS, non_defaults
from ..core.numbers import jsonable
from ..core.ops import LEAF_KINDS, OPS
from ..core.savefile import atomic_write_text
from ..core.textfile import CannotRead, read_text

__all__ = ["FORMAT_VERSION", "DocumentError", "Document", "to_json", "from_json", "save",
           "load", "atomic_write_text", "jsonable"]

FORMAT_VERSION = 1

#: Limits that keep reading a file bounded in time and memory (a document of a lecture's graph
#: is a few kilobytes; a dataset carried inside one, a few megabytes).
MAX_BYTES = 10_000_000
#: node ids run from 0 to this (Qt signals carry them as 32-bit ints)
MAX_ID = 2**31 - 1
#: positions are scene pixels; beyond this the canvas cannot show them
MAX_COORD = 1e9
#: numpy 1.x allows 32 dimensions; no graph needs more than a few
MAX_DIMS = 32

#: format_version -> function upgrading a dict of that version to the next one.
MIGRATIONS: dict[int, Callable[[dict], dict]] = {
    # Version 0 (pre-release) called the node list "vertices" and had no view settings.
    0: lambda d: {**{k: v for k, v in d.items() if k != "vertices"},
                  "nodes": d.get("vertices", d.get("nodes", [])), "view": d.get("view", {}),
                  "format_version": 1},
}


class DocumentError(ValueError):
    """A document that cannot be read; the message names the file and what is wrong."""


@dataclass
class Document:
    graph: Graph
    view: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)  # things the user should know (not errors)


def _from_jsonable(value: Any, where: str) -> Any:
    if value is None:
        return None

    def conv(v: Any, depth: int) -> Any:
        if isinstance(v, list):
            if depth >= MAX_DIMS:
                raise DocumentError(f"{where}: lists nested more than {MAX_DIMS} deep (an array "
                                    f"has at most {MAX_DIMS} dimensions)")
            return [conv(x, depth + 1) for x in v]
        if isinstance(v, bool):
            raise DocumentError(f"{where}: expected a number, found {v!r}")
        if isinstance(v, (int, float)):
            return _float(v, where)
        if isinstance(v, str) and v in ("nan", "inf", "-inf"):
            return float(v)
        raise DocumentError(f"{where}: expected a number or a list of numbers, found {_shown(v)}")

    out = conv(value, 0)
    if isinstance(out, list):
        try:
            return np.array(out, dtype=float)
        except ValueError:
            raise DocumentError(f"{where}: ragged array (rows of different lengths)") from None
    return out


#: how each saved node field is written as JSON (fields not listed are written as they are)
_TO_JSON: dict[str, Callable[[Any], Any]] = {
    "value": jsonable,
    "seed": jsonable,
    "pos": lambda pos: [pos[0], pos[1]],
    "data": lambda cols: cols if isinstance(cols, str) else list(cols),
}
#: the saved fields that hold values (numbers or arrays), written with :func:`jsonable`
VALUE_FIELDS: tuple[str, ...] = tuple(f for f, write in _TO_JSON.items() if write is jsonable)


def node_json(graph: Graph, node: int) -> dict[str, Any]:
    """One node as a JSON object: its id, op and name, a leaf's value, and every other saved
    field (:data:`~graphstudio.core.node.SAVED_FIELDS`) that is not at its default."""
    record = graph.node(node)
    item: dict[str, Any] = {"id": node, "op": record.op, "name": record.name}
    if record.is_leaf:
        item["value"] = jsonable(record.value)
    fields = non_defaults(record, skip=("op", "name", "value"))
    for key in SAVED_FIELDS:
        if key == "params" and key in fields:  # in the form of the op's kind of parameter
            item[key] = OPS[record.op].params.to_json(fields[key])
        elif key in fields:
            item[key] = _TO_JSON.get(key, _same)(fields[key])
    return item


def _same(value: Any) -> Any:
    return value


def _float(v: int | float, where: str) -> float:
    try:
        return float(v)
    except OverflowError:
        raise DocumentError(f"{where}: a whole number of {len(str(v)):,} digits is too large for "
                            "a number (the largest is about 1.8e308)") from None


_SHORT = reprlib.Repr()
_SHORT.maxlevel, _SHORT.maxlist, _SHORT.maxdict = 3, 6, 4
_SHORT.maxstring = _SHORT.maxother = _SHORT.maxlong = 40


def _shown(v: Any) -> str:
    """A JSON value for a message, cut short when it is long (a field may hold megabytes)."""
    return _SHORT.repr(v)


def _whole(v: Any, low: int, high: int) -> bool:
    return isinstance(v, int) and not isinstance(v, bool) and low <= v <= high


def to_json(graph: Graph, view: dict[str, Any] | None = None) -> dict:
    nodes = [node_json(graph, n) for n in graph.in_order()]
    edges = [{"src": s, "dst": t, "port": p} for s, t, p in sorted(graph.edges(), key=lambda e: (e[1], e[2]))]
    doc = {
        "format_version": FORMAT_VERSION,
        "app": "graphstudio",
        "nodes": nodes,
        "edges": edges,
        "output": graph.output,
        "view": dict(view or {}),
    }
    if graph.groups():
        doc["groups"] = [group_json(gid, group) for gid, group in sorted(graph.groups().items())]
    if graph.meta.get("dataset"):
        doc["dataset"] = graph.meta["dataset"]
    if graph.meta.get("dataset_csv") is not None:
        doc["dataset_csv"] = graph.meta["dataset_csv"]
    return doc


def from_json(doc: Any, source: str = "<document>") -> Document:
    """Build a :class:`Document` from parsed JSON, checking every field."""
    if not isinstance(doc, dict):
        raise DocumentError(f"{source}: not a GraphStudio document (expected a JSON object)")
    version = doc.get("format_version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise DocumentError(f"{source}: not a GraphStudio document (no format_version)")
    if version > FORMAT_VERSION:
        raise DocumentError(
            f"{source}: made by a newer GraphStudio (format_version {version}); this version "
            f"reads format_version {FORMAT_VERSION} and older"
        )
    while version < FORMAT_VERSION:
        if version not in MIGRATIONS:
            raise DocumentError(f"{source}: format_version {version} is not supported")
        doc = MIGRATIONS[version](doc)
        version = doc["format_version"]
    nodes, edges = doc.get("nodes"), doc.get("edges", [])
    if not isinstance(nodes, list) or not isinstance(edges, list):
        raise DocumentError(f"{source}: 'nodes' and 'edges' must be lists")
    graph = Graph()
    for i, item in enumerate(nodes):
        add_node_json(graph, item, _at(f"{source}: nodes[{i}]"))
    for i, item in enumerate(edges):
        connect_json(graph, item, _at(f"{source}: edges[{i}]"))
    groups = doc.get("groups", [])
    if not isinstance(groups, list):
        raise DocumentError(f"{source}: groups: expected a list")
    for i, item in enumerate(groups):
        add_group_json(graph, item, f"{source}: groups[{i}]")
    output = doc.get("output")
    if output is not None:
        if not _whole(output, 0, MAX_ID) or output not in graph:
            raise DocumentError(f"{source}: output: no node {_shown(output)}")
        graph.set_output(output)
    dataset = doc.get("dataset")
    if dataset is not None:
        if not isinstance(dataset, str) or not dataset:
            raise DocumentError(f"{source}: dataset: expected a file name, found {_shown(dataset)}")
        problem = dataset_name_problem(dataset)
        if problem:
            raise DocumentError(f"{source}: dataset: {problem}")
        graph.set_meta("dataset", dataset)
    embedded = doc.get("dataset_csv")
    if embedded is not None:
        if not isinstance(embedded, str) or dataset is None:
            raise DocumentError(f"{source}: dataset_csv: expected the CSV text of the dataset "
                                f"named by \"dataset\"")
        graph.set_meta("dataset_csv", embedded)
    view = doc.get("view")
    view = {} if view is None else view
    if not isinstance(view, dict):
        raise DocumentError(f"{source}: view: expected an object")
    for key, value in view.items():
        expected = VIEW_TYPES.get(key)
        if expected is not None and not isinstance(value, expected):
            raise DocumentError(f"{source}: view.{key}: expected {VIEW_WORDS[expected]}, found "
                                f"{_shown(value)}")
    return Document(graph, view)


def _at(where: str) -> Callable[[str | None], str]:
    """Where a document's item is: ``FILE: nodes[3]``, and a field of it, ``FILE: nodes[3].op``."""
    return lambda field=None: where if field is None else f"{where}.{field}"


def add_node_json(graph: Graph, item: Any, at: Callable[[str | None], str]) -> int:
    """Add the node a JSON object describes to ``graph``, checking every field; ``at(field)``
    says where a field is for messages (``at(None)``: the node itself). The document reader and
    the readers of other tools' files (:mod:`graphstudio.io.nxgraph`) share it, each saying
    where in its own words. Raises :class:`DocumentError`."""
    if not isinstance(item, dict):
        raise DocumentError(f"{at(None)}: expected an object")
    node_id, op = item.get("id"), item.get("op")
    if not _whole(node_id, 0, MAX_ID):
        raise DocumentError(f"{at('id')}: expected a whole number from 0 to {MAX_ID:,}, "
                            f"found {_shown(node_id)}")
    if not isinstance(op, str):
        raise DocumentError(f"{at('op')}: expected the name of an op, found {_shown(op)}")
    if op not in LEAF_KINDS and op not in OPS:
        raise DocumentError(f"{at('op')}: unknown op {_shown(op)}")
    name = item.get("name")
    if name is not None and not isinstance(name, str):
        raise DocumentError(f"{at('name')}: expected text, found {_shown(name)}")
    pos = item.get("pos")
    if pos is not None:
        if (not isinstance(pos, list) or len(pos) != 2
                or not all(isinstance(c, (int, float)) and not isinstance(c, bool)
                           and abs(c) <= MAX_COORD for c in pos)):
            raise DocumentError(f"{at('pos')}: expected [x, y], found {_shown(pos)} (x and "
                                f"y within ±{MAX_COORD:,.0f})")
        pos = [float(c) for c in pos]
    extra = {}
    trainable = item.get("trainable", False)
    if not isinstance(trainable, bool):
        raise DocumentError(f"{at('trainable')}: expected true or false, found "
                            f"{_shown(trainable)}")
    if trainable:
        extra["trainable"] = True
    if item.get("data") is not None:
        extra.update(_binding_attrs(item, at))
    if item.get("seed") is not None:
        extra["seed"] = _from_jsonable(item["seed"], at("seed"))
    if item.get("params") is not None:
        kind = OPS[op].params if op in OPS else None
        if kind is None:
            raise DocumentError(f"{at('params')}: {op} takes no parameter")
        try:
            extra["params"] = kind.from_json(item["params"])
        except ValueError as exc:
            raise DocumentError(f"{at('params')}: {kind.name}: {exc}") from None
    value = _from_jsonable(item.get("value"), at("value")) if op in LEAF_KINDS else None
    try:
        return graph.add_node(op, name=name, value=value, pos=pos, node_id=node_id, **extra)
    except GraphError as exc:
        raise DocumentError(f"{at(None)}: {exc}") from None


def group_json(group_id: int, group: Group) -> dict[str, Any]:
    """One group (:mod:`graphstudio.core.groups`) as a JSON object."""
    item: dict[str, Any] = {"id": group_id, "name": group.name,
                            "members": sorted(group.members), "collapsed": group.collapsed}
    if group.function is not None:
        item["function"] = group.function
    if group.args:
        item["params"] = list(group.params)
        item["args"] = list(group.args)
    return item


def add_group_json(graph: Graph, item: Any, where: str) -> None:
    """Add the group a JSON object describes, checking every field (the nodes must be in the
    graph already). Raises :class:`DocumentError`."""
    if not isinstance(item, dict):
        raise DocumentError(f"{where}: expected an object")
    gid, name, members = item.get("id"), item.get("name"), item.get("members")
    if not _whole(gid, 0, MAX_ID):
        raise DocumentError(f"{where}.id: expected a whole number, found {_shown(gid)}")
    if not isinstance(name, str) or not name.strip():
        raise DocumentError(f"{where}.name: expected text, found {_shown(name)}")
    if not isinstance(members, list) or not all(_whole(m, 0, MAX_ID) for m in members):
        raise DocumentError(f"{where}.members: expected a list of node ids")
    collapsed = item.get("collapsed", True)
    if not isinstance(collapsed, bool):
        raise DocumentError(f"{where}.collapsed: expected true or false, found {_shown(collapsed)}")
    function = item.get("function")
    if function is not None and (not isinstance(function, str) or not function.isidentifier()):
        raise DocumentError(f"{where}.function: expected a function name, found {_shown(function)}")
    params, args = item.get("params", []), item.get("args", [])
    if (not isinstance(params, list) or not all(isinstance(p, str) and p.isidentifier()
                                                for p in params)
            or not isinstance(args, list) or not all(_whole(a, 0, MAX_ID) for a in args)
            or len(params) != len(args)):
        raise DocumentError(f"{where}: params and args: expected a list of names and a list of "
                            "node ids of the same length")
    try:
        graph.add_group(name, members, collapsed=collapsed, function=function, params=params,
                        args=args, group_id=gid)
    except GraphError as exc:
        raise DocumentError(f"{where}: {exc}") from None


def connect_json(graph: Graph, item: Any, at: Callable[[str | None], str]) -> None:
    """Add the edge a JSON object ``{"src", "dst", "port"}`` describes (see
    :func:`add_node_json`). Raises :class:`DocumentError`."""
    if not isinstance(item, dict):
        raise DocumentError(f"{at(None)}: expected an object")
    src, dst, port = item.get("src"), item.get("dst"), item.get("port")
    if not all(_whole(v, 0, MAX_ID) for v in (src, dst, port)):
        raise DocumentError(f"{at(None)}: expected whole numbers src, dst and port")
    try:
        graph.connect(src, dst, port)
    except GraphError as exc:
        raise DocumentError(f"{at(None)}: {exc}") from None


#: the type of each view setting the editor reads (others are kept as they are)
VIEW_TYPES: dict[str, type] = {"grid": bool, "show_grad": bool, "edge_labels": bool,
                               "theme": str}
VIEW_WORDS = {bool: "true or false", str: "text"}


def _binding_attrs(item: dict, at: Callable[[str | None], str]) -> dict[str, Any]:
    """The checked ``data``/``onehot``/``equals`` of a node bound to dataset columns."""
    data = item["data"]
    if isinstance(data, list):
        if not data or not all(isinstance(c, str) and c for c in data):
            raise DocumentError(f"{at('data')}: expected a column name or a list of them")
    elif not isinstance(data, str) or not data:
        raise DocumentError(f"{at('data')}: expected a column name or a list of them")
    out: dict[str, Any] = {"data": data}
    onehot, equals = item.get("onehot"), item.get("equals")
    if onehot is not None:
        if not _whole(onehot, 2, MAX_CLASSES) or not isinstance(data, str):
            raise DocumentError(f"{at('onehot')}: expected a number of classes from 2 to "
                                f"{MAX_CLASSES:,} for one column")
        out["onehot"] = onehot
    if equals is not None:
        if not isinstance(equals, (int, float)) or isinstance(equals, bool) or not isinstance(data, str):
            raise DocumentError(f"{at('equals')}: expected a number for one column")
        out["equals"] = _float(equals, at("equals"))
    return out


def save(path: str | Path, graph: Graph, view: dict[str, Any] | None = None) -> None:
    atomic_write_text(path, json.dumps(to_json(graph, view), indent=1) + "\n")


def load(path: str | Path) -> Document:
    path = Path(path)
    try:
        text = read_text(path, MAX_BYTES)
    except CannotRead as exc:
        raise DocumentError(f"{path}: cannot read the file: {exc.reason}") from None
    return from_json(parse_json(text, str(path)), str(path))


def parse_json(text: str, source: str) -> Any:
    """``json.loads`` with every failure a located :class:`DocumentError`."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise DocumentError(f"{source}:{exc.lineno}:{exc.colno}: not valid JSON: {exc.msg}") from None
    except RecursionError:  # json's decoder recurses once per level of nesting
        line, col = _deepest(text)
        raise DocumentError(f"{source}:{line}:{col}: lists or objects nested too deeply "
                            "(a GraphStudio document nests a few levels)") from None
    except ValueError:  # Python reads integers of at most 4,300 digits
        match = re.search(r"\d{4300,}", text)
        line, col = _line_col(text, match.start() if match else 0)
        raise DocumentError(f"{source}:{line}:{col}: a number with more than 4,300 digits") from None


def _line_col(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _deepest(text: str, depth_limit: int = 500) -> tuple[int, int]:
    """Where brackets first nest ``depth_limit`` deep (strings are not looked into)."""
    depth, in_string, escaped = 0, False, False
    for i, c in enumerate(text):
        if in_string:
            if escaped:
                escaped = False
            elif c == "\\":
                escaped = True
            elif c == '"':
                in_string = False
        elif c == '"':
            in_string = True
        elif c in "[{":
            depth += 1
            if depth >= depth_limit:
                return _line_col(text, i)
        elif c in "]}":
            depth -= 1
    return 1, 1
