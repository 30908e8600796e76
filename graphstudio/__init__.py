"""GraphStudio: a desktop editor for computation graphs, for teaching and learning backpropagation.

Layers (each knows only the ones below): ``core`` (the model and the maths, no Qt), ``io`` (file
formats), ``render`` (drawing, shared by canvas and exporters), ``ui`` (the Qt application) and
``cli`` (the ``graphstudio`` command).
"""

from importlib.metadata import PackageNotFoundError, version as _version

try:  # one source for the version: pyproject.toml, through the installed package's metadata
    __version__ = _version("graphstudio")
except PackageNotFoundError:  # a checkout used without installing it
    __version__ = "0+unknown"
del PackageNotFoundError, _version
