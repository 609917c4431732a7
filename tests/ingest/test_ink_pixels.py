"""Ruled-line pixels: a pixel is in a long run exactly when a run of set pixels that long holds it; and the fast
pixel work of the ink measures gives what its plain reference gives, on real scanned pages."""
from __future__ import annotations

from functools import cache
from pathlib import Path

import numpy as np
import pypdfium2 as pdfium
import pytest
from PIL import Image
from scipy import ndimage

from service.ingest import marks
from service.ingest.ink_pixels import grow, long_runs, pixels, ruled

DOCS = Path(__file__).resolve().parents[2] / "fixtures" / "poe_dev" / "docs"
SCANS = [("dev-004/Scan_20241202.pdf", 0), ("dev-004/Scan_20241202.pdf", 1), ("dev-018/Scan_20240122.pdf", 1)]


def runs_by_hand(mask: np.ndarray, length: int) -> np.ndarray:
    out = np.zeros_like(mask)
    for r, row in enumerate(mask):
        c = 0
        while c < len(row):
            if row[c]:
                end = c
                while end < len(row) and row[end]:
                    end += 1
                if end - c >= length:
                    out[r, c:end] = True
                c = end
            else:
                c += 1
    return out


@pytest.mark.parametrize("seed", range(5))
def test_long_runs_are_the_runs_at_least_that_long(seed):
    rng = np.random.default_rng(seed)
    for _ in range(200):
        mask = rng.random((int(rng.integers(0, 12)), int(rng.integers(0, 30)))) < rng.random()
        if rng.random() < 0.5:
            mask = np.ascontiguousarray(mask.T).T  # a column view, as ruled() passes one
        length = int(rng.integers(1, 12))
        found = long_runs(mask, length)
        assert found.dtype == bool and found.shape == mask.shape
        assert (found == runs_by_hand(mask, length)).all()
        assert (long_runs(mask, length, axis=0) == runs_by_hand(mask.T, length).T).all()


def test_a_run_touching_both_edges_and_rows_apart():
    mask = np.array([[1, 1, 1, 0, 1], [1, 1, 0, 1, 1], [1, 1, 1, 1, 1]], dtype=bool)
    assert long_runs(mask, 3).tolist() == [[True, True, True, False, False], [False] * 5, [True] * 5]


@cache
def _scan(rel: str, index: int) -> Image.Image:
    pdf = pdfium.PdfDocument(DOCS / rel)
    try:
        return pdf[index].render(scale=300 / 72, grayscale=True).to_pil().convert("L")
    finally:
        pdf.close()


def _scan_ink(rel: str, index: int) -> np.ndarray:
    """Ink of a real scanned page as find_marks sees it (shrunk by 4, darker than its paper), rules kept."""
    return marks._ink(marks._darkest(_scan(rel, index), 4), 7.0, marks.SHAPE)


def darkest_by_hand(px: np.ndarray, factor: int) -> np.ndarray:
    rows, cols = px.shape[0] // factor, px.shape[1] // factor
    return px[:rows * factor, :cols * factor].reshape(rows, factor, cols, factor).min(axis=(1, 3))


def grow_by_filter(mask: np.ndarray, rows: int, cols: int) -> np.ndarray:
    out = mask.astype(np.uint8)
    for axis, k in ((0, rows), (1, cols)):
        if k > 0 and out.shape[axis]:
            out = ndimage.maximum_filter1d(out, 2 * k + 1, axis=axis, mode="constant", cval=0)
    return out.astype(bool)


def strokes_by_hand(ink: np.ndarray, h: float, size: tuple[int, int]) -> list:
    """marks._strokes as a loop over every group's own pixels."""
    grown = max(1, int(h / 2))
    labels, _ = ndimage.label(grow_by_filter(ink, grown // 2, grown))
    shape, found = marks.SHAPE, []
    for index, sl in enumerate(ndimage.find_objects(labels), start=1):
        own = ink[sl] & (labels[sl] == index)
        amount = int(own.sum())
        if amount < shape.min_ink * h * h:
            continue
        ys, xs = np.nonzero(own)
        x0, x1 = xs.min() + sl[1].start, xs.max() + sl[1].start + 1
        y0, y1 = ys.min() + sl[0].start, ys.max() + sl[0].start + 1
        bw, bh = x1 - x0, y1 - y0
        if bw < shape.min_width * h or bh < shape.min_height_scan * h or bh > shape.max_height * h \
                or bw > shape.max_width_share * size[0] or (y0 + y1) / 2 < shape.letterhead * size[1]:
            continue
        if amount / float(bw * bh) <= shape.max_density:
            found.append(((float(x0), float(y0), float(x1), float(y1)), amount / float(bw * bh), amount))
    found.sort(key=lambda f: -f[2])
    return [(box, density) for box, density, _ in found]


@pytest.mark.parametrize(("rel", "index"), SCANS)
def test_page_pixels_and_darkest_shrink_are_the_references(rel: str, index: int) -> None:
    page = _scan(rel, index)
    px = pixels(page)
    assert np.array_equal(px, np.asarray(page))
    assert np.array_equal(pixels(page.crop((3, 5, 1000, 700))), np.asarray(page.crop((3, 5, 1000, 700))))
    for factor in (2, 3, 4, 5):
        assert np.array_equal(np.asarray(marks._darkest(page, factor)), darkest_by_hand(px, factor))


@pytest.mark.parametrize(("rel", "index"), SCANS)
def test_grow_and_runs_on_scan_ink_are_the_references(rel: str, index: int) -> None:
    ink = _scan_ink(rel, index)
    assert 0.01 < ink.mean() < 0.5  # text, rules and the signature, not a blank page
    for rows, cols in ((0, 2), (1, 3), (3, 1), (5, 9), (2, 0)):
        assert np.array_equal(grow(ink, rows, cols), grow_by_filter(ink, rows, cols))
    sparse = ink & (np.arange(ink.shape[1]) % 7 == 0)  # whole empty columns and rows, as blanked ink has
    assert np.array_equal(grow(sparse, 1, 3), grow_by_filter(sparse, 1, 3))
    band = ink[:120]
    for length in (3, 21, 44):
        assert np.array_equal(long_runs(band, length), runs_by_hand(band, length))
        assert np.array_equal(long_runs(band, length, axis=0), runs_by_hand(band.T, length).T)
    assert ruled(ink, 21, gap=2).any()  # the page's ruled lines are found


@pytest.mark.parametrize(("rel", "index"), SCANS)
def test_stroke_groups_on_scan_ink_are_the_reference(rel: str, index: int) -> None:
    ink = _scan_ink(rel, index)
    ink &= ~ruled(ink, 21, gap=2)
    size = (ink.shape[1], ink.shape[0])
    found = marks._strokes(ink, 7.0, size, scanned=True, shape=marks.SHAPE)
    assert found and found == strokes_by_hand(ink, 7.0, size)


@pytest.mark.parametrize(("rel", "index"), SCANS)
def test_stroke_groups_of_ink_in_part_of_an_area_are_the_reference(rel: str, index: int) -> None:
    """_strokes labels only the ink's bounding box: the same groups and boxes as labelling the whole area, for ink
    kept in windows away from the area's edges and touching them (as blanked text-layer areas leave it)."""
    ink = _scan_ink(rel, index)
    ink &= ~ruled(ink, 21, gap=2)
    rows, cols = ink.shape
    size = (cols, rows)
    found_any = False
    for y0, y1, x0, x1 in ((rows // 2, rows, 0, cols), (0, rows, cols // 2, cols), (rows // 3, 2 * rows // 3,
                           cols // 4, 3 * cols // 4), (0, rows // 2, 0, cols // 2), (rows - 40, rows, 5, 60)):
        part = np.zeros_like(ink)
        part[y0:y1, x0:x1] = ink[y0:y1, x0:x1]
        found = marks._strokes(part, 7.0, size, scanned=True, shape=marks.SHAPE)
        assert found == strokes_by_hand(part, 7.0, size)
        found_any = found_any or bool(found)
    assert found_any
