"""Pixel work for service/ingest/ink.py: ink in a page area once ruled lines and recognised words are
blanked. Kept apart so numpy loads only when a page has a signature area to measure."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from PIL import Image

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
    lines = long_runs(ink, run) | long_runs(cols, run, axis=0)
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
    """`mask` dilated by `rows` pixels up and down and `cols` left and right (a box; pixels outside are clear).
    Each direction is a few shifted ORs whose reach doubles (a window of 2k + 1 in about log2(k) steps), done
    only on the lines that hold a set pixel: ink is sparse, so most of a page's lines are skipped."""
    out = mask.astype(bool, copy=True)
    for axis, k in ((0, rows), (1, cols)):
        if k <= 0 or out.size == 0:
            continue
        lines = np.flatnonzero(out.any(axis=axis))  # the columns (axis 0) or rows that hold ink
        if lines.size == 0:
            return out
        part = out[:, lines] if axis == 0 else out[lines]
        part = _spread(_spread(part, k, axis, 1), k, axis, -1)
        if axis == 0:
            out[:, lines] = part
        else:
            out[lines] = part
    return out


def _spread(mask: np.ndarray, k: int, axis: int, direction: int, *, every: bool = False) -> np.ndarray:
    """Each pixel set when any of itself and the `k` pixels before it along `axis` is (after it: `direction` -1;
    `every`: when all of them are, a pixel past the edge counting as clear). Shifted ORs (ANDs) whose reach
    doubles: about log2(k) passes over the mask."""
    out = mask.copy()
    length = out.shape[axis]
    done = 0  # out[i] covers mask[i - done .. i] (direction 1) or mask[i .. i + done] (-1)
    while done < k:
        step = min(done + 1, k - done)
        if step >= length:
            if every:
                out[...] = False
            break
        early, late = [slice(None)] * 2, [slice(None)] * 2
        early[axis], late[axis] = slice(None, -step), slice(step, None)
        target, source = (tuple(late), tuple(early)) if direction > 0 else (tuple(early), tuple(late))
        if every:
            out[target] &= out[source]
            edge = [slice(None)] * 2
            edge[axis] = slice(None, step) if direction > 0 else slice(-step, None)
            out[tuple(edge)] = False
        else:
            out[target] |= out[source]
        done += step
    return out


def long_runs(mask: np.ndarray, length: int, *, axis: int = 1) -> np.ndarray:
    """Pixels that lie in a run of at least `length` set pixels along `axis` (1: horizontal runs, 0: vertical):
    the starts of `length` set pixels in a row (an erosion), each spread over the `length` pixels it starts (a
    dilation); a few shifted ANDs and ORs in all, whatever the runs."""
    mask = mask.astype(bool, copy=False)
    if length <= 1:
        return mask.copy()
    starts = _spread(mask, length - 1, axis, -1, every=True)
    return _spread(starts, length - 1, axis, 1)


def pixels(image: Image.Image) -> np.ndarray:
    """The pixels of a grey `image` as a new array: Pillow pastes them into the array's memory (np.asarray
    would first make a bytes object of the image, twice the copying of a page)."""
    image = image if image.mode == "L" else image.convert("L")
    image.load()
    out = np.empty((image.height, image.width), dtype=np.uint8)
    if out.size:
        view = Image.frombuffer("L", image.size, out, "raw", "L", 0, 1)  # shares the array's memory
        view.im.paste(image.im, (0, 0, *image.size))  # the core paste: Image.paste would copy a read-only view
    return out
