"""Pixel work for service/ingest/ink.py: ink in a page area once ruled lines and recognised words are
blanked. Kept apart so numpy loads only when a page has a signature area to measure."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from PIL import Image
from scipy import ndimage

Box = tuple[float, float, float, float]


def measure(image: Image.Image, region: Box, recognised: Sequence[Box], h: float, *, rules: Any,
            tall_only: bool = False) -> tuple[float, bool]:
    """Share of the region that is ink once words and ruled lines are blanked (`tall_only`: and rows of
    printed text, which are never much taller than a text height); and whether it is a mark.

    `h` is the page's text height in pixels; `rules` the ink rules (service.ingest.ink.rules())."""
    r = rules
    left, top = int(region[0]), int(region[1])
    ink = np.asarray(image.crop((left, top, int(region[2]), int(region[3])))) < r.dark
    ink &= ~ruled(ink, max(3, int(r.region["ruled_line"] * h)), gap=max(2, int(h / 3)))
    pad = r.region["word_pad"] * h
    for bx0, by0, bx1, by1 in recognised:
        if bx1 < region[0] or bx0 > region[2] or by1 < region[1] or by0 > region[3]:
            continue
        ink[max(0, int(by0 - pad) - top):max(0, int(by1 + pad + 1) - top),
            max(0, int(bx0 - pad) - left):max(0, int(bx1 + pad + 1) - left)] = False
    if tall_only:
        ink = _tall_bands(ink, h, r.region)
    ratio = float(ink.mean()) if ink.size else 0.0
    amount, spread = int(ink.sum()) / (h * h), int(ink.any(axis=0).sum()) / h
    return ratio, amount >= r.min_ink and spread >= r.min_spread


def _tall_bands(ink: np.ndarray, h: float, g: dict[str, float]) -> np.ndarray:
    """Ink in bands of rows taller than printed text, looked for in narrow strips (a skewed scan's
    text lines stay apart)."""
    strip, tall, speck = max(1, int(g["strip"] * h)), g["tall_band"] * h, max(2, int(h / 10))
    out = np.zeros_like(ink)
    for x in range(0, ink.shape[1], strip):
        rows = (ink[:, x:x + strip].sum(axis=1) >= speck).astype(np.int8)
        edges = np.flatnonzero(np.diff(np.concatenate(([0], rows, [0]))))
        for start, stop in zip(edges[::2], edges[1::2]):
            if stop - start >= tall:
                out[start:stop, x:x + strip] = ink[start:stop, x:x + strip]
    return out


def ruled(ink: np.ndarray, run: int, *, gap: int = 0) -> np.ndarray:
    """Pixels of ruled lines: straight runs at least `run` long, and thin runs twice as long that a skewed scan
    steps by a pixel now and then or that are dotted or dashed (gaps up to `gap` pixels); thin: no ink a third
    of `run` above or below them (a handwritten stroke has ink around it)."""
    cols = ink.copy()
    cols[:, 1:] |= ink[:, :-1]
    lines = long_runs(ink, run) | long_runs(cols.T, run).T
    rows = ink.copy()
    rows[1:] |= ink[:-1]
    broken = long_runs(grow(rows, 0, gap) if gap else rows, 2 * run)
    k = max(2, run // 3)
    if ink.shape[0] > k:
        broken[k:] &= ~ink[:-k]
        broken[:-k] &= ~ink[k:]
    lines |= broken
    grown = lines.copy()
    grown[:-1] |= lines[1:]
    grown[:, :-1] |= lines[:, 1:]
    return grown & ink


def grow(mask: np.ndarray, rows: int, cols: int) -> np.ndarray:
    """`mask` dilated by `rows` pixels up and down and `cols` left and right (a box, in linear time)."""
    out = _bytes(mask)
    for axis, k in ((0, rows), (1, cols)):
        if k <= 0 or out.shape[axis] == 0:
            continue
        out = ndimage.maximum_filter1d(out, 2 * k + 1, axis=axis, mode="constant", cval=0)
    return out.astype(bool)


def long_runs(mask: np.ndarray, length: int) -> np.ndarray:
    """Pixels that lie in a horizontal run of at least `length` set pixels, from the runs' starts and ends (each
    row is padded with a clear pixel at both ends, so a row's runs start and end in it); linear time."""
    rows, cols = mask.shape
    if cols < length:
        return np.zeros_like(mask)
    padded = np.zeros((rows, cols + 2), dtype=np.int8)
    padded[:, 1:-1] = mask
    edges = np.flatnonzero(np.diff(padded, axis=1))  # alternately a run's first pixel and the pixel after it
    starts, stops = edges[::2], edges[1::2]
    long = stops - starts >= length
    steps = np.zeros(rows * (cols + 1), dtype=np.int8)
    steps[starts[long]] = 1
    steps[stops[long]] = -1
    return np.cumsum(steps.reshape(rows, cols + 1), axis=1, dtype=np.int8)[:, :cols] > 0


def _bytes(mask: np.ndarray) -> np.ndarray:
    return mask.view(np.uint8) if mask.dtype == bool else mask.astype(np.uint8)
