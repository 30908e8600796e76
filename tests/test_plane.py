"""The output over the input plane: which inputs and which node, and the values over the grid
equal evaluating the graph at those points one at a time."""

import numpy as np
import pytest

from graphstudio.core.dataset import load_csv, load_for_graph
from graphstudio.core.engine import evaluate
from graphstudio.core.networks import NetworkSpec, build_network
from graphstudio.core.plane import MARGIN, NoPlane, Plane, contour, find_plane
from graphstudio.examples import examples_dir
from graphstudio.io.gs import parse_file

DATA = examples_dir() / "data"


def example(name):
    path = examples_dir() / name
    g = parse_file(path)
    return g, load_for_graph(g, path.parent)


def network(form, loss):
    csv = "two_blobs.csv" if loss == "softmax_ce" else "seoul_plane.csv"
    sizes = (2, 4, 2) if loss == "softmax_ce" else (2, 4, 1)
    g = build_network(NetworkSpec(sizes, loss=loss, form=form, dataset=str(DATA / csv)))
    return g, load_csv(DATA / csv)


def one_point(g, plane, x, y, node):
    """``node``'s value with the plane's inputs at (x, y), by the engine, one example."""
    h = g.copy()
    for n, cols in plane.setup.feeds.items():
        h.set_value(n, float((x, y)[cols[0]]) if len(cols) == 1 else np.array([x, y]))
    return evaluate(h).values[node]


CASES = [("seoul_sgd_l2.gs", None, "yhat", None, "regression"),
         ("cmu11785_classify.gs", None, "Y", 1, "classification")]


@pytest.mark.parametrize("name, _f, shown, component, kind", CASES)
def test_the_plane_of_an_example(name, _f, shown, component, kind):
    g, ds = example(name)
    plane = Plane(g, ds)
    assert plane.setup.columns == ("x1", "x2")
    assert g.label(plane.setup.shown) == shown and plane.setup.component == component
    assert plane.setup.kind == kind


@pytest.mark.parametrize("form", ["matrix", "scalar"])
@pytest.mark.parametrize("loss, shown, kind", [("squared", {"matrix": "z2", "scalar": "z2_1"}, "regression"),
                                               ("softmax_ce", {"matrix": "p", "scalar": "p_2"}, "classification")])
def test_the_plane_of_a_new_network(form, loss, shown, kind):
    g, ds = network(form, loss)
    plane = Plane(g, ds)
    assert g.label(plane.setup.shown) == shown[form] and plane.setup.kind == kind
    assert len(plane.setup.feeds) == (1 if form == "matrix" else 2)


@pytest.mark.parametrize("name", ["seoul_sgd_l2.gs", "cmu11785_classify.gs"])
def test_grid_values_equal_the_graph_evaluated_at_those_points(name):
    g, ds = example(name)
    plane = Plane(g, ds)
    grid = plane.grid(resolution=7)
    for i, j in [(0, 0), (3, 5), (6, 6), (6, 1)]:
        want = one_point(g, plane, grid.xs[j], grid.ys[i], plane.setup.shown)
        if plane.setup.component is not None:
            want = want[plane.setup.component]
        assert grid.values[i, j] == pytest.approx(want, rel=1e-12)


def test_grid_follows_the_parameters_given():
    g, ds = example("seoul_sgd_l2.gs")
    plane = Plane(g, ds)
    W, v = g.by_name("W"), g.by_name("v")
    params = {W: np.array([[1.0, -2.0], [0.5, 0.5], [0.0, 3.0]]), v: np.array([1.0, -1.0, 2.0])}
    grid = plane.grid(params, resolution=5)
    x, y = grid.xs[4], grid.ys[1]
    by_hand = params[v] @ (1 / (1 + np.exp(-(params[W] @ np.array([x, y])))))
    assert grid.values[1, 4] == pytest.approx(by_hand, rel=1e-12)


def test_scalar_and_matrix_networks_agree_over_the_plane():
    (gm, ds), (gs, _) = network("matrix", "softmax_ce"), network("scalar", "softmax_ce")
    a, b = Plane(gm, ds).grid(resolution=9), Plane(gs, ds).grid(resolution=9)
    np.testing.assert_allclose(a.values, b.values, rtol=1e-12)


def test_the_extent_covers_the_data_with_a_margin():
    g, ds = example("cmu11785_classify.gs")
    plane = Plane(g, ds)
    x1, x2 = ds.column("x1"), ds.column("x2")
    grid = plane.grid(resolution=4)
    span = x1.max() - x1.min()
    assert grid.xs[0] == pytest.approx(x1.min() - MARGIN * span)
    assert grid.xs[-1] == pytest.approx(x1.max() + MARGIN * span)
    assert grid.ys[0] < x2.min() and grid.ys[-1] > x2.max()


def test_hidden_units_over_the_plane():
    g, ds = network("scalar", "squared")
    plane = Plane(g, ds)
    h = g.by_name("h1_3")
    grid = plane.node_grids((h,), resolution=5)[h]
    assert grid.values[2, 3] == pytest.approx(one_point(g, plane, grid.xs[3], grid.ys[2], h), rel=1e-12)


def test_no_plane_says_why():
    g, ds = example("siegen_fit_curve.gs")
    with pytest.raises(NoPlane, match="two input columns; this network reads 1 \\(x\\)"):
        Plane(g, ds)
    g, _ = example("grosse_csc311.gs")
    with pytest.raises(NoPlane, match="no inputs bound"):
        find_plane(g)


def test_contour_of_a_plane_lies_on_its_level_line():
    xs = ys = np.linspace(-1, 1, 11)
    values = xs[None, :] - ys[:, None]  # x - y: zero on the diagonal
    segments = contour(values + 0.5, 0.5, xs, ys)
    assert segments
    for a, b in segments:
        assert a[0] == pytest.approx(a[1]) and b[0] == pytest.approx(b[1])
    assert contour(np.zeros((3, 3)), 0.5, xs[:3], ys[:3]) == []


def test_three_classes_show_class_1_against_the_others(tmp_path):
    from graphstudio.core.dataset import parse_csv
    from graphstudio.io.gs import parse_text
    from graphstudio.render.plane import PlaneScene

    g = parse_text('x = data(["a", "b"])\nd = data("k", onehot=3)\n'
                   'W = param([[1, 0], [0, 1], [1, 1]])\nY = softmax(W @ x)\nL = cross_entropy(Y, d)')
    ds = parse_csv("a,b,k\n0,0,0\n1,0,1\n0,1,2\n")
    plane = Plane(g, ds)
    assert g.label(plane.setup.shown) == "Y" and plane.setup.component == 1
    assert plane.setup.kind == "classification"
    grid = plane.grid(resolution=3)
    x, y = grid.xs[2], grid.ys[0]
    z = np.array([x, y, x + y])
    assert grid.values[0, 2] == pytest.approx(np.exp(z[1]) / np.exp(z).sum(), rel=1e-12)
    scene = PlaneScene(grid, plane.points, plane.targets, plane.setup.kind, plane.setup.columns)
    assert scene.levels(np.array([0.0, 0.5, 1.0])).tolist() == [-1.0, 0.0, 1.0]
