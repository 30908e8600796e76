"""Datasets: a CSV file of numbers, and the inputs of a graph bound to its columns.

A graph declares its dataset in ``.gs`` text with ``dataset("data/points.csv")`` (kept in
``graph.meta["dataset"]``, a path relative to the graph's file) and binds inputs to columns:

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
import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .graph import Graph
from .textfile import CannotRead, read_text

__all__ = ["Dataset", "DatasetError", "Binding", "binding", "bound_inputs", "load_csv",
           "parse_csv", "dataset_location", "load_for_graph", "bind", "set_row", "rebase_dataset_path"]


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

    def __len__(self) -> int:
        return len(self.lines)

    def column(self, name: str) -> np.ndarray:
        if name not in self.columns:
            known = ", ".join(self.columns)
            raise DatasetError(f"{self.path}:{self.header_line}: no column {name!r} "
                               f"(columns: {known})")
        return self.values[:, self.columns.index(name)]

    def where(self, row: int) -> str:
        """``FILE:LINE`` of row ``row``."""
        return f"{self.path}:{self.lines[row]}"


def parse_csv(text: str, path: str = "<csv>") -> Dataset:
    """Read CSV text: a header of column names, then rows of numbers."""
    header: list[str] | None = None
    header_line = 1
    rows: list[list[float]] = []
    lines: list[int] = []
    for lineno, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        cells = [c.strip() for c in next(csv.reader([line]))]
        if header is None:
            header, header_line = cells, lineno
            for name in cells:
                if not name:
                    raise DatasetError(f"{path}:{lineno}: the header has an empty column name")
                if cells.count(name) > 1:
                    raise DatasetError(f"{path}:{lineno}: column {name!r} appears twice in the header")
            continue
        if len(cells) != len(header):
            raise DatasetError(f"{path}:{lineno}: {len(cells)} values, but the header has "
                               f"{len(header)} columns ({', '.join(header)})")
        row = []
        for name, cell in zip(header, cells):
            try:
                v = float(cell)
            except ValueError:
                shown = repr(cell) if cell else "an empty cell"
                raise DatasetError(f"{path}:{lineno}: column {name!r}: {shown} is not a number") from None
            if not math.isfinite(v):
                raise DatasetError(f"{path}:{lineno}: column {name!r}: {cell!r} is not a finite number")
            row.append(v)
        rows.append(row)
        lines.append(lineno)
    if header is None:
        raise DatasetError(f"{path}:1: the file is empty (expected a header of column names)")
    if not rows:
        raise DatasetError(f"{path}:{header_line}: no rows of data after the header")
    return Dataset(path, header, np.array(rows, dtype=float), lines, header_line)


def load_csv(path: str | Path) -> Dataset:
    path = Path(path)
    try:
        text = read_text(path)
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
            e = self.equals
            args += f", equals={int(e) if float(e).is_integer() else e!r}"
        return f"data({args})"

    def attrs(self) -> dict[str, Any]:
        """The node attributes that store this binding."""
        out: dict[str, Any] = {"data": list(self.columns) if self.vector else self.columns[0]}
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
                raise DatasetError(f"{ds.where(i)}: column {self.columns[0]!r}: {labels[i]:g} is not "
                                   f"a class 0..{self.onehot - 1} (onehot={self.onehot})")
            return np.eye(self.onehot)[labels.astype(int)]
        if self.equals is not None:
            return (cols[:, 0] == self.equals).astype(float)
        return cols if self.vector else cols[:, 0]


def _quote(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a valid Python string


def binding(graph: Graph, node: int) -> Binding | None:
    """The dataset binding of input ``node``, or None."""
    d = graph.data(node)
    cols = d.get("data")
    if not cols:
        return None
    vector = not isinstance(cols, str)
    return Binding(tuple(cols) if vector else (cols,), vector, d.get("onehot"), d.get("equals"))


def bound_inputs(graph: Graph) -> dict[int, Binding]:
    """Every input bound to the dataset, in assignment order."""
    out = {}
    for n in graph.inputs():
        b = binding(graph, n)
        if b is not None:
            out[n] = b
    return out


def dataset_location(graph: Graph, base_dir: str | Path | None) -> Path | None:
    """Where the graph's declared dataset is: ``graph.meta["dataset"]`` read relative to
    ``base_dir`` (the graph file's folder; the current folder when None), as an absolute
    path; None when the graph declares none."""
    rel = getattr(graph, "meta", {}).get("dataset")
    if not rel:
        return None
    path = Path(rel)
    if not path.is_absolute() and base_dir is not None:
        path = Path(base_dir) / path
    return Path(os.path.abspath(path))


def load_for_graph(graph: Graph, base_dir: str | Path | None) -> Dataset | None:
    """The graph's declared dataset (``graph.meta["dataset"]``), read relative to
    ``base_dir`` (the graph file's folder); None when the graph declares none."""
    path = dataset_location(graph, base_dir)
    return load_csv(path) if path is not None else None


def bind(graph: Graph, ds: Dataset) -> dict[int, np.ndarray]:
    """Per bound input, its values for every row (first axis: the row)."""
    return {n: b.values(ds) for n, b in bound_inputs(graph).items()}


def set_row(graph: Graph, ds: Dataset, row: int = 0) -> None:
    """Give every bound input its value from row ``row`` (so an editor or ``eval`` shows one
    real example instead of the zeros a data input holds until then)."""
    for n, b in bound_inputs(graph).items():
        graph.set_value(n, b.values(ds)[row])


def rebase_dataset_path(graph: Graph, old_dir: str | Path, new_dir: str | Path) -> None:
    """Rewrite a relative dataset path so it still names the same file when the graph is
    saved in ``new_dir`` instead of ``old_dir``."""
    meta = getattr(graph, "meta", None)
    rel = meta.get("dataset") if meta else None
    if not rel or Path(rel).is_absolute():
        return
    target = os.path.abspath(Path(old_dir) / rel)
    folder = os.path.abspath(new_dir)
    try:
        shared = os.path.commonpath([target, folder])
        # relative while the two share a folder below the root, else the absolute path
        new = os.path.relpath(target, folder) if Path(shared).parent != Path(shared) else target
    except ValueError:  # another drive on Windows
        new = target
    meta["dataset"] = Path(new).as_posix()
