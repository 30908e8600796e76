"""A setting a format declares once, from which the dialogs and the command line are built.

An export format (:mod:`graphstudio.render.exporters`) or a file format
(:mod:`graphstudio.io.formats`) lists its own settings as :class:`Option` objects: the PNG
exporter its resolution and transparent background, TikZ whether to write a whole LaTeX
document. The Export dialog makes one widget per option (a check box for ``bool``, a spin box
for a number), the command line one flag, and the writer receives them as keyword arguments,
checked here first. No Qt and no argparse here: just the words and the limits.

>>> dpi = Option("dpi", int, None, label="Resolution", help="PNG resolution", minimum=24,
...              maximum=1200, unit=" dpi")
>>> dpi.parse("300")
300
>>> dpi.flag
'--dpi'
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

__all__ = ["Option"]


@dataclass(frozen=True)
class Option:
    """One setting of a format.

    ``name`` is the writer's keyword; ``kind`` is ``bool``, ``int``, ``float`` or ``str``;
    ``default`` is the value when the option is not given (None: the writer decides).
    ``label`` is the dialog's text (a check box's, or a form row's), ``help`` the command
    line's. ``flag`` is the command-line option (``--`` and the name unless given); for a
    ``bool`` with ``negate`` the flag turns the option off (``--bare`` for ``standalone``).
    ``minimum``/``maximum`` bound a number, ``step`` and ``unit`` shape its spin box.
    ``dialog`` false keeps it off the dialog (an alternative the command line offers);
    ``steps`` false: it does not apply to step frames. ``words`` names it in messages."""

    name: str
    kind: type
    default: Any
    label: str
    help: str
    flag: str = ""
    negate: bool = False
    minimum: float | None = None
    maximum: float | None = None
    step: float | None = None
    unit: str = ""
    dialog: bool = True
    steps: bool = True
    words: str = ""

    def __post_init__(self) -> None:
        if not self.flag:
            object.__setattr__(self, "flag", "--" + self.name.replace("_", "-"))
        if not self.words:
            object.__setattr__(self, "words", self.flag if self.negate else self.name)

    @property
    def is_flag(self) -> bool:
        """A command-line switch without a value."""
        return self.kind is bool

    def parse(self, text: str) -> Any:
        """The option's value from command-line text; ValueError with a one-line reason."""
        if self.kind is str:
            return self.check(text)
        try:
            value = float(text)
        except (TypeError, ValueError):
            value = math.nan
        if self.kind is int:
            if not math.isfinite(value) or value != int(value):
                raise ValueError(f"{self.flag} must be a whole number, not {text!r}")
            value = int(value)
        return self.check(value, shown=text, who=self.flag)

    def check(self, value: Any, shown: Any = None, who: str = "") -> Any:
        """``value`` if it fits the option, else ValueError naming the option (as ``who``:
        the command line names its flag, the other callers its :attr:`words`)."""
        shown = value if shown is None else shown
        who = who or self.words
        if value is None or self.kind is str:
            return value
        if self.kind is bool:
            if not isinstance(value, bool):
                raise ValueError(f"{who} must be true or false, not {shown!r}")
            return value
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise ValueError(f"{who} must be a number, not {shown!r}")
        if self.kind is int and value != int(value):
            raise ValueError(f"{who} must be a whole number, not {shown!r}")
        low = self.minimum if self.minimum is not None else -math.inf
        high = self.maximum if self.maximum is not None else math.inf
        if not low <= value <= high:
            limits = (f"from {low:g} to {high:g}" if math.isfinite(low) and math.isfinite(high)
                      else f"at least {low:g}" if math.isfinite(low) else f"at most {high:g}")
            raise ValueError(f"{who} must be {limits}, not {shown!r}")
        return self.kind(value)
