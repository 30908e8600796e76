"""A registry of named entries that finds its entries by importing every module of a package.

The export formats (:mod:`graphstudio.render.exporters`) and the file formats
(:mod:`graphstudio.io.formats`) are each one of these: every module of the package registers
its entry when imported, and the package is imported, module by module, the first time the
registry is asked. A new entry is then one new file; a test or a plug-in may also
:meth:`~Registry.register` one directly (and :meth:`~Registry.unregister` it).
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import Generic, Protocol, TypeVar

__all__ = ["Registry"]


class Entry(Protocol):
    name: str
    order: int


E = TypeVar("E", bound=Entry)


class Registry(Generic[E]):
    """Entries by ``name``, listed by ``(order, name)``; ``package`` is the dotted name of the
    package whose modules register them."""

    def __init__(self, package: str) -> None:
        self.package = package
        self._entries: dict[str, E] = {}
        self._found = False

    def register(self, entry: E) -> E:
        """Add ``entry`` (replacing one of the same name)."""
        self._entries[entry.name] = entry
        return entry

    def unregister(self, name: str) -> None:
        self._entries.pop(name, None)

    def _find(self) -> None:
        if self._found:
            return
        self._found = True
        package = importlib.import_module(self.package)
        for module in pkgutil.iter_modules(package.__path__):
            importlib.import_module(f"{self.package}.{module.name}")

    def all(self) -> list[E]:
        """Every entry, in list order."""
        self._find()
        return sorted(self._entries.values(), key=lambda e: (e.order, e.name))

    def get(self, name: str) -> E | None:
        self._find()
        return self._entries.get(name)
