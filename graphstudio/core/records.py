"""Frozen record classes, as ``@dataclass(frozen=True)`` makes them, without ``dataclasses``.

The classes that the first ``graphstudio eval`` of a file defines at start-up (the op
registry's :class:`~graphstudio.core.ops.Op` and its parts, the parameters' kinds) use
:func:`record` instead of ``dataclasses``, whose import (with ``inspect``, ``ast``, ``dis``,
``tokenize``...) took about 12 ms of that command's start-up, more than any other module.
The rest of the program uses ``dataclasses`` as usual.

A record class lists its fields as annotations, in order, with defaults where the class gives
them a value; :func:`record` adds what a frozen dataclass has: ``__init__`` (its arguments the
fields; ``kw_only``: by keyword only), ``__repr__`` (``Name(field=value, ...)``), ``__eq__``
and ``__hash__`` by the fields' values (records of one class only), and attributes that cannot
be set or deleted. :func:`replace` is ``dataclasses.replace`` for them.

>>> @record
... class Point:
...     x: float
...     y: float = 0.0
>>> p = Point(1.5)
>>> p, p == Point(1.5, 0.0), replace(p, y=2.0)
(Point(x=1.5, y=0.0), True, Point(x=1.5, y=2.0))
>>> p.x = 3.0
Traceback (most recent call last):
...
AttributeError: field 'x' of a Point cannot be changed (a frozen record)
"""

from __future__ import annotations

__all__ = ["record", "replace"]


def record(cls=None, /, *, kw_only: bool = False):
    """Make ``cls`` a frozen record class (see the module docstring); ``@record`` or
    ``@record(kw_only=True)``."""

    def make(cls):
        names = tuple(cls.__dict__.get("__annotations__", ()))
        defaults = {name: cls.__dict__[name] for name in names if name in cls.__dict__}
        title = cls.__name__

        # (one __init__ for every record class, not one written for each as dataclasses does:
        # compiling those took longer than all the records made at start-up)
        def __init__(self, *args, **values):
            if args:
                if kw_only or len(args) > len(names):
                    raise TypeError(f"{title}() takes {'no' if kw_only else len(names)} "
                                    f"positional arguments, {len(args)} given")
                for name, value in zip(names, args):
                    if name in values:
                        raise TypeError(f"{title}() got two values for {name!r}")
                    values[name] = value
            for name in names:
                if name not in values:
                    if name not in defaults:
                        raise TypeError(f"{title}() needs {name!r}")
                    values[name] = defaults[name]
            if len(values) != len(names):
                unknown = sorted(set(values).difference(names))
                raise TypeError(f"{title}() has no field {unknown[0]!r}")
            self.__dict__.update(values)

        __init__.__qualname__ = f"{cls.__qualname__}.__init__"
        cls.__init__ = __init__
        cls._fields = names
        cls.__repr__ = _repr
        cls.__eq__ = _eq
        cls.__hash__ = _hash
        cls.__setattr__ = _refuse
        cls.__delattr__ = _refuse
        return cls

    return make if cls is None else make(cls)


def replace(rec, /, **changes):
    """A copy of record ``rec`` with ``changes`` (field name -> value) made."""
    unknown = set(changes).difference(rec._fields)
    if unknown:
        raise TypeError(f"{type(rec).__name__} has no field {sorted(unknown)[0]!r}")
    return type(rec)(**{n: changes[n] if n in changes else getattr(rec, n) for n in rec._fields})


def _values(rec) -> tuple:
    return tuple([getattr(rec, n) for n in rec._fields])


def _repr(self) -> str:
    parts = ", ".join(f"{n}={getattr(self, n)!r}" for n in self._fields)
    return f"{type(self).__qualname__}({parts})"


def _eq(self, other) -> bool:
    if other.__class__ is not self.__class__:
        return NotImplemented
    return self is other or _values(self) == _values(other)


def _hash(self) -> int:
    return hash(_values(self))


def _refuse(self, name, value=None):
    raise AttributeError(f"field {name!r} of a {type(self).__name__} cannot be changed "
                         "(a frozen record)")
