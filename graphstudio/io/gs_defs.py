"""Functions in ``.gs`` text: ``def swish(x): return x * sigmoid(x)``, read and written back.

A function is a name for a small computation built from the registry's ops::

    def swish(x):
        return x * sigmoid(x)

    def gate(a, b):
        s = a + b          # a local name: a node of each call, not of the graph
        return s * tanh(s)

Reading (never executing) it, the reader checks the definition once, where it stands: only
assignments to local names and one ``return`` at the end (a docstring may open it), only its
parameters and its own names, no recursion, no parameter or local name left unused; every
mistake is reported at its line and column. Each **call** then adds the function's nodes, fed
the call's arguments, and makes them one group (:mod:`graphstudio.core.groups`) named after the
function: each call its own group. A function may call a function defined above it; the nodes
of that inner call belong to the outer call's group. A function is defined before its first
call.

Writing a graph with groups, each group becomes a ``def`` (the function it came from, or one
named after a group made by hand, whose parameters are its inputs from outside) and each
group's output a call of it; calls whose nodes are the same computation share one ``def``.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable

from ..core.graph import Graph
from ..core.groups import function_name, group_inputs, group_output, group_problem
from ..core.ops import (CALL_PRECEDENCE, DATASET_FORM, INPUT_FORMS, NUMBER_WORDS, call_arities,
                        reserved_name)

if TYPE_CHECKING:
    from .gs import _Context

__all__ = ["Function", "define", "call", "def_texts"]

#: the forms of a text's own lines; a function may not take their names
_FORMS = (*INPUT_FORMS, DATASET_FORM, "output", "seed")


@dataclass
class Function:
    """A function the text defined: its name, parameters, body and where it stands."""

    name: str
    params: tuple[str, ...]
    body: list[ast.stmt]  # assignments, then the return
    line: int
    size: int = 0  # the nodes one call adds (checked against the reader's limit)


@dataclass
class _Scope:
    """What the reader builds into while it expands a call: the graph's bulk (or the scope of
    the call around it), with the function's own names, and the nodes the call made."""

    build: Any
    names: dict[str, int]
    made: list[int] = field(default_factory=list)

    def add_const(self, value: Any, **fields: Any) -> int:
        node = self.build.add_const(value, **fields)
        self._made(node)
        return node

    def add_op(self, op: str, args, name: str | None = None, **fields: Any) -> int:
        node = self.build.add_op(op, args, **fields)
        self._made(node)
        return node

    def _made(self, node: int) -> None:
        self.made.append(node)

    def by_name(self, name: str) -> int:
        return self.names[name]

    def node(self, node: int):
        return self.build.node(node)

    def root(self):
        """The bulk under every scope."""
        build = self.build
        while isinstance(build, _Scope):
            build = build.build
        return build

    def __len__(self) -> int:
        return len(self.root())


def _fail(ctx: "_Context", node: ast.AST, message: str):
    from .gs import _fail as fail
    return fail(ctx, node, message)


def define(ctx: "_Context", stmt: ast.AST) -> None:
    """Check a ``def`` and remember it (nothing is built until it is called)."""
    from .gs import MAX_NODES, _FORBIDDEN_CALLS, _Context, _short

    if not isinstance(stmt, ast.FunctionDef):
        raise _fail(ctx, stmt, "an async function is not allowed; write 'def name(x): ...'")
    name = stmt.name
    where = f"'{_short(name)}'"
    if stmt.decorator_list:
        raise _fail(ctx, stmt.decorator_list[0], "a decorator is not allowed on a function")
    if getattr(stmt, "type_params", None):
        raise _fail(ctx, stmt, "type parameters are not allowed on a function")
    if stmt.returns is not None:
        raise _fail(ctx, stmt.returns, "an annotation is not allowed on a function")
    if name in ctx.functions:
        raise _fail(ctx, stmt, f"the function {where} is defined twice (first on line "
                               f"{ctx.functions[name].line})")
    if call_arities(name) or name in _FORMS or name in _FORBIDDEN_CALLS:
        raise _fail(ctx, stmt, f"{where} is a function GraphStudio already has; give yours "
                               "another name")
    if name in NUMBER_WORDS:
        raise _fail(ctx, stmt, f"{where} is a number and cannot name a function")
    if name in ctx.assigned:
        raise _fail(ctx, stmt, f"{where} names a node (line {ctx.assigned[name][0]}); a name is "
                               "a node or a function in one file; choose another name")
    args = stmt.args
    extra = (args.vararg or args.kwarg or args.kwonlyargs or args.posonlyargs or args.defaults
             or args.kw_defaults)
    if extra:
        bad = args.vararg or args.kwarg or (args.kwonlyargs or args.posonlyargs or
                                            args.defaults or [stmt])[0]
        raise _fail(ctx, bad, f"{name}() takes plain parameters only, as in def {name}(x, y): "
                              "no defaults, no *args, no keywords")
    params: list[str] = []
    for a in args.args:
        if a.annotation is not None:
            raise _fail(ctx, a.annotation, "an annotation is not allowed on a parameter")
        if a.arg in params:
            raise _fail(ctx, a, f"the parameter {a.arg} is listed twice")
        _check_local(ctx, a, a.arg, name)
        params.append(a.arg)
    if not params:
        raise _fail(ctx, stmt, f"{name}() takes no parameters: a function computes from its "
                               "arguments, as in def f(x): return 2 * x")
    body = list(stmt.body)
    if (body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant)
            and isinstance(body[0].value.value, str)):
        body = body[1:]  # a docstring
    for s in body[:-1]:
        if isinstance(s, ast.Return):
            raise _fail(ctx, s, "'return' must be the last line of a function")
    if not body or not isinstance(body[-1], ast.Return) or body[-1].value is None:
        last = body[-1] if body else stmt
        raise _fail(ctx, last, f"{name}() must end with 'return' and the value it computes")
    locals_: dict[str, ast.AST] = {}
    loaded: set[str] = set()
    for s in body:
        if isinstance(s, ast.FunctionDef):
            raise _fail(ctx, s, "a function inside a function is not allowed; define it above")
        if not isinstance(s, (ast.Assign, ast.Return)):
            from .gs import _NODE_WORDS
            what = _NODE_WORDS.get(type(s), type(s).__name__)
            raise _fail(ctx, s, f"a function holds assignments 'name = expression' and a "
                                f"'return', not {what}")
        for node in ast.walk(s.value):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                fname = node.func.id
                if fname in _FORMS:
                    raise _fail(ctx, node, f"{fname}() cannot stand in a function: a function "
                                           "computes from its arguments; make the input in the "
                                           f"graph and pass it, as in {name}(W)")
                if fname == name:
                    raise _fail(ctx, node, f"{name}() calls itself: a function cannot be "
                                           "recursive (the graph would never end)")
            elif isinstance(node, ast.Name) and node.id not in NUMBER_WORDS:
                if _is_func(s.value, node):
                    continue
                if node.id not in params and node.id not in locals_:
                    raise _fail(ctx, node, f"'{_short(node.id)}' is not a parameter of "
                                           f"{name}() or a name assigned above in it: a "
                                           "function sees only its own names")
                loaded.add(node.id)
        if isinstance(s, ast.Assign):
            if len(s.targets) != 1 or not isinstance(s.targets[0], ast.Name):
                raise _fail(ctx, s, "assign to exactly one plain name, as in 's = a + b'")
            target = s.targets[0]
            if target.id in params or target.id in locals_:
                raise _fail(ctx, target, f"'{_short(target.id)}' is assigned twice in {name}()")
            _check_local(ctx, target, target.id, name)
            locals_[target.id] = target
    for local, target in locals_.items():
        if local not in loaded:
            raise _fail(ctx, target, f"'{_short(local)}' is assigned but never used in {name}()")
    for a in args.args:
        if a.arg not in loaded:
            raise _fail(ctx, a, f"the parameter {a.arg} is not used in {name}(); remove it")
    fn = Function(name, tuple(params), body, stmt.lineno)
    # build one call on a graph of its own: every other mistake of the body is found here,
    # at the definition, with its line and column
    scratch = Graph()
    trial = _Context(ctx.filename, scratch, {p: (stmt.lineno, 0) for p in params}, {},
                     ctx.called, scratch.bulk(), functions=ctx.functions,
                     later_functions=ctx.later_functions)
    stand_ins = [trial.build.add_input(None, 0.0) for _ in params]
    scope = _Scope(trial.build, dict(zip(params, stand_ins)))
    _expand(trial, fn, scope)
    fn.size = len(scope.made)
    if fn.size > MAX_NODES:
        raise _fail(ctx, stmt, f"a call of {name}() makes more than {MAX_NODES:,} nodes")
    ctx.functions[name] = fn


def _is_func(tree: ast.AST, name: ast.Name) -> bool:
    """Whether ``name`` is the function of a call in ``tree`` (``exp`` in ``exp(x)``)."""
    return any(isinstance(n, ast.Call) and n.func is name for n in ast.walk(tree))


def _check_local(ctx: "_Context", node: ast.AST, local: str, fname: str) -> None:
    """A parameter or local name: an identifier that is no number and no function the text
    calls."""
    if local in NUMBER_WORDS:
        raise _fail(ctx, node, f"'{local}' is a number and cannot be a name")
    if reserved_name(local, ctx.called) or local in ctx.functions or local == fname:
        raise _fail(ctx, node, f"'{local}' is a function this file calls, so it cannot name a "
                               f"value in {fname}(); choose another name")


def _expand(ctx: "_Context", fn: Function, scope: _Scope) -> int:
    """Build ``fn``'s body into ``scope``; returns the node of its value."""
    from .gs import _expr

    sub = _sub_context(ctx, fn, scope)
    for s in fn.body:
        node = _expr(sub, s.value)
        if isinstance(s, ast.Assign):
            local = s.targets[0].id
            scope.names[local] = node
            sub.assigned[local] = (s.lineno, s.col_offset + 1)
        else:
            if node not in scope.made or scope.node(node).is_leaf:
                # the value is an argument or a number: the call still computes something
                node = scope.add_op("identity", [node], source=(s.lineno, s.col_offset + 1))
            return node
    raise AssertionError("a checked function ends with its return")


def _sub_context(ctx: "_Context", fn: Function, scope: _Scope) -> "_Context":
    from .gs import _Context

    names = {p: (fn.line, 0) for p in fn.params}
    return _Context(ctx.filename, ctx.graph, names, {}, ctx.called, scope,
                    functions=ctx.functions, later_functions=ctx.later_functions)


def call(ctx: "_Context", node: ast.Call, fn: Function) -> int:
    """A call of a function the text defined: its nodes, fed the arguments, made a group
    (unless it is a call inside another function's body, whose group holds it)."""
    from .gs import MAX_NODES, _expr

    if node.keywords:
        raise _fail(ctx, node.keywords[0], f"{fn.name}() takes its arguments in order, "
                                           f"without keywords: {fn.name}({', '.join(fn.params)})")
    for a in node.args:
        if isinstance(a, ast.Starred):
            raise _fail(ctx, a, "'*' is not allowed in a call")
    if len(node.args) != len(fn.params):
        count = len(fn.params)
        raise _fail(ctx, node, f"{fn.name}() takes {count} argument{'s' * (count != 1)} "
                               f"({', '.join(fn.params)}), got {len(node.args)}")
    args = [_expr(ctx, a) for a in node.args]
    if len(ctx.build) + fn.size > MAX_NODES:
        raise _fail(ctx, node, f"this call of {fn.name}() would make the text more than "
                               f"{MAX_NODES:,} nodes, the most a .gs file may make")
    scope = _Scope(ctx.build, dict(zip(fn.params, args)))
    out = _expand(ctx, fn, scope)
    if not isinstance(ctx.build, _Scope):  # a call at the top: its own group
        graph, made = ctx.graph, tuple(scope.made)
        ctx.after.append(lambda: _add_group(graph, fn, made, args))
    return out


def _add_group(graph: Graph, fn: Function, made: tuple, args: list) -> None:
    """The call's group, unless a later line uses its inner values (``grad(y, x)`` of it
    re-uses the nodes inside): then its nodes stay ungrouped, and are written one by one."""
    if group_problem(graph, made) is None:
        graph.add_group(fn.name, made, function=fn.name, params=fn.params, args=args)


# ---- writing ---------------------------------------------------------------------------------


@dataclass
class Written:
    """How the writer writes one group: as a call of ``function`` with ``inputs``."""

    output: int
    function: str
    inputs: list[int]


def def_texts(graph: Graph, called: set[str],
              expr_text: Callable) -> tuple[list[str], dict[int, Written]]:
    """The ``def`` lines of a graph's groups, and how each group's output is written (by the
    group's output node). ``called``: the functions the text calls otherwise, which neither a
    ``def`` nor a local name may take (nor a node's name a ``def``); ``expr_text(n, args)`` writes node ``n`` of its
    arguments' ``(text, precedence)``. A group an edit left with no single output is not
    written as a group (its nodes are written one by one)."""
    groups = graph.groups()
    taken = set(graph.names()) | called
    # a local name is no function of the text: none the text calls, no def's name or variant
    bases = {function_name(g) for g in groups.values()}
    avoid = called | bases
    lines: list[str] = []
    written: dict[int, Written] = {}
    bodies: dict[str, tuple[tuple[str, ...], list[str]]] = {}  # def name -> (params, body)
    for gid in sorted(groups):
        group = groups[gid]
        out = group_output(graph, group)
        if out is None:
            continue
        inputs = list(dict.fromkeys(group_inputs(graph, group)))  # a node passed twice: once
        params = _params(graph, group, inputs, avoid)
        body = _body(graph, group, out, inputs, params, avoid, bases, expr_text)
        name = function_name(group)
        base, k = name, 2
        while True:
            if name in bodies and bodies[name] == (params, body):
                break
            if name not in bodies and name not in taken and not reserved_name(name, _FORMS) \
                    and not call_arities(name):
                bodies[name] = (params, body)
                lines.append(f"def {name}({', '.join(params)}):")
                lines.extend(body)
                lines.append("")
                break
            name, k = f"{base}_{k}", k + 1
        written[out] = Written(out, name, inputs)
    return lines, written


def _params(graph: Graph, group, inputs: list[int], avoid: set[str]) -> tuple[str, ...]:
    """The parameter names: the function's own when its arguments still feed the group, else
    the inputs' names (``x1``, ``x2``... for unnamed or repeated ones)."""
    if group.params and list(group.args) == inputs:
        return tuple(group.params)
    out: list[str] = []
    for i, n in enumerate(inputs, start=1):
        name = graph.name(n)
        if name is None or name in out or name in avoid or name in NUMBER_WORDS:
            name = f"x{i}"
        while name in out:
            name = "_" + name
        out.append(name)
    return tuple(out)


def _body(graph: Graph, group, out: int, inputs: list[int], params: tuple[str, ...],
          avoid: set[str], bases: set[str], expr_text: Callable) -> list[str]:
    """The indented lines of a group's ``def``: a local name for each inner node named in the
    graph or used twice, then ``return``."""
    from .gs import MAX_INLINE_DEPTH

    members = group.members
    text: dict[int, tuple[str, int]] = {}
    for n, p in zip(inputs, params):
        text.setdefault(n, (p, CALL_PRECEDENCE))
    uses: dict[int, int] = {}
    for n in members:
        for p in graph.parents(n):
            uses[p] = uses.get(p, 0) + 1
    locals_ = set(params)
    lines: list[str] = []
    depth: dict[int, int] = {}
    k = 1
    for n in graph.topological_order():
        if n not in members:
            continue
        record = graph.node(n)
        args = [text[p] for p in graph.parents(n)]
        expr, prec = expr_text(n, args)
        if n == out:
            lines.append(f"    return {expr}")
            break
        depth[n] = 1 + max((depth.get(p, 0) for p in graph.parents(n) if p in depth), default=0)
        named = record.name is not None and not record.is_leaf
        if not record.is_leaf and (named or uses.get(n, 0) > 1 or depth[n] >= MAX_INLINE_DEPTH):
            local = record.name
            while (local is None or local in locals_ or local in avoid or local in NUMBER_WORDS
                   or any(local.startswith(b + "_") for b in bases)):
                local, k = f"t{k}", k + 1
            locals_.add(local)
            lines.append(f"    {local} = {expr}")
            text[n] = (local, CALL_PRECEDENCE)
            depth[n] = 0
        else:
            text[n] = (expr, prec)
    return lines


# ---- an op as its circuit ----------------------------------------------------------------------


def with_circuit(graph: Graph, node: int) -> Graph:
    """A copy of ``graph`` with op node ``node`` replaced by its circuit of simpler ops
    (:func:`~graphstudio.core.circuits.circuit_text`), built as a call of a function
    ``<op>_circuit`` (so saved as ``.gs`` it is that ``def``) and made an expanded group named
    after the op. The circuit's output takes the node's name, its children, its seed and its
    place as the output. Raises ``ValueError`` (in words for the user) when the op has no
    circuit or an argument is missing."""
    from ..core.circuits import circuit_text
    from .gs import parse_text

    record = graph.node(node)
    text = None if record.is_leaf else circuit_text(record.op)
    if text is None:
        raise ValueError(f"{graph.label(node)} ({record.op}) has no circuit of simpler ops "
                         "(sigmoid and tanh have)")
    if graph.group_of(node) is not None:
        raise ValueError(f"{graph.label(node)} is in a group; ungroup it first")
    args = graph.parents(node)
    if any(a is None for a in args):
        raise ValueError(f"{graph.label(node)} has an argument that is not connected")
    new = graph.copy()
    taken = set(new.names())
    temporary = []
    names = []
    for k, a in enumerate(args):
        if new.name(a) is None:
            name = f"_circuit_arg{k}"
            while name in taken:
                name = "_" + name
            new.rename(a, name)
            temporary.append(a)
        names.append(new.name(a))
    function = f"{record.op}_circuit"
    while function in taken or call_arities(function):
        function = "_" + function
    out_name = "_circuit_out"
    while out_name in taken:
        out_name = "_" + out_name
    params = [f"x{k}" for k in range(len(args))]
    parse_text(f"def {function}({', '.join(params)}):\n    return {text}\n"
               f"{out_name} = {function}({', '.join(names)})\n", "circuit", graph=new)
    out = new.by_name(out_name)
    for _src, child, port in new.out_edges(node):
        new.disconnect(child, port)
        new.connect(out, child, port)
    if record.seed is not None:
        new.set_attr(out, "seed", record.seed)
    if graph.output == node:
        new.set_output(out)
    new.remove_node(node)
    new.rename(out, record.name)
    for a in temporary:
        new.rename(a, None)
    gid = new.group_of(out)
    new.set_group(gid, name=record.op, collapsed=False)
    return new
