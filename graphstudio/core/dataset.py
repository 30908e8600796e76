"""Datasets: a CSV file of numbers, and the inputs of a graph bound to its columns.

A graph declares its dataset in ``.gs`` text with ``dataset("data/points.csv")`` (kept in
``graph.meta["dataset"]``: in a file, a path relative to the file's folder; in an opened
document, the absolute path of the file found, see :func:`find_dataset`) and binds inputs to
columns:

* ``x = data("x")``: a number, column ``x`` of each row;
* ``x = data(["x1", "x2"])``: a vector, one element per listed column;
* ``t = data("label", onehot=3)``: a vector of 3 with a 1 at the row's class (0, 1 or 2);
* ``t_2 = data("label", equals=1)``: the number 1 where the label is 1, else 0 (one element of
  the one-hot vector, for networks written out in scalar neurons).

The binding lives on the input node (attributes ``data``, ``onehot``, ``equals``);
:class:`Binding` reads it back. The CSV file has a header row of column names, then one
example per row; blank lines and lines starting with ``#`` are skipped (for a comment saying
where the data came from). Every problem raises :class:`DatasetError` reading
``FILE:LINE: message``.

>>> ds = parse_csv("x,y\\n1,2\\n3,4\\n", "pts.csv")
>>> ds.column("y")
array([2., 4.])
"""

from __future__ import annotations

import csv
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .graph import Graph
from .numbers import format_literal
from .textfile import CannotRead, quote, read_text

__all__ = ["Dataset", "DatasetError", "Binding", "binding", "bound_inputs", "load_csv",
           "parse_csv", "DatasetNotFound", "dataset_candidates", "find_dataset", "is_embedded",
           "dataset_location", "express_path", "load_for_graph", "embedded_text", "bind",
           "set_row", "dataset_name_problem", "MAX_CLASSES"]


class DatasetError(ValueError):
    """A dataset that cannot be read or does not fit the graph: ``FILE:LINE: message``."""


@dataclass
class Dataset:
    """The numbers of a CSV file: ``values[i, j]`` is row ``i``, column ``columns[j]``;
    ``lines[i]`` is the file line row ``i`` came from (for messages)."""

    path: str
    columns: list[str]
    values: np.ndarray
    lines: list[int]
    header_line: int = 1
    _index: dict[str, int] | None = field(default=None, init=False, repr=False, compare=False)

    def __len__(self) -> int:
        return len(self.lines)

    def column(self, name: str) -> np.ndarray:
        if self._index is None:
            self._index = {c: i for i, c in enumerate(self.columns)}
        index = self._index.get(name)
        if index is None:
            raise DatasetError(f"{self.path}:{self.header_line}: no column {quote(name)} "
                               f"(columns: {_names(self.columns)})")
        return self.values[:, index]

    def where(self, row: int) -> str:
        """``FILE:LINE`` of row ``row``."""
        return f"{self.path}:{self.lines[row]}"


#: The largest CSV file read (a teaching dataset is a few kilobytes; this is room for a
#: hundred thousand rows of five columns, read within seconds).
MAX_BYTES = 5_000_000
#: The most classes ``onehot=`` takes (the width of the one-hot vector).
MAX_CLASSES = 10_000
#: The longest dataset file name a document may hold.
MAX_NAME = 4096


def dataset_name_problem(name: str) -> str | None:
    """Why ``name`` cannot be a dataset file name (a control character, too long), or None."""
    if len(name) > MAX_NAME:
        return f"the file name is {len(name):,} characters long (at most {MAX_NAME:,})"
    bad = next((c for c in name if ord(c) < 32 or ord(c) == 127), None)
    if bad is not None:
        return f"the file name holds the control character {bad!r}"
    return None


def _cells(line: str, path: str, lineno: int) -> list[str]:
    if '"' not in line:
        return line.split(",")
    try:
        return next(csv.reader([line]))
    except csv.Error as exc:
        limit = csv.field_size_limit()
        what = (f"a cell longer than {limit:,} characters" if "field larger" in str(exc)
                else f"not valid CSV ({exc})")
        raise DatasetError(f"{path}:{lineno}: {what}") from None


def _names(names: list[str], limit: int = 8) -> str:
    """Column names for a message: the first few of a long header."""
    shown = ", ".join(_short(n) for n in names[:limit])
    return shown if len(names) <= limit else f"{shown}, … ({len(names):,} columns)"


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else f"{text[:limit]}…"


def parse_csv(text: str, path: str = "<csv>") -> Dataset:
    """Read CSV text: a header of column names, then rows of numbers.

    Written for large files: the lines without quotes (nearly always all of them) are split
    and converted in bulk; a line is looked at on its own only to say what is wrong with it."""
    all_lines = text.splitlines()
    content = [i for i, line in enumerate(all_lines, start=1)
               if (s := line.strip()) and s[0] != "#"]  # line numbers, blank and # lines left out
    if not content:
        raise DatasetError(f"{path}:1: the file is empty (expected a header of column names)")
    header_line = content[0]
    header = [c.strip() for c in _cells(all_lines[header_line - 1], path, header_line)]
    seen: set[str] = set()
    for name in header:
        if not name:
            raise DatasetError(f"{path}:{header_line}: the header has an empty column name")
        if name in seen:
            raise DatasetError(f"{path}:{header_line}: column {quote(name)} appears twice in "
                               "the header")
        seen.add(name)
    lines = content[1:]
    if not lines:
        raise DatasetError(f"{path}:{header_line}: no rows of data after the header")
    width = len(header)
    body = [all_lines[i - 1] for i in lines]
    if any('"' in line for line in body):
        rows = [_cells(line, path, i) for line, i in zip(body, lines)]
        counts = np.array([len(r) for r in rows])
        cells = [c for r in rows for c in r]
    else:  # no quotes: every comma separates two cells
        blob = "\n".join(body)
        raw = np.frombuffer(blob.encode(), dtype=np.uint8)
        line_ends = np.append(np.flatnonzero(raw == ord("\n")), raw.size)
        counts = np.diff(np.searchsorted(np.flatnonzero(raw == ord(",")), line_ends), prepend=0) + 1
        cells = blob.replace("\n", ",").split(",")
    wrong = np.flatnonzero(counts != width)
    if wrong.size:
        k = int(wrong[0])
        raise DatasetError(f"{path}:{lines[k]}: {counts[k]} values, but the header has "
                           f"{width} columns ({_names(header)})")
    try:
        values = np.array(cells, dtype=float).reshape(len(lines), width)
    except ValueError:
        for k, cell in enumerate(cells):
            try:
                float(cell)
            except ValueError:
                row, col = divmod(k, width)
                cell = cell.strip()
                shown = quote(cell) if cell else "an empty cell"
                raise DatasetError(f"{path}:{lines[row]}: column {quote(header[col])}: {shown} "
                                   "is not a number") from None
        raise
    bad = np.flatnonzero(~np.isfinite(values))
    if bad.size:
        row, col = divmod(int(bad[0]), width)
        raise DatasetError(f"{path}:{lines[row]}: column {quote(header[col])}: "
                           f"{quote(cells[row * width + col].strip())} is not a finite number")
    return Dataset(path, header, values, lines, header_line)


def load_csv(path: str | Path) -> Dataset:
    path = Path(path)
    try:
        text = read_text(path, MAX_BYTES)
    except CannotRead as exc:
        raise DatasetError(f"{path}: cannot read the file: {exc.reason}") from None
    return parse_csv(text, str(path))


# ---- bindings ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Binding:
    """How one input takes its value from a row: its columns, and how they are read."""

    columns: tuple[str, ...]
    vector: bool = False  # a vector of the columns (data([...])) rather than one number
    onehot: int | None = None  # a one-hot vector of this many classes
    equals: float | None = None  # 1 where the column equals this, else 0

    def shape(self) -> tuple[int, ...]:
        if self.onehot is not None:
            return (self.onehot,)
        return (len(self.columns),) if self.vector else ()

    def zero(self) -> Any:
        shape = self.shape()
        return np.zeros(shape) if shape else 0.0

    def text(self) -> str:
        """The ``data(...)`` form of the ``.gs`` format."""
        cols = ", ".join(_quote(c) for c in self.columns)
        args = f"[{cols}]" if self.vector else cols
        if self.onehot is not None:
            args += f", onehot={self.onehot}"
        if self.equals is not None:
            args += f", equals={format_literal(self.equals)}"
        return f"data({args})"

    def attrs(self) -> dict[str, Any]:
        """The node attributes that store this binding."""
        out: dict[str, Any] = {"data": self.columns if self.vector else self.columns[0]}
        if self.onehot is not None:
            out["onehot"] = self.onehot
        if self.equals is not None:
            out["equals"] = self.equals
        return out

    def values(self, ds: Dataset) -> np.ndarray:
        """This input's value for every row: shape ``(len(ds),) + self.shape()``."""
        cols = np.stack([ds.column(c) for c in self.columns], axis=1)
        if self.onehot is not None:
            labels = cols[:, 0]
            bad = np.flatnonzero((labels != np.round(labels)) | (labels < 0) | (labels >= self.onehot))
            if bad.size:
                i = int(bad[0])
                raise DatasetError(f"{ds.where(i)}: column {quote(self.columns[0])}: {labels[i]:g} is not "
                                   f"a class 0..{self.onehot - 1} (onehot={self.onehot})")
            return np.eye(self.onehot)[labels.astype(int)]
        if self.equals is not None:
            return (cols[:, 0] == self.equals).astype(float)
        return cols if self.vector else cols[:, 0]


def _quote(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a valid Python string


def binding(graph: Graph, node: int) -> Binding | None:
    """The dataset binding of input ``node``, or None."""
    record = graph.node(node)
    cols = record.data
    if not cols:
        return None
    vector = not isinstance(cols, str)
    return Binding(tuple(cols) if vector else (cols,), vector, record.onehot, record.equals)


def bound_inputs(graph: Graph) -> dict[int, Binding]:
    """Every input bound to the dataset, in assignment order."""
    out = {}
    for n in graph.inputs():
        b = binding(graph, n)
        if b is not None:
            out[n] = b
    return out


# ---- where the dataset is ----------------------------------------------------------------------
#
# A file names its dataset relative to its own folder (``dataset("data/points.csv")``). An
# opened document holds the absolute path of the file it found (so an Untitled document, a Save
# As to another folder or an autosave still know where the data is), and a writer expresses it
# again relative to the folder it writes into (:func:`express_path`). A dataset can also travel
# inside the document: ``meta["dataset_csv"]`` holds the CSV text, ``meta["dataset"]`` its name.


class DatasetNotFound(DatasetError):
    """The dataset file is in none of the places looked at (``looked``, in order)."""

    def __init__(self, ref: str, looked: list[Path]) -> None:
        self.ref, self.looked = ref, looked
        places = ", ".join(str(p) for p in looked[:-1])
        places = f"{places} or {looked[-1]}" if places else str(looked[-1])
        super().__init__(f"{ref}: cannot find the dataset (looked for {places})")


def dataset_candidates(ref: str, base_dir: str | Path | None) -> list[Path]:
    """Where a graph in ``base_dir`` looks for its dataset ``ref``, in order: the path as
    written (relative to ``base_dir``; the current folder when None), then a file of that
    name beside the graph and in its ``data`` folder (a folder copied to another machine, or
    an absolute path that no longer exists)."""
    path = Path(ref)
    first = path if path.is_absolute() or base_dir is None else Path(base_dir) / path
    out = [Path(os.path.abspath(first))]
    if base_dir is not None:
        for other in (Path(base_dir) / path.name, Path(base_dir) / "data" / path.name):
            other = Path(os.path.abspath(other))
            if other not in out:
                out.append(other)
    return out


def find_dataset(ref: str, base_dir: str | Path | None) -> Path:
    """The dataset file a graph in ``base_dir`` means by ``ref``; raises
    :class:`DatasetNotFound` naming every place it looked."""
    looked = dataset_candidates(ref, base_dir)
    for path in looked:
        if path.exists():  # what is there but not a CSV file, load_csv says why
            return path
    raise DatasetNotFound(ref, looked)


def is_embedded(graph: Graph) -> bool:
    """Whether the graph carries its dataset inside it (no file needed)."""
    return graph.meta.get("dataset_csv") is not None


def dataset_location(graph: Graph, base_dir: str | Path | None) -> Path | None:
    """The absolute path of the graph's dataset file: the one found, else where it was first
    looked for; None when the graph declares none or carries it inside."""
    ref = graph.meta.get("dataset")
    if not ref or is_embedded(graph):
        return None
    try:
        return find_dataset(ref, base_dir)
    except DatasetNotFound as exc:
        return exc.looked[0]


def express_path(target: str | Path, folder: str | Path | None) -> str:
    """How a file in ``folder`` names the file ``target``: relative when the two share a
    folder below the root (the graph and its data move together: beside, below, or a sibling
    ``../data``), else absolute. A file inside an installed package (site-packages) is named
    absolutely from outside it: a path climbing into a Python installation breaks at the next
    upgrade."""
    target = os.path.abspath(target)
    if folder is None:
        return Path(target).as_posix()
    folder = os.path.abspath(folder)
    installed = ("site-packages", "dist-packages")
    if any(p in Path(target).parts for p in installed) and \
            not any(p in Path(folder).parts for p in installed):
        return Path(target).as_posix()
    try:
        shared = Path(os.path.commonpath([target, folder]))
    except ValueError:  # another drive on Windows
        return Path(target).as_posix()
    if shared.parent == shared:
        return Path(target).as_posix()
    return Path(os.path.relpath(target, folder)).as_posix()


def load_for_graph(graph: Graph, base_dir: str | Path | None) -> Dataset | None:
    """The graph's declared dataset: the CSV it carries inside, else its file
    (``graph.meta["dataset"]``, found from ``base_dir``, the graph file's folder, by
    :func:`find_dataset`); None when the graph declares none."""
    ref = graph.meta.get("dataset")
    if not ref:
        return None
    if is_embedded(graph):
        return parse_csv(graph.meta["dataset_csv"], f"{Path(ref).name} (inside the document)")
    return load_csv(find_dataset(ref, base_dir))


def embedded_text(graph: Graph, base_dir: str | Path | None) -> str | None:
    """The CSV text to carry inside a document (checked: it parses); None without a dataset.
    Raises :class:`DatasetError` when the file cannot be found or read."""
    ref = graph.meta.get("dataset")
    if not ref:
        return None
    if is_embedded(graph):
        return graph.meta["dataset_csv"]
    path = find_dataset(ref, base_dir)
    try:
        text = read_text(path, MAX_BYTES)
    except CannotRead as exc:
        raise DatasetError(f"{path}: cannot read the file: {exc.reason}") from None
    parse_csv(text, str(path))
    return text


def bind(graph: Graph, ds: Dataset) -> dict[int, np.ndarray]:
    """Per bound input, its values for every row (first axis: the row)."""
    return {n: b.values(ds) for n, b in bound_inputs(graph).items()}


def set_row(graph: Graph, ds: Dataset, row: int = 0) -> None:
    """Give every bound input its value from row ``row`` (so an editor or ``eval`` shows one
    real example instead of the zeros a data input holds until then)."""
    for n, b in bound_inputs(graph).items():
        graph.set_value(n, b.values(ds)[row])
