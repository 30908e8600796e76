"""Fuzzing the three readers (``.gs`` text, the ``.json`` document, CSV datasets): every input
either loads or raises the reader's own located error, never another exception; and a graph
a reader accepts evaluates without raising.

Inputs are built from the pieces that broke the readers before (huge integers, deep nesting,
wrong JSON types, NUL bytes, long fields) mixed with random text and with random edits of
the shipped examples. ``FUZZ_EXAMPLES=5000`` runs more of them locally.
"""

from __future__ import annotations

import json
import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graphstudio.core.dataset import DatasetError, parse_csv
from graphstudio.core.engine import evaluate
from graphstudio.examples import example_files
from graphstudio.io.document import DocumentError, from_json, parse_json
from graphstudio.io.gs import ParseError, parse_text

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "300"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def _located(message: str, filename: str) -> None:
    assert message.startswith(filename), message
    assert "Traceback" not in message
    assert len(message) < 600, f"a message of {len(message)} characters: {message[:200]}"


# ---- .gs --------------------------------------------------------------------------------------

GS_TOKENS = [
    "a", "b", "x", "W", "t", "z", "inf", "nan", "exp", "log", "max", "sum", "softmax",
    "cross_entropy", "param", "data", "dataset", "onehot", "equals", "lambda", "import", "if",
    "0", "1", "-1", "2.5", "1e999", "-0.0", "1e-400", "0x" + "f" * 300, "9" * 400, "1_000",
    "1j", "+", "-", "*", "/", "**", "@", "%", "//", "(", ")", "[", "]", ",", "=", ":", ".",
    "#", "'", '"', '"x.csv"', '"\\x00"', "'label'", " ", "\t", "\n", "\\",
]

GS_LINES = [
    "a = 1", "b = [2, 3]", "c = a ** b", "W = param([[0.1, -0.2], [0.3, 0.4]])",
    'dataset("d.csv")', 'x = data("x")', 't = data("label", onehot=3)',
    't = data("label", onehot=1e9)', 't = data("label", onehot=1e308)', 'u = data(["x", "y"])',
    "z = cross_entropy(softmax(W @ b), b)", "y = max(b)", "q = -" * 3 + "a", "e = exp(a) / 0",
    "k = " + "-" * 2000 + "1", "m = " + "[" * 40 + "1" + "]" * 40, "v = [1, [2]]",
    "n = " + "(" * 300 + "a" + ")" * 300, "h = a" + " + a" * 200, "s = sum(b) * 1e308 * 10",
]


def _examples() -> list[str]:
    return [p.read_text(encoding="utf-8") for p in example_files() if p.suffix == ".gs"]


@st.composite
def gs_texts(draw) -> str:
    kind = draw(st.integers(0, 2))
    if kind == 0:  # lines made of tokens
        lines = draw(st.lists(st.lists(st.sampled_from(GS_TOKENS), max_size=12), max_size=8))
        return "\n".join(" ".join(line) for line in lines)
    if kind == 1:  # whole lines that parse, some of them abusive
        return "\n".join(draw(st.lists(st.sampled_from(GS_LINES), max_size=8)))
    text = draw(st.sampled_from(_examples()))
    for _ in range(draw(st.integers(1, 4))):  # random edits of an example
        i = draw(st.integers(0, len(text)))
        j = draw(st.integers(i, min(len(text), i + 30)))
        text = text[:i] + draw(st.sampled_from(GS_TOKENS + ["", "\n"])) + text[j:]
    return text


@FUZZ
@given(gs_texts())
def test_gs_reader_loads_or_says_where_and_what(text):
    try:
        graph = parse_text(text)
    except ParseError as exc:
        _located(str(exc), "<text>:")
        assert exc.line >= 1 and exc.col >= 1
        return
    evaluate(graph)  # what the reader accepts, the engine evaluates


# ---- .json --------------------------------------------------------------------------------------

ANY = st.recursive(
    st.none() | st.booleans() | st.integers(-10, 10) | st.integers() | st.floats()
    | st.sampled_from([10**400, -(10**400), 2**31, 2**63, "nan", "inf", "x", "a\x00b", "",
                       "input", "add", "exp", "d.csv"]),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=4), inner,
                                                                max_size=3),
    max_leaves=12,
)


@st.composite
def json_nodes(draw, i: int) -> dict:
    node = {"id": draw(st.sampled_from([i, i, i, -1, "0", 2**40, None])),
            "op": draw(st.sampled_from(["input", "const", "add", "mul", "exp", "sum",
                                        "cross_entropy", "pow", "bogus", None])
                       | st.just(["input"]) | ANY)}
    for key in draw(st.lists(st.sampled_from(["name", "value", "pos", "trainable", "data",
                                              "onehot", "equals"]), max_size=4)):
        node[key] = draw({
            "name": st.sampled_from(["a", "b", "if", "exp", "", "x" * 100]) | ANY,
            "value": st.sampled_from([1, 0.5, [1, 2], [[1, 2], [3]], "nan", -1e308]) | ANY,
            "pos": st.sampled_from([[0, 0], [1e300, 0], [10**400, 1]]) | ANY,
            "trainable": st.booleans() | ANY,
            "data": st.sampled_from(["x", ["x", "y"], [], ""]) | ANY,
            "onehot": st.sampled_from([3, 1, 10**9, 10**400]) | ANY,
            "equals": st.sampled_from([1, 1.5, 10**400]) | ANY,
        }[key])
    return node


@st.composite
def json_texts(draw) -> str:
    if draw(st.integers(0, 9)) == 0:  # deep nesting, huge numbers, raw text
        return draw(st.sampled_from([
            "[" * 3000 + "]" * 3000, '{"a":' * 2000 + "1" + "}" * 2000,
            "9" * 5000, '{"format_version": 1, "nodes": [], "edges": [], "x": ' + "1" * 4400 + "}",
            "", "{", "nan", "\x00",
        ]) | st.text(max_size=40))
    n = draw(st.integers(0, 4))
    doc = {"format_version": draw(st.sampled_from([1, 1, 0, 2, "1", None])),
           "nodes": [draw(json_nodes(i)) for i in range(n)],
           "edges": draw(st.lists(st.fixed_dictionaries({
               "src": st.integers(-1, n), "dst": st.integers(-1, n),
               "port": st.integers(-1, 2) | ANY}), max_size=4) | ANY)}
    for key in draw(st.lists(st.sampled_from(["output", "dataset", "view", "vertices"]), max_size=3)):
        doc[key] = draw({
            "output": st.integers(-1, n) | ANY,
            "dataset": st.sampled_from(["d.csv", "a\x00b", "x" * 5000]) | ANY,
            "view": st.sampled_from([{"theme": "dark"}, {"theme": ["dark"]}, {"grid": 1}]) | ANY,
            "vertices": ANY,
        }[key])
    if draw(st.integers(0, 4)) == 0:  # a value nested deep
        doc["nodes"].append({"id": n, "op": "input", "value": _nested(draw(st.integers(30, 900)))})
    return json.dumps(doc)


def _nested(depth: int):
    v: object = 1
    for _ in range(depth):
        v = [v]
    return v


@FUZZ
@given(json_texts())
def test_json_reader_loads_or_says_which_field(text):
    try:
        doc = from_json(parse_json(text, "f.json"), "f.json")
    except DocumentError as exc:
        _located(str(exc), "f.json")
        return
    evaluate(doc.graph)


# ---- CSV ----------------------------------------------------------------------------------------

CSV_PIECES = ["x", "y", "label", "1", "-2.5", "1e999", "nan", "abc", "", " ", ",", ",,", '"',
              '"a,b"', "#", "\n", "\r\n", "\x00", "1" * 140_000, "x" * 50_000]


@st.composite
def csv_texts(draw) -> str:
    if draw(st.booleans()):
        return "".join(draw(st.lists(st.sampled_from(CSV_PIECES), max_size=20)))
    header = draw(st.lists(st.sampled_from(["x", "y", "label", "x", ""]), min_size=1, max_size=4))
    rows = draw(st.lists(st.lists(st.sampled_from(CSV_PIECES[3:12]), min_size=len(header),
                                  max_size=len(header)), max_size=5))
    return "\n".join([",".join(header)] + [",".join(r) for r in rows])


@FUZZ
@given(csv_texts())
def test_csv_reader_loads_or_says_which_line(text):
    try:
        ds = parse_csv(text, "f.csv")
    except DatasetError as exc:
        _located(str(exc), "f.csv:")
        return
    assert ds.values.shape == (len(ds), len(ds.columns))
