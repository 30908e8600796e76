"""Readers for exported files, written independently of the exporters: a PDF page counter that
reads the file's ``/Type /Page`` objects, the texts of an SVG parsed with ``xml.etree``, and a
PNG's pixels as a numpy array."""

from __future__ import annotations

import re
import zlib
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np

SVG = "{http://www.w3.org/2000/svg}"
EXAMPLES = sorted(Path(__file__).resolve().parent.parent.joinpath("examples").glob("*.gs"))


def pdf_objects(path) -> bytes:
    """The PDF's bytes followed by every Flate stream inflated, so objects kept in compressed
    object streams (pdflatex does that) can be searched too."""
    data = Path(path).read_bytes()
    assert data.startswith(b"%PDF-"), "not a PDF file"
    parts = [data]
    for stream in re.findall(rb"stream\r?\n(.*?)endstream", data, re.S):
        try:
            parts.append(zlib.decompress(stream))
        except zlib.error:
            pass
    return b"\n".join(parts)


def pdf_pages(path) -> int:
    """How many ``/Type /Page`` objects (not ``/Pages``) the PDF holds."""
    return len(re.findall(rb"/Type\s*/Page(?![A-Za-z])", pdf_objects(path)))


def pdf_media_boxes(path) -> list[tuple[float, float]]:
    """Width and height in points of every page's /MediaBox."""
    data = pdf_objects(path)
    boxes = re.findall(rb"/MediaBox\s*\[\s*([-\d.]+)\s+([-\d.]+)\s+([-\d.]+)\s+([-\d.]+)\s*\]", data)
    return [(float(x1) - float(x0), float(y1) - float(y0)) for x0, y0, x1, y1 in boxes]


def svg_texts(path) -> list[str]:
    """The content of every ``<text>`` element, stripped (the file must be well-formed XML)."""
    root = ET.parse(path).getroot()
    assert root.tag == SVG + "svg"
    return ["".join(e.itertext()).strip() for e in root.iter(SVG + "text")]


def svg_size(path) -> tuple[float, float]:
    """The SVG's viewBox width and height."""
    root = ET.parse(path).getroot()
    x, y, w, h = (float(v) for v in root.get("viewBox").split())
    return w, h


def png_pixels(path) -> np.ndarray:
    """The PNG's pixels as an (h, w, 4) uint8 array in R, G, B, A order."""
    from PySide6.QtGui import QImage

    img = QImage(str(path))
    assert not img.isNull(), f"{path}: not a readable image"
    img = img.convertToFormat(QImage.Format_RGBA8888)
    w, h = img.width(), img.height()
    buf = np.frombuffer(img.constBits(), dtype=np.uint8, count=img.sizeInBytes())
    return buf.reshape(h, img.bytesPerLine())[:, : w * 4].reshape(h, w, 4).copy()


def hex_rgb(text: str) -> tuple[int, int, int]:
    return tuple(int(text[i:i + 2], 16) for i in (1, 3, 5))


def count_colour(pixels: np.ndarray, rgb: tuple[int, int, int], tol: int = 40) -> int:
    """Opaque pixels within ``tol`` (per channel) of ``rgb``."""
    diff = np.abs(pixels[..., :3].astype(int) - np.array(rgb)).max(axis=-1)
    return int(((diff <= tol) & (pixels[..., 3] > 200)).sum())


def not_background(pixels: np.ndarray, rgb: tuple[int, int, int]) -> int:
    """Pixels that differ visibly from the background colour ``rgb``."""
    diff = np.abs(pixels[..., :3].astype(int) - np.array(rgb)).max(axis=-1)
    return int((diff > 30).sum())
