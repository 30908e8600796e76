"""``python -m graphstudio``: the same as the ``graphstudio`` command."""

import sys

from .cli import main

sys.exit(main())
