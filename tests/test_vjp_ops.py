"""Every op's vector-Jacobian product written as ops (its registry entry's ``vjp_ops``) gives
the numbers of its numpy ``vjp``: for every op of the registry, on the arguments, parameters
and broadcasting cases ``tests/test_ops.py`` checks against central differences. An op added
without a ``vjp_ops`` fails here."""

from __future__ import annotations

import numpy as np
import pytest
from test_ops import RNG, parametrised_cases, scalar_cases

from graphstudio.core.backward import GradError, build_grads
from graphstudio.core.engine import _local_backward, evaluate
from graphstudio.core.graph import Graph
from graphstudio.core.ops import OPS, node_op


@pytest.mark.parametrize("name", sorted(OPS))
def test_every_op_has_its_vjp_as_ops(name):
    assert OPS[name].vjp_ops is not None, f"{name} has no vjp_ops: grad() cannot go through it"


def cases(name):
    return parametrised_cases(name) + [(None, args) for args in scalar_cases(name)]


@pytest.mark.parametrize("name", sorted(OPS))
def test_the_vjp_as_ops_gives_the_numpy_vjp(name):
    checked = 0
    for params, args in cases(name):
        op = node_op(name, params)
        out = op.forward(*args)
        upstream = RNG.uniform(-1.5, 1.5, size=np.shape(out)) if np.ndim(out) else -1.3
        want = _local_backward(op, upstream, tuple(args), out)
        for port in range(len(args)):
            g = Graph()
            ins = [g.add_input(f"x{k}", a) for k, a in enumerate(args)]
            node = g.add_op(name, ins, params=params)
            if name == "matmul" and max(np.ndim(a) for a in args) > 2:
                with pytest.raises(GradError, match="not of stacks of matrices"):
                    build_grads(g, node, [ins[port]], seed=upstream)
                continue
            try:
                built = build_grads(g, node, [ins[port]], seed=upstream)
            except GradError as exc:  # no gradient flows to this port
                assert f"only through {name}, whose local derivative is 0" in str(exc), exc
                assert not np.any(want[port]), (name, port, want[port])
                continue
            got = evaluate(g, output=node).values[built.grads[ins[port]]]
            assert np.shape(got) == np.shape(args[port]), (name, params, port)
            np.testing.assert_allclose(got, want[port], rtol=1e-12, atol=1e-12,
                                       err_msg=f"{name} {params} port {port}")
            checked += 1
    assert checked or OPS[name].blocks_gradient or name in ZERO_DERIVATIVE, name


#: ops whose local derivative is 0 wherever it exists (indicators): no gradient flows back
ZERO_DERIVATIVE = {"step", "sign", "equal", "ones_like"}


def test_the_indicators_send_nothing_back():
    for name in sorted(ZERO_DERIVATIVE):
        op = OPS[name]
        args = (np.array([1.0, -2.0]),) * max(op.arity)
        assert not any(np.any(c) for c in op.vjp(np.ones(2), args, op.forward(*args))), name
