"""The cyclic collector is paused while a graph is read and evaluated, and is on again after,
even when the text is bad; cycles made meanwhile are collected then."""

from __future__ import annotations

import gc
import sys
import weakref

import pytest

from graphstudio.core.collector import collector_paused
from graphstudio.core.engine import evaluate
from graphstudio.io.gs import ParseError, parse_text


class Cell:
    pass


def test_paused_inside_and_on_again_after():
    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
        with collector_paused():  # pauses nest
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()


def test_left_off_if_it_was_off():
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_on_again_after_an_error():
    with pytest.raises(ParseError):
        parse_text("x = 1\ny = (x +\n")
    assert gc.isenabled()
    with pytest.raises(ZeroDivisionError), collector_paused():
        1 / 0
    assert gc.isenabled()


def test_reading_and_evaluating_pause_it():
    """No collection runs inside the reader or the passes (thousands of new containers would
    start several)."""
    inside = []

    def note(phase, info):
        frame = sys._getframe(1)
        while frame is not None:
            if frame.f_code.co_name in ("_read", "_evaluate"):
                inside.append(frame.f_code.co_name)
            frame = frame.f_back

    lines = ["x0 = 0.5"] + [f"x{i} = sin(x{i - 1}) * x{i - 1}" for i in range(1, 5000)]
    gc.callbacks.append(note)
    try:
        graph = parse_text("\n".join(lines) + "\n")
        ev = evaluate(graph)
    finally:
        gc.callbacks.remove(note)
    assert len(graph) == 10_000 - 1 and ev.grads
    assert inside == []
    assert gc.isenabled()


def test_cycles_made_during_a_pause_are_collected_after():
    with collector_paused():
        a, b = Cell(), Cell()
        a.other, b.other = b, a
        ref = weakref.ref(a)
        del a, b
        assert ref() is not None
    gc.collect()
    assert ref() is None
