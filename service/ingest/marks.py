"""Handwritten marks anywhere on a page, and the text lines around each one.

Ink first, then words: a reviewer spots a signature by its look (pen strokes that are not printed
text, ruled lines or a logo) wherever it sits, then reads what is written around it (the closing
above, the printed name, title, organisation and date below or beside it). This module does the
looking; the checks do the reading (`InkMark.lines`). It does not depend on any label or heading,
so it works on layouts nobody wrote a pattern for.

A mark is a group of ink strokes (connected once dilated by half a text height) that, after
recognised words and long straight runs are blanked, is wider and taller than printed text, sparse
(strokes, not a filled logo or photo), not in the page's letterhead band and not a page-sized
shadow. Sizes are in text heights (the page's median word height), so the rules hold at any dpi.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from PIL import Image
from scipy import ndimage

from models.document import InkMark, MarkLine
from service.ingest import handwriting
from service.ingest.ink_pixels import grow as grow_mask
from service.ingest.ink_pixels import pixels, ruled
from service.ingest.ocr import MIN_CONF, OcrWord

Box = tuple[float, float, float, float]

WORK_HEIGHT = 7.0  # text height in pixels the page is shrunk to before looking (speed, same rules at any dpi)
MAX_MARKS = 8


@dataclass(frozen=True)
class Shape:
    """Thresholds, in text heights (data for tests and the benchmark; not a rules file: it is geometry)."""

    min_width: float = 2.5
    min_height_text: float = 1.0  # text-layer pages: every printed word is known, so any taller ink counts
    min_height_scan: float = 1.3  # scans: unread printed text is about 1 high, handwriting taller
    max_height: float = 14.0  # a big flourish on a slide or form is still a signature
    max_width_share: float = 0.6  # of the page width
    min_ink: float = 2.0  # square text heights of ink
    max_density: float = 0.35  # ink share of the mark's box; a filled logo or photo is denser
    letterhead: float = 0.08  # the top share of the page holds logos, never the signature
    contrast: int = 60  # darker than the local background by this much is ink


SHAPE = Shape()


def find_marks(text: str, words: Sequence[OcrWord], image: Image.Image, *, scanned: bool,
               regions: Sequence[Box] | None = None, plain: Sequence[bool] = (),
               shape: Shape = SHAPE, reveal: Callable[[Box], None] | None = None) -> list[InkMark]:
    """Handwritten marks on a page image whose `words` (boxes in `image` pixels) carry offsets into `text`.
    `regions` (image pixels): where the page draws something other than text (a text PDF's image and path
    objects); only there is looked at. None: the whole page (a scan). `plain`: which regions are only rules or
    rectangles (service.ingest.pdf_drawn); a group of regions that are all plain is not looked at. `reveal`: called
    with an area of `image` (pixels) before it is read outside the areas_read() ones (a text page is drawn only
    there)."""
    plan = _plan(words, regions, image.size, shape, plain)
    if plan is None:
        return []
    h, factor, areas = plan
    scale = 1.0 / factor
    grey = _darkest(image if image.mode == "L" else image.convert("L"), factor)  # thin pen strokes survive
    size = grey.size
    hs = h * scale
    known = [w for w in words if not scanned or _printed(text[w.start:w.end], w, h)]
    word_boxes = [tuple(v * scale for v in w.box) for w in known]
    boxes: list[tuple[Box, float]] = []
    for crop, keep in areas:
        ink = _ink(grey.crop(crop), hs, shape)
        ink &= ~ruled(ink, max(3, int(3 * hs)), gap=max(2, int(hs / 3)))
        if keep is not None:
            ink &= keep
        _blank(ink, [(b[0] - crop[0], b[1] - crop[1], b[2] - crop[0], b[3] - crop[1]) for b in word_boxes
                     if b[2] >= crop[0] and b[0] <= crop[2] and b[3] >= crop[1] and b[1] <= crop[3]], pad=0.15 * hs)
        boxes += [((b[0] + crop[0], b[1] + crop[1], b[2] + crop[0], b[3] + crop[1]), d)
                  for b, d in _strokes(ink, hs, size, scanned=scanned, shape=shape, offset_y=crop[1])]
    lines = _line_boxes(text, words)
    marks = []
    for box, density in boxes[:MAX_MARKS]:
        full = tuple(v / scale for v in box)
        near = _around(full, lines, h, skip=words)
        offset = next((ln.start for ln in near if ln.where == "below"), near[0].start if near else 0)
        reading = _read_date(text, image, full, near, lines, reveal=reveal)
        marks.append(InkMark(offset=offset, anchor="mark", label="handwritten mark", ink=round(density, 4),
                             inked=True, lines=near, reading=reading,
                             region=tuple(round(v / s, 4) for v, s in zip(full, image.size * 2))))
    return sorted(marks, key=lambda m: m.region[1])


def _read_date(text: str, image: Image.Image, box: Box, near: Sequence[MarkLine],
               lines: Sequence[_Line], *, reveal: Callable[[Box], None] | None) -> str | None:
    """A date written by hand beside its label: the row from the label's end to the mark's end is read (a date's
    parts may be found as separate marks). None: not beside a date label; "": beside one, not legible."""
    label = handwriting.date_label(text, near)
    if label is None:
        return None
    lbox = next((ln.box for ln in lines if ln.start == label.start), None)
    x0, y0, x1, y1 = box
    if label.where == "beside" and lbox is not None:
        if lbox[0] >= x0:
            return None  # a label right of the mark is the next field's, not this value's
        x0, y0, y1 = min(x0, lbox[2]), min(y0, lbox[1]), max(y1, lbox[3])
    if reveal is not None:
        reveal(handwriting.line_area((x0, y0, x1, y1), image.size))
    return handwriting.read_line(image, (x0, y0, x1, y1)) or ""


def areas_read(words: Sequence[OcrWord], regions: Sequence[Box], size: tuple[int, int], *,
               plain: Sequence[bool] = (), shape: Shape = SHAPE) -> list[Box]:
    """The areas (pixels of a page image of `size`) find_marks reads to look for marks in `regions` with these
    `words` (a date it reads besides: see `reveal`); none when no group of regions, not all plain, is big enough
    to hold a mark. Decided before the page is rendered."""
    plan = _plan(words, regions, size, shape, plain)
    if plan is None:
        return []
    _, factor, areas = plan
    return [(x0 * factor, y0 * factor, x1 * factor - 1, y1 * factor - 1) for (x0, y0, x1, y1), _ in areas]


def _plan(words: Sequence[OcrWord], regions: Sequence[Box] | None, size: tuple[int, int],
          shape: Shape, plain: Sequence[bool] = ()) -> tuple[float, int, list] | None:
    """The text height, the shrink factor and the areas to look at (see _areas) on an image of `size`."""
    heights = [w.box[3] - w.box[1] for w in words if w.box[3] > w.box[1]]
    if not heights or regions is not None and not regions:
        return None
    h = float(statistics.median(heights))
    factor = max(1, int(h // WORK_HEIGHT))
    shrunk = size if factor == 1 else (size[0] // factor, size[1] // factor)  # as _darkest shrinks the image
    scale = 1.0 / factor
    return h, factor, _areas(regions, scale, h * scale, shrunk, shape, plain)


def _areas(regions: Sequence[Box] | None, scale: float, h: float, size: tuple[int, int],
           shape: Shape, plain: Sequence[bool] = ()) -> list[tuple[tuple[int, int, int, int], np.ndarray | None]]:
    """Where to look, in the scaled image: the whole page, or each group of drawn regions big enough to be a
    signature (padded by a few text heights, overlapping ones merged), with the mask of the regions."""
    width, height = size
    if regions is None:
        return [((0, 0, width, height), None)]
    pad = 3 * h
    flags = list(plain) + [False] * (len(regions) - len(plain))
    boxes = [[r[0] * scale, r[1] * scale, r[2] * scale, r[3] * scale, flag] for r, flag in zip(regions, flags)]
    groups: list[list] = []
    for b in sorted(boxes, key=lambda b: (b[1], b[0])):
        grown = [b[0] - pad, b[1] - pad, b[2] + pad, b[3] + pad]
        for g in groups:
            if grown[0] <= g[0][2] and grown[2] >= g[0][0] and grown[1] <= g[0][3] and grown[3] >= g[0][1]:
                g[0] = [min(g[0][0], grown[0]), min(g[0][1], grown[1]), max(g[0][2], grown[2]), max(g[0][3], grown[3])]
                g[1].append(b)
                break
        else:
            groups.append([grown, [b]])
    out = []
    for (x0, y0, x1, y1), members in groups:
        if all(b[4] for b in members):
            continue  # rules and rectangles only: a table or a signature line, never handwriting
        if max(b[2] for b in members) - min(b[0] for b in members) < shape.min_width * h \
                or max(b[3] for b in members) - min(b[1] for b in members) < 0.8 * h:
            continue  # a bullet, an icon or a rule: too small or too thin to be a signature
        crop = (max(0, int(x0)), max(0, int(y0)), min(width, int(x1) + 1), min(height, int(y1) + 1))
        if crop[2] - crop[0] < 2 or crop[3] - crop[1] < 2:
            continue
        keep = np.zeros((crop[3] - crop[1], crop[2] - crop[0]), dtype=bool)
        for b in members:
            keep[max(0, int(b[1]) - crop[1]):max(0, int(b[3]) + 1 - crop[1]),
                 max(0, int(b[0]) - crop[0]):max(0, int(b[2]) + 1 - crop[0])] = True
        out.append((crop, keep))
    return out


def _printed(word: str, w: OcrWord, h: float) -> bool:
    """An OCR word that is printed text: confident, or a plain word of letters at most a large heading
    high (a signature read as letters comes out as short junk with low confidence)."""
    if w.box[3] - w.box[1] > 2.2 * h:
        return False
    if w.conf >= MIN_CONF:
        return True
    letters = sum(c.isalpha() for c in word)
    return w.conf >= 20 and letters >= 4 and letters >= 0.8 * len(word) and w.box[3] - w.box[1] <= 1.25 * h


def _ink(grey: Image.Image, h: float, shape: Shape) -> np.ndarray:
    """Pixels darker than their neighbourhood's paper (uneven light in photos) and than paper grey; the
    paper level is the brightest of a few text heights around, estimated on an 8× smaller image."""
    px = np.asarray(grey, dtype=np.int16)
    small = grey.reduce(8) if min(grey.size) >= 64 else grey
    step = 8 if small is not grey else 1
    paper = ndimage.maximum_filter(np.asarray(small), size=max(3, int(2 * h / step) | 1))
    background = np.asarray(Image.fromarray(paper).resize(grey.size, Image.Resampling.BILINEAR), dtype=np.int16)
    return ((background - px) > shape.contrast) & (px < 200)


def _darkest(grey: Image.Image, factor: int) -> Image.Image:
    """`grey` shrunk by `factor`, each pixel the darkest of those it covers (an average would fade a thin
    pen stroke into the paper): the darkest of each block's rows, then of each `factor` columns of that."""
    if factor == 1:
        return grey
    px = pixels(grey)
    rows, cols = px.shape[0] // factor, px.shape[1] // factor
    darkest_rows = np.minimum.reduce(px[:rows * factor, :cols * factor].reshape(rows, factor, cols * factor), axis=1)
    out = darkest_rows[:, ::factor].copy()
    for j in range(1, factor):
        np.minimum(out, darkest_rows[:, j::factor], out=out)
    return Image.fromarray(out)


def _blank(ink: np.ndarray, boxes: Sequence[Box], *, pad: float) -> None:
    rows, cols = ink.shape
    for x0, y0, x1, y1 in boxes:
        ink[max(0, int(y0 - pad)):min(rows, int(y1 + pad + 1)), max(0, int(x0 - pad)):min(cols, int(x1 + pad + 1))] = False


def _strokes(ink: np.ndarray, h: float, size: tuple[int, int], *, scanned: bool, shape: Shape,
             offset_y: int = 0) -> list[tuple[Box, float]]:
    """Boxes of stroke groups shaped like handwriting, biggest first, with their ink density."""
    rows = np.flatnonzero(ink.any(axis=1))
    if rows.size == 0:
        return []
    cols = np.flatnonzero(ink.any(axis=0))
    grow = max(1, int(h / 2))
    # Only the ink's bounding box grown by the dilation's reach is labelled (blanked ink leaves most of an area
    # empty): the same groups in the same raster order; their boxes are shifted back below
    top, left = max(0, int(rows[0]) - grow // 2), max(0, int(cols[0]) - grow)
    ink = ink[top:int(rows[-1]) + grow // 2 + 1, left:int(cols[-1]) + grow + 1]
    joined = grow_mask(ink, grow // 2, grow)
    labels, _ = ndimage.label(joined)
    ys, xs = np.nonzero(ink)  # each group's own ink (its dilation left out), grouped by label in label order
    group = labels[ys, xs]
    order = np.argsort(group, kind="stable")
    group, ys, xs = group[order], ys[order], xs[order]
    firsts = np.flatnonzero(np.concatenate(([True], group[1:] != group[:-1])))
    amounts = np.diff(np.append(firsts, group.size))
    tops, bottoms = np.minimum.reduceat(ys, firsts) + top, np.maximum.reduceat(ys, firsts) + (top + 1)
    lefts, rights = np.minimum.reduceat(xs, firsts) + left, np.maximum.reduceat(xs, firsts) + (left + 1)
    width, height = size
    min_h = (shape.min_height_scan if scanned else shape.min_height_text) * h
    found = []
    for amount, x0, y0, x1, y1 in zip(amounts.tolist(), lefts.tolist(), tops.tolist(), rights.tolist(),
                                      bottoms.tolist()):
        if amount < shape.min_ink * h * h:
            continue
        bw, bh = x1 - x0, y1 - y0
        if bw < shape.min_width * h or bh < min_h or bh > shape.max_height * h or bw > shape.max_width_share * width:
            continue
        if (y0 + y1) / 2 + offset_y < shape.letterhead * height:
            continue
        density = amount / float(bw * bh)
        if density > shape.max_density:
            continue
        found.append(((float(x0), float(y0), float(x1), float(y1)), density, amount))
    found.sort(key=lambda f: -f[2])
    return [(box, density) for box, density, _ in found]


@dataclass(frozen=True)
class _Line:
    start: int
    end: int
    box: Box


def _line_boxes(text: str, words: Sequence[OcrWord]) -> list[_Line]:
    """Words grouped into column lines: one text line, split where a wide gap starts another column."""
    out: list[list[OcrWord]] = []
    heights = [w.box[3] - w.box[1] for w in words]
    h = float(statistics.median(heights)) if heights else 1.0
    for w in sorted(words, key=lambda w: w.start):
        prev = out[-1][-1] if out else None
        if prev is not None and "\n" not in text[prev.end:w.start] and w.box[0] - prev.box[2] < 2.0 * h \
                and abs(w.box[1] - prev.box[1]) < h:
            out[-1].append(w)
        else:
            out.append([w])
    return [_Line(ws[0].start, ws[-1].end, (min(w.box[0] for w in ws), min(w.box[1] for w in ws),
                                            max(w.box[2] for w in ws), max(w.box[3] for w in ws))) for ws in out]


def _around(mark: Box, lines: Sequence[_Line], h: float, *, skip: Sequence[OcrWord]) -> list[MarkLine]:
    """The column lines above (up to 12 text heights: a block's heading), below (up to 14) and beside (same
    rows, left or right, however far) the mark, nearest first within each side."""
    x0, y0, x1, y1 = mark
    left, right = x0 - 2 * h, x1 + 2 * h
    found: list[MarkLine] = []
    for ln in lines:
        lx0, ly0, lx1, ly1 = ln.box
        inside = lx0 >= x0 - h / 2 and lx1 <= x1 + h / 2 and ly0 >= y0 - h / 2 and ly1 <= y1 + h / 2
        if inside and _all_unsure(ln, skip):
            continue  # the mark itself, misread as letters
        overlaps_column = lx1 >= left and lx0 <= right
        centre = (ly0 + ly1) / 2
        if y0 - h / 2 <= centre <= y1 + h / 2 and (lx1 < x0 + h or lx0 > x1 - h or inside):
            gap = max(0.0, x0 - lx1, lx0 - x1) / h  # beyond 14: the row's far cells (a table's party column)
            found.append(MarkLine(start=ln.start, end=ln.end, where="beside", distance=round(gap, 2)))
        elif (overlaps_column or lx1 >= x0 - 8 * h and lx0 <= right) and ly1 <= y0 + h / 2 and y0 - ly1 <= 12 * h:
            # a heading may start left of the mark (a label column before the signature column): it counts 3
            # text heights further away than one right above the mark, so a column's own heading wins
            gap = max(0.0, y0 - ly1) / h + (0.0 if overlaps_column else 3.0)
            found.append(MarkLine(start=ln.start, end=ln.end, where="above", distance=round(gap, 2)))
        elif overlaps_column and ly0 >= y1 - h / 2 and ly0 - y1 <= 14 * h:
            found.append(MarkLine(start=ln.start, end=ln.end, where="below", distance=round(max(0.0, ly0 - y1) / h, 2)))
    order = {"beside": 0, "above": 1, "below": 2}
    found.sort(key=lambda m: (order[m.where], m.distance))
    return found


def _all_unsure(line: _Line, words: Sequence[OcrWord]) -> bool:
    inside = [w for w in words if line.start <= w.start < line.end]
    return bool(inside) and all(w.conf < MIN_CONF for w in inside)
