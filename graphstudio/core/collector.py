"""Pausing Python's cyclic garbage collector while a big graph is built or evaluated.

Building a graph makes millions of small containers (records, dicts, lists) that are all kept:
none of them is garbage, yet each time enough of them pile up the collector walks them, and
walks every older object again now and then. For a graph of 200,000 nodes that is a fifth of
the time from file to gradients. Reference counting still frees everything that is dropped;
only cycles wait until the collector runs again, when the pause ends.

When the pause ends, what it made is handed to the oldest generation at once (see
:func:`_promote`) rather than left young: the collector would otherwise walk all of it on the
next allocation and again a few collections later (about 0.2 s after opening a graph of 5,000
nodes in the editor), only to find it all alive and move it there anyway.
"""

from __future__ import annotations

import gc

__all__ = ["collector_paused"]


def collector_paused() -> _Paused:
    """``with collector_paused():`` within the block the cyclic collector does not run; it runs
    again after it (if it was on before: pauses nest), with what the block made counted as
    old."""
    return _Paused()


class _Paused:
    """The context of :func:`collector_paused` (a class, not a ``contextlib`` generator: the
    first ``graphstudio eval`` starts without contextlib)."""

    __slots__ = ("was_on",)

    def __enter__(self) -> None:
        self.was_on = gc.isenabled()
        gc.disable()

    def __exit__(self, *exc_info) -> None:
        if self.was_on:
            _promote()
            gc.enable()


def _promote() -> None:
    """Move every tracked object to the oldest generation without walking them: ``freeze``
    moves all of them aside (and empties the young generation's count), ``unfreeze`` puts
    them back in the oldest one. A cycle made during the pause is still collected, by the
    next full collection (or ``gc.collect()``). Left alone if something else keeps objects
    frozen (``unfreeze`` would thaw them too)."""
    if gc.get_freeze_count() == 0:
        gc.freeze()
        gc.unfreeze()
