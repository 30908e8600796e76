"""``gs.from_micrograd(value)``: a micrograd expression as a GraphStudio graph.

micrograd (Karpathy's ``micrograd.engine.Value`` and the lecture's own copy) is read by duck
typing, so it is not a dependency: a value has ``.data`` (a number), ``._prev`` (the values it
was computed from, a set) and ``._op`` (``""`` for a leaf, ``"+"``, ``"*"``, ``"**3"``,
``"ReLU"``, ``"tanh"``, ``"exp"``...); the lecture's copy also has ``.label``.

* A leaf becomes an **input**, as micrograd gives every leaf a gradient (the ``-1`` that
  ``a - b`` multiplies ``b`` by included), named by its ``label`` when it has a usable one and
  ``x1``, ``x2``... otherwise.
* ``"+"``, ``"*"`` and the registry's other operators become that op; ``"**k"`` becomes
  ``pow`` with the constant ``k``; any other name is looked up as a function of the registry,
  ignoring case (``"ReLU"`` is ``relu``), so an op added there is understood here too.
* ``_prev`` is a set and loses the order of the arguments (and one of them in ``x * x``), which
  only a commutative op can afford: an op that is not is refused with a message, as is an op
  the registry does not know.

The walk is iterative: a micrograd graph of any depth converts.
"""

from __future__ import annotations

from typing import Any, Mapping

from ..core.ops import OPS, Op, op_for_call
from .graph import Graph
from .tracing import Var, apply, graph_of

__all__ = ["from_micrograd", "MicrogradError"]


class MicrogradError(ValueError):
    """A micrograd expression that cannot be converted; the message says which op and why."""


def from_micrograd(value: Any, names: Mapping[Any, str] | None = None) -> Graph:
    """The graph of the micrograd value ``value``, whose output it is. The values are
    micrograd's; evaluating the graph gives micrograd's gradients (``value.backward()``).
    ``names`` names micrograd values (``{a: "a", b: "b"}``), before their ``label``."""
    for attr in ("data", "_prev", "_op"):
        if not hasattr(value, attr):
            raise MicrogradError(f"{type(value).__name__} is not a micrograd value: it has no "
                                 f".{attr}")
    given = {id(v): n for v, n in (names or {}).items()}
    made: dict[int, Var] = {}
    for v in _postorder(value):
        made[id(v)] = _convert(v, [made[id(p)] for p in _parents(v)], given.get(id(v)))
    return graph_of(made[id(value)])


def _parents(v: Any) -> list[Any]:
    """``v._prev`` in a fixed order (by value, then op), so the graph is laid out the same
    way every time: a set of Python objects iterates in an order that changes between runs."""
    return sorted(v._prev, key=lambda p: (float(p.data), str(p._op)))


def _postorder(root: Any) -> list[Any]:
    """Every value ``root`` depends on, parents before children, without recursion."""
    seen: set[int] = set()
    order: list[Any] = []
    stack: list[tuple[Any, bool]] = [(root, False)]
    while stack:
        v, done = stack.pop()
        if done:
            order.append(v)
            continue
        if id(v) in seen:
            continue
        seen.add(id(v))
        stack.append((v, True))
        for p in _parents(v):
            if id(p) not in seen:
                stack.append((p, False))
    return order


def _convert(v: Any, args: list[Var], name: str | None) -> Var:
    op_text = str(v._op or "")
    name = name if name is not None else _label(v)
    if not op_text:
        if args:
            raise MicrogradError(f"a micrograd value with no op has {len(args)} parents")
        return Var(float(v.data), name=name)
    if op_text.startswith("**"):
        try:
            exponent = float(op_text[2:])
        except ValueError:
            raise MicrogradError(f"micrograd op {op_text!r}: the exponent is not a number") from None
        return apply(OPS["pow"], (_one(op_text, args), exponent), name=name)
    op = _infix(op_text, len(args)) or op_for_call(op_text.lower(), 1) or op_for_call(op_text.lower(), 2)
    if op is None:
        raise MicrogradError(f"micrograd op {op_text!r} has no GraphStudio op (the functions "
                             f"are those of graphstudio.functions())")
    n = max(op.arity)
    if len(args) == n:
        if n > 1 and not op.commutative:
            raise MicrogradError(f"micrograd op {op_text!r} ({op.name}) is not commutative, and "
                                 "micrograd does not keep the order of its arguments")
        return apply(op, args, name=name)
    if len(args) == 1 and n == 2 and op.commutative:  # x * x: micrograd's set kept one
        return apply(op, (args[0], args[0]), name=name)
    raise MicrogradError(f"micrograd op {op_text!r} ({op.name}) takes {n} argument(s); this value "
                         f"has {len(args)}")


def _one(op_text: str, args: list[Var]) -> Var:
    if len(args) != 1:
        raise MicrogradError(f"micrograd op {op_text!r} has {len(args)} parents, not 1")
    return args[0]


def _infix(text: str, n_args: int) -> Op | None:
    """The op written ``text`` as an operator: prefix with one argument, else infix."""
    ops = list(OPS.values())
    if n_args == 1:
        found = next((op for op in ops if op.prefix is not None and op.prefix.text == text), None)
        if found is not None:
            return found
    return next((op for op in ops if op.infix is not None and op.infix.text == text), None)


def _label(v: Any) -> str | None:
    """The lecture's ``label``, when it can name a node (else the graph picks a name)."""
    from .tracing import _checked_name

    label = getattr(v, "label", None)
    if not isinstance(label, str) or not label:
        return None
    try:
        return _checked_name(label)
    except ValueError:
        return None
