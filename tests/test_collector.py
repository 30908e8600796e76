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


def test_what_a_pause_made_is_old_after_it():
    """The containers a pause made are counted as old when it ends: the allocations that
    follow do not start a collection that walks them all again (see collector_paused)."""
    runs = []

    def note(phase, info):
        if phase == "start":
            runs.append(info["generation"])

    gc.collect()
    gc.callbacks.append(note)
    try:
        with collector_paused():
            kept = [[i] for i in range(200_000)]  # far past the young generation's threshold
        more = [[i] for i in range(100)]  # would start a collection over all of ``kept``
    finally:
        gc.callbacks.remove(note)
    assert runs == []
    assert gc.get_freeze_count() == 0
    del kept, more


def test_frozen_objects_stay_frozen():
    """Objects someone else froze (``gc.freeze()``, as servers do before forking) are not
    thawed by the end of a pause."""
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        with collector_paused():
            pass
        assert gc.get_freeze_count() == frozen
    finally:
        gc.unfreeze()
