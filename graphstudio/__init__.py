"""GraphStudio: a desktop editor for computation graphs, for teaching and learning backpropagation.

Layers (each knows only the ones below): ``core`` (the model and the maths, no Qt), ``io`` (file
formats), ``render`` (drawing, shared by canvas and exporters), ``ui`` (the Qt application) and
``cli`` (the ``graphstudio`` command).
"""

__version__ = "0.1.0"
