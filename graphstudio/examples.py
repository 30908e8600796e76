"""Where the shipped examples are: the source tree's ``examples/`` folder, or the installed
package's copy of it (``graphstudio/_examples``, mapped in pyproject.toml)."""

from __future__ import annotations

from pathlib import Path

#: each example's title in File > Examples: the lecture it comes from, then what it shows
#: (an example not listed here is titled by its file name)
TITLES = {
    "bristol_lecture2": "Bristol, Applied Deep Learning 2: three paths from f to a",
    "cmu11785_classify": "CMU 11-785, Lecture 5: a two-class classifier",
    "cmu11785_relu_max": "CMU 11-785, Lecture 5: ReLU and max (subgradients)",
    "cmu11785_softmax_ce": "CMU 11-785, Lecture 5: softmax and cross-entropy",
    "cs231n_gates": "CS231n, Backpropagation: add, max and multiply gates",
    "cs231n_sigmoid_gate": "CS231n, Backpropagation: the sigmoid gate as a function",
    "d2l_detach": "Dive into Deep Learning 2.5.3: detaching computation",
    "d2l_nonscalar_backward": "Dive into Deep Learning 2.5.2: backward of a vector",
    "grosse_csc311": "Grosse, CSC 311: z = (a + b)(b + c)",
    "second_derivative_tanh": "JAX, Autodiff Cookbook: tanh'' with grad(grad(y, x), x)",
    "seoul_backward_graph": "Seoul, Feedforward Networks 2: the backward pass as a graph",
    "seoul_mlp_l2": "Seoul, Feedforward Networks 2: an MLP with L2",
    "seoul_sgd_l2": "Seoul, Feedforward Networks 2: minibatch SGD",
    "siegen_backprop": "Siegen, Training Networks: backpropagation example",
    "siegen_fit_curve": "Siegen, Training Networks: fitting a curve",
    "siegen_regression": "Siegen, Training Networks: a regression network",
    "swish_function": "Functions and groups: swish(x) = x sigmoid(x)",
}


def examples_dir() -> Path:
    """The folder holding the lecture examples."""
    here = Path(__file__).resolve().parent
    for candidate in (here.parent / "examples", here / "_examples"):
        if candidate.is_dir() and any(candidate.glob("*.gs")):
            return candidate
    return here.parent / "examples"


def example_title(path: Path) -> str:
    """What File > Examples calls the example at ``path``."""
    return TITLES.get(path.stem, path.stem.replace("_", " "))


def example_files() -> list[Path]:
    """Every example, sorted by name."""
    return sorted(p for p in examples_dir().glob("*") if p.suffix in (".gs", ".json"))
