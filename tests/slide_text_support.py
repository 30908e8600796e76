"""tools/slide_text.py as a module (tools/ is not a package), and the graphs it measures: every
shipped example and the New Network dialog's two default networks."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("slide_text", ROOT / "tools" / "slide_text.py")
slide_text = importlib.util.module_from_spec(_spec)
sys.modules.setdefault("slide_text", slide_text)
_spec.loader.exec_module(slide_text)

EXAMPLES = sorted((ROOT / "examples").glob("*.gs"))
NETWORKS = ("new_network_matrix", "new_network_scalar")
GRAPHS = [p.stem for p in EXAMPLES] + list(NETWORKS)


def graph_file(name: str, folder: Path) -> Path:
    """The file of an example, or of a New Network default (built into ``folder`` once)."""
    if name in NETWORKS:
        path = folder / f"{name}.json"
        if not path.exists():
            slide_text.build_new_networks(folder)
        return path
    return ROOT / "examples" / f"{name}.gs"
