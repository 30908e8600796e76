"""Tracing, micrograd-style: ordinary Python on :class:`Var` objects builds a graph.

::

    >>> import graphstudio as gs
    >>> a = gs.Var(-1.0, name="a"); b = gs.Var(3.0, name="b"); c = gs.Var(4.0, name="c")
    >>> z = (a + b) * (b + c)
    >>> z.value
    14.0
    >>> _ = z.backward()
    >>> a.grad, b.grad, c.grad
    (7.0, 9.0, 2.0)

How it works:

* A :class:`Var` is one variable of the lectures, ``u_i = f_i(parents)``: an **input** made by
  ``Var(value)``, or the result of an op applied to other variables. Its value is computed at
  once, by the op's own registry entry (:mod:`graphstudio.core.ops`), so ``z.value`` is there
  as soon as ``z`` is, and ``if z.value > 0:`` (or ``if z > 0:``) decides like any Python
  test. Python's loops and conditionals therefore *unroll* into the graph: only the ops that
  ran are in it.
* The operators ``+ - * / ** @``, unary ``-`` and ``abs()`` are the registry's ops written
  that way (found by the Python operator, as the ``.gs`` parser finds them), with plain
  numbers or arrays on either side becoming **constants** (no gradient). Every registry
  function is a function of the package (``gs.tanh(x)``, ``gs.max(a, b)``) and a method
  (``x.tanh()``); both are looked up in the registry when called, so an op registered at any
  time is there with no other change.
* Nothing is built until it is asked for: :func:`graph_of` walks back from a variable
  (iteratively: a chain of a million ops works) and builds a
  :class:`~graphstudio.core.graph.Graph`. :meth:`Var.backward` builds it, evaluates it and sets
  every variable's ``grad`` to ``d output / d variable``. It *sets*, never adds: unlike
  micrograd, running it twice gives the same gradients and no ``zero_grad`` is needed.
* Names: a name you give (``Var(1, name="w")``, ``gs.tanh(n, name="o")`` or ``v.name = "o"``)
  is kept; a name given to two different variables of one graph gets ``_2``, ``_3``... on the
  later ones, as a paste does in the editor. An input you do not name is called ``x1``,
  ``x2``... in order of creation; an op you do not name keeps no name and is shown as
  ``u<id>``, like an unnamed sub-expression of a ``.gs`` file.
* ``v[2]``, ``W[0, :]``, ``v[1:3]`` index and slice, as in a ``.gs`` text (and ``for s in v``
  goes through a vector's elements); ops with a parameter take it as the text writes it:
  ``gs.reshape(x, [2, 3])``, ``gs.concat(a, b, axis=1)``.

No Qt here.
"""

from __future__ import annotations

import ast
import itertools
import keyword
import math
import warnings
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator

import numpy as np

from ..core.graph import Graph as CoreGraph, as_value
from ..core.merge import free_name
from ..core.numbers import format_value
from ..core.ops import (Op, arity_words, binary_op, call_arities, call_names, op_for_call,
                        prefix_op, subscript_op)
from ..core.params import INDEX, MAX_POSITIONS, OpError, Slice

if TYPE_CHECKING:
    from .graph import Graph, Results

__all__ = ["Var", "graph_of", "function", "functions", "apply"]

_created = itertools.count()  # order of creation: the graph's order of assignment


class Var:
    """A variable: an input (``Var(value)``) or the result of an op on other variables.

    ``value`` is a float or a read-only numpy array (``Var([[1, 2], [3, 4]])``); ``name`` a
    Python identifier; ``trainable`` marks a parameter (as
    ``param(...)`` does in a ``.gs`` file) for Graph > Train in the editor.
    """

    __slots__ = ("_op", "_params", "_args", "_value", "_name", "_grad", "_seq", "_trainable",
                 "__weakref__")
    #: numpy hands ``np.float64(2) * v`` to :meth:`__rmul__` instead of making an object array
    __array_ufunc__ = None

    def __init__(self, value: Any, name: str | None = None, *, trainable: bool = False) -> None:
        if isinstance(value, Var):
            raise TypeError("this is already a Var; use it as it is")
        self._op: str = "input"
        self._params: Any = None  # an op's static parameter (reshape's shape, concat's axis)
        self._args: tuple = ()
        self._value = _leaf_value(value)
        self._name = _checked_name(name)
        self._grad: Any = None
        self._seq = next(_created)
        self._trainable = bool(trainable)

    @classmethod
    def _result(cls, op: Op, args: tuple, value: Any, name: str | None,
                params: Any = None) -> "Var":
        var = cls.__new__(cls)
        var._op, var._params, var._args, var._value = op.name, params, args, value
        var._name = _checked_name(name)
        var._grad, var._seq, var._trainable = None, next(_created), False
        return var

    # ---- what a variable is --------------------------------------------------------------

    @property
    def value(self) -> Any:
        """The forward value: a float, or a read-only numpy array."""
        return self._value

    @property
    def grad(self) -> Any:
        """``d output / d self`` from the last :meth:`backward` of a graph holding this
        variable (None before any); shaped like :attr:`value`."""
        return self._grad

    @property
    def name(self) -> str | None:
        """The name you gave (None if none; the graph then gives one, see the module)."""
        return self._name

    @name.setter
    def name(self, name: str | None) -> None:
        self._name = _checked_name(name)

    @property
    def op(self) -> str:
        """``"input"`` or the registry op that computed it (``"add"``, ``"tanh"``...)."""
        return self._op

    @property
    def trainable(self) -> bool:
        return self._trainable

    @property
    def shape(self) -> tuple[int, ...]:
        return np.shape(self._value)

    def backward(self, seed: Any = None) -> "Results":
        """Differentiate this variable: build its graph (:func:`graph_of`), evaluate it, and
        set the ``grad`` of every variable in it. Returns the :class:`Results`.

        An array is differentiated as the sum of its elements unless ``seed`` (an array of its
        shape) is given: then ``Σ seedᵢ · selfᵢ`` is, as PyTorch's ``backward(gradient=...)``."""
        graph = graph_of(self)
        if seed is not None:
            graph.core.set_attr(graph.node(self), "seed", seed)
        results = graph.evaluate()
        refused = [e.message for e in results.evaluation.errors.values() if e.kind == "seed"]
        if refused:
            raise ValueError(refused[0])
        grads = results.evaluation.grads
        for var, node in graph._vars.items():
            var._grad = grads.get(node)
        return results

    def __bool__(self) -> bool:
        """``if v:`` tests the value, as for a number (an array of several elements is
        ambiguous, as in numpy)."""
        return bool(self._value)

    def __getitem__(self, index: Any) -> "Var":
        """``v[2]``, ``W[0, :]``, ``v[1:3]``, ``v[-1]``: the registry's index op, the index
        written with whole numbers and slices as in a ``.gs`` text (it is part of the graph,
        not a value: a Var cannot be an index)."""
        op = subscript_op()
        if op is None:
            raise TypeError("no op of the registry is written x[index]")
        return apply(op, (self,), params=_index(index))

    def __iter__(self) -> Iterator["Var"]:
        """The elements along the first axis, ``v[0]``, ``v[1]``...; a number has none."""
        if not np.ndim(self._value):
            raise TypeError("a Var holding a number is not iterable")
        return (self[k] for k in range(np.shape(self._value)[0]))

    def __float__(self) -> float:
        if not isinstance(self._value, float):
            raise TypeError(f"only a scalar Var converts to float, not one of shape {self.shape}")
        return self._value

    def __repr__(self) -> str:
        parts = [format_value(self._value, 6)]
        if self._name is not None:
            parts.append(f"name={self._name!r}")
        if self._op != "input":
            parts.append(f"op={self._op!r}")
        elif self._trainable:
            parts.append("trainable=True")
        if self._grad is not None:
            parts.append(f"grad={format_value(self._grad, 6)}")
        return f"Var({', '.join(parts)})"

    # Comparisons compare values (a Python test on a traced value decides as usual); == and
    # hashing stay identity, so variables can be dictionary keys and set members.
    def __lt__(self, other: Any) -> Any:
        return self._value < _plain(other)

    def __le__(self, other: Any) -> Any:
        return self._value <= _plain(other)

    def __gt__(self, other: Any) -> Any:
        return self._value > _plain(other)

    def __ge__(self, other: Any) -> Any:
        return self._value >= _plain(other)

    __hash__ = object.__hash__

    # ---- registry functions as methods: x.tanh(), x.max(y) -------------------------------

    def __getattr__(self, attr: str) -> Callable[..., "Var"]:
        if attr.startswith("_") or not call_arities(attr):
            raise AttributeError(f"'Var' object has no attribute {attr!r}")
        fn = function(attr)

        def method(*args: Any, name: str | None = None, **keywords: Any) -> Var:
            return fn(self, *args, name=name, **keywords)

        method.__name__ = attr
        method.__doc__ = fn.__doc__
        return method

    def __dir__(self) -> list[str]:
        return sorted(set(super().__dir__()) | set(call_names()))


def _plain(x: Any) -> Any:
    return x._value if isinstance(x, Var) else x


# ---- the operators, from the registry --------------------------------------------------------
# Python fixes which method an operator calls; the registry says which op (if any) it is.

_BINARY = {"add": ast.Add, "sub": ast.Sub, "mul": ast.Mult, "truediv": ast.Div,
           "floordiv": ast.FloorDiv, "mod": ast.Mod, "pow": ast.Pow, "matmul": ast.MatMult}
_UNARY = {"neg": ast.USub, "pos": ast.UAdd, "invert": ast.Invert}


def _binary(node: type, reflected: bool) -> Callable[[Var, Any], Any]:
    operator = node()

    def method(self: Var, other: Any) -> Any:
        op = binary_op(operator)
        if op is None:
            return NotImplemented
        if not isinstance(other, Var):
            other = _constant(other)
            if other is None:
                return NotImplemented
        return apply(op, (other, self) if reflected else (self, other))
    return method


def _unary(node: type) -> Callable[[Var], Any]:
    def method(self: Var) -> Any:
        op = prefix_op(node())
        if op is None:
            if node is ast.UAdd:
                return self  # +x is x
            raise TypeError(f"bad operand type for unary operator: no op of the registry is "
                            f"written {_UNARY_TEXT[node]}")
        return apply(op, (self,))
    return method


_UNARY_TEXT = {ast.USub: "-", ast.UAdd: "+", ast.Invert: "~"}

for _name, _node in _BINARY.items():
    setattr(Var, f"__{_name}__", _binary(_node, False))
    setattr(Var, f"__r{_name}__", _binary(_node, True))
for _name, _node in _UNARY.items():
    setattr(Var, f"__{_name}__", _unary(_node))
del _name, _node


def _abs(self: Var) -> Var:
    return function("abs")(self)


Var.__abs__ = _abs


# ---- applying an op ------------------------------------------------------------------------------


def _constant(x: Any) -> Any:
    """A plain number or array as a constant's value, or None when it is not one."""
    kind = type(x)
    if kind is float:
        return x
    if kind is int:
        return float(x)
    if isinstance(x, (str, bytes)) or x is None:
        return None
    try:
        return _frozen(as_value(x))
    except (TypeError, ValueError, OverflowError):
        return None


def _frozen(v: Any) -> Any:
    if isinstance(v, np.ndarray):
        v = v.copy()
        v.flags.writeable = False
    return v


def _leaf_value(value: Any) -> Any:
    v = _constant(value)
    if v is None:
        raise TypeError(f"a Var holds a number or an array of numbers, not {value!r}")
    return v


def _checked_name(name: str | None) -> str | None:
    """A name as the graph takes one: any Python identifier that is not a keyword."""
    if name is None:
        return None
    if not isinstance(name, str) or not name.isidentifier() or keyword.iskeyword(name):
        raise ValueError(f"{name!r} is not a valid name: use letters, digits and _")
    return name


def apply(op: Op, args: Iterable[Any], name: str | None = None, params: Any = None) -> Var:
    """``op(*args)`` as a new :class:`Var`, its value computed now by the op's forward (the
    engine's rule: the scalar fast path where it applies, numpy otherwise). Plain numbers and
    arrays among ``args`` become constants; ``params`` is the static parameter of an op that
    takes one (a shape, an axis: its default when None). Raises ``ValueError`` when the shapes
    do not fit."""
    args = tuple(a if isinstance(a, Var) else _argument(a, op) for a in args)
    if len(args) not in op.arity:
        raise TypeError(f"{op.name} takes {arity_words(op.arity)}, not {len(args)}")
    if op.params is not None and params is None:
        params = op.params.default
    values = tuple(a._value if isinstance(a, Var) else a for a in args)
    return Var._result(op, args, _forward(op.bind(params), values), name, params)


def _index(index: Any) -> tuple:
    """A Python subscript (``2``, ``(0, slice(None))``) in the form an index node keeps."""
    positions = []
    for i in index if isinstance(index, tuple) else (index,):
        if isinstance(i, slice):
            parts = (i.start, i.stop, i.step)
            if not all(p is None or _whole(p) for p in parts):
                raise TypeError(f"a slice's bounds are whole numbers, not {i!r}")
            if i.step == 0:
                raise ValueError("a slice's step cannot be 0")
            positions.append(Slice(*(None if p is None else int(p) for p in parts)))
        elif _whole(i):
            positions.append(int(i))
        elif isinstance(i, Var):
            raise TypeError("an index is whole numbers and slices written in the program, not "
                            "a Var (to pick an element by a value such as a class label, "
                            "multiply by a one-hot vector t: gs.sum(s * t))")
        else:
            raise TypeError(f"an index holds whole numbers and slices such as 1:3, not "
                            f"{type(i).__name__}")
    value = tuple(positions)
    if len(value) > MAX_POSITIONS:
        raise ValueError(f"an index of {len(value)} positions; arrays have at most "
                         f"{MAX_POSITIONS} axes")
    problem = INDEX.check(value)  # a whole number too large to keep
    if problem:
        raise ValueError(problem)
    return value


def _whole(x: Any) -> bool:
    return isinstance(x, (int, np.integer)) and not isinstance(x, bool)


def _parameter(op: Op, written: Any) -> Any:
    """``op``'s parameter as Python writes it (``[2, 3]`` or ``(2, 3)``, ``1``) in the form the
    graph keeps; ``ValueError`` saying what was expected otherwise."""
    kind = op.params
    try:
        return kind.from_json(list(written) if isinstance(written, tuple) else written)
    except ValueError as exc:
        raise ValueError(f"{op.call or op.name}: {kind.name}: {exc}") from None


def _argument(x: Any, op: Op) -> Any:
    constant = _constant(x)
    if constant is None:
        raise TypeError(f"{op.name}: an argument must be a Var, a number or an array, "
                        f"not {type(x).__name__}")
    return constant


def _forward(op: Op, values: tuple) -> Any:
    if op.scalar_forward is not None and all(type(v) is float for v in values):
        try:
            value = float(op.scalar_forward(*values))
        except (ArithmeticError, ValueError):  # 1.0 / 0.0: numpy's inf, as in the engine
            values = tuple(np.float64(v) for v in values)
        else:
            if op.may_fail and not math.isfinite(value):
                _domain_warning(op, values, value)
            return value
    with np.errstate(all="ignore"):
        try:
            out = op.forward(*values)
        except OpError as exc:  # the arguments do not fit the parameter: the engine's words
            raise ValueError(f"{op.name}: {exc}") from None
        except ValueError:
            shapes = " and ".join(str(np.shape(v)) for v in values)
            raise ValueError(f"{op.name}: the shapes {shapes} do not fit") from None
    out = np.asarray(out, dtype=float)
    if out.ndim == 0:
        value = float(out)
    else:
        value = out.copy() if out.base is not None or not out.flags.owndata else out
        value.flags.writeable = False
    if op.may_fail and not np.all(np.isfinite(value)):
        _domain_warning(op, values, value)
    return value


def _domain_warning(op: Op, values: tuple, value: Any) -> None:
    """``log of -1 is nan``, as numpy warns, when finite arguments give a non-finite value."""
    if all(np.all(np.isfinite(v)) for v in values):
        warnings.warn(f"{op.name} of {', '.join(format_value(v) for v in values)} is "
                      f"{format_value(value)}", RuntimeWarning, stacklevel=5)


# ---- the registry's functions ----------------------------------------------------------------------


def function(call: str) -> Callable[..., Var]:
    """The function ``call`` of the registry (``"tanh"``, ``"max"``...) for variables:
    ``fn(*args, name=None)`` picks the op by the number of arguments, as the ``.gs`` text
    does (``max(v)`` is the largest element, ``max(a, b)`` elementwise). ``KeyError`` when no
    op is called so."""
    arities = call_arities(call)
    if not arities:
        raise KeyError(f"no function {call!r}; the functions are {', '.join(call_names())}")

    def fn(*args: Any, name: str | None = None, **keywords: Any) -> Var:
        op = op_for_call(call, len(args))
        if op is None:
            raise TypeError(f"{call}() takes {arity_words(tuple(call_arities(call)))}, "
                            f"not {len(args)}")
        # a parameter is written as the .gs text writes it: reshape(x, [2, 3]), axis=1
        keyword = op.params.keyword if op.params is not None else None
        unknown = sorted(set(keywords) - {keyword})
        if unknown:
            takes = f"the keyword {keyword}=" if keyword else "no keyword arguments"
            raise TypeError(f"{call}() takes {takes}, not {unknown[0]}=")
        params = None
        if op.params is not None and keyword is None:
            args, params = args[:-1], _parameter(op, args[-1])
        elif keyword in keywords:
            params = _parameter(op, keywords[keyword])
        return apply(op, args, name=name, params=params)

    ops = list(dict.fromkeys(op_for_call(call, n) for n in arities))  # max: amax and max
    fn.__name__ = fn.__qualname__ = call
    fn.__module__ = "graphstudio"
    signature = " or ".join(_signature(call, op) for op in ops)
    fn.__doc__ = (f"{signature}: " + "; ".join(f"{op.description}" for op in ops)
                  + ".\n\nA traced op of the registry (graphstudio.core.ops): returns a Var; "
                  "plain numbers and arrays become constants. name=... names the result.")
    return fn


def _signature(call: str, op: Op) -> str:
    """``tanh(x)``, ``max(x, y)``, ``reshape(x, shape)``, ``concat(x, y, ..., axis=0)``."""
    least = min(op.arity)
    names = list("xyz"[:least]) if least <= 3 else ["x", "..."]
    if len(op.arity) > 1 and names[-1] != "...":  # concat(x, y, ...): more may follow
        names.append("...")
    kind = op.params
    if kind is not None:
        names.append(kind.name.split(" ", 1)[-1] if kind.keyword is None
                     else f"{kind.keyword}={kind.text(kind.default)}")
    return f"{call}({', '.join(names)})"


def functions() -> list[str]:
    """The names of the registry's functions, as ``gs.<name>`` offers them."""
    return call_names()


# ---- from variables to a graph -----------------------------------------------------------------


def graph_of(output: Var) -> "Graph":
    """The graph that computed ``output``: every variable it depends on, as a
    :class:`~graphstudio.api.graph.Graph` whose output is ``output``."""
    from .graph import Graph

    if not isinstance(output, Var):
        raise TypeError(f"graph_of takes a Var, not {type(output).__name__}")
    found = _ancestors(output)
    core = CoreGraph()
    names = _names(found)
    ids: dict[Var, int] = {}
    for var in found:  # in order of creation: every parent before its children
        if var._op == "input":
            ids[var] = core.add_input(names[var], var._value, trainable=var._trainable)
            continue
        parents = [ids[a] if isinstance(a, Var) else core.add_const(a) for a in var._args]
        ids[var] = core.add_op(var._op, parents, name=names.get(var), params=var._params)
    core.set_output(ids[output])
    return Graph(core, ids)


def _ancestors(output: Var) -> list[Var]:
    """``output`` and every variable it depends on, in order of creation (no recursion)."""
    seen = {output}
    stack = [output]
    while stack:
        var = stack.pop()
        for a in var._args:
            if isinstance(a, Var) and a not in seen:
                seen.add(a)
                stack.append(a)
    return sorted(seen, key=lambda v: v._seq)


def _names(found: list[Var]) -> dict[Var, str]:
    """The name of each variable in the graph: yours (a repeated one with ``_2``...), ``x1``,
    ``x2``... for unnamed inputs; unnamed ops are left out (they keep no name)."""
    given = [v for v in found if v._name is not None]
    taken = {v._name for v in given}
    names: dict[Var, str] = {}
    first: set[str] = set()
    for var in given:
        if var._name not in first:
            first.add(var._name)
            names[var] = var._name
        else:
            names[var] = free_name(var._name, taken)
            taken.add(names[var])
    k = 0
    for var in found:
        if var._op == "input" and var._name is None:
            k += 1
            while f"x{k}" in taken:
                k += 1
            names[var] = f"x{k}"
    return names
