"""A text page's low-resolution grey rendering for the ink measures, drawn only where they read it.

The measures read a few areas of the page (next to signature labels, around drawn objects); pdfium skips the
objects that fall outside the clip it is given. The page is drawn onto a bitmap of the full page's size, with
the very matrix page.render (FPDF_RenderPageBitmap) would use, clipped to those areas grown by a margin (an
anti-aliased edge at the clip may differ): inside the areas the pixels are the full rendering's, outside they
stay white. tests/ingest/test_ink_render.py holds it to the full rendering on every fixture page.
"""

from __future__ import annotations

import math
import struct
from collections.abc import Sequence

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

Box = tuple[float, float, float, float]
Matrix = tuple[float, float, float, float, float, float]

MARGIN = 4  # pixels around each area: pdfium's clip edge never reaches the pixels read
_FLAGS = pdfium_c.FPDF_GRAYSCALE | pdfium_c.FPDF_ANNOT  # page.render(grayscale=True)'s flags


class AreaRendering:
    """A page's rendering at a scale, as page.render(scale, grayscale=True) gives it (`size`: its bitmap's size,
    math.ceil of the page's width and height at the scale), drawn only where draw() is asked to. `image` shares
    the bitmap's pixels (valid until close()). A page whose matrix no user matrix reproduces exactly (none among
    the fixtures), a rotated page or one with forms is drawn whole at once, as page.render draws it."""

    def __init__(self, page: pdfium.PdfPage, *, size: tuple[int, int]) -> None:
        if min(size) < 1:  # a page whose crop box lies outside its media box (page.render raises it too)
            raise ValueError(f"a page of {size[0]} x {size[1]} pixels cannot be rendered")
        self._page, self._size = page, size
        self._bitmap = pdfium.PdfBitmap.new_native(*size, format=pdfium_c.FPDFBitmap_Gray)
        self._bitmap.fill_rect((255, 255, 255, 255), 0, 0, *size)
        self.image = self._bitmap.to_pil()
        self._drawn: list[tuple[int, int, int, int]] = []  # the clips drawn so far, apart
        matrix = None if page.get_rotation() or page.formenv else _user_matrix(page, size)
        self._matrix = pdfium_c.FS_MATRIX(*matrix) if matrix else None
        if self._matrix is None:
            whole = (self._bitmap, page, 0, 0, *size, 0, _FLAGS)
            pdfium_c.FPDF_RenderPageBitmap(*whole)
            if page.formenv:
                pdfium_c.FPDF_FFLDraw(page.formenv, *whole)

    def draw(self, boxes: Sequence[Box]) -> None:
        """Draw the page inside `boxes` (pixels: the columns int(x0) to int(x1), rows likewise), each grown by
        MARGIN. A pixel is never drawn over (anti-aliased edges would be blended again, darker): boxes that
        overlap each other or an earlier drawing are drawn as the box around them, whitened first."""
        if self._matrix is None:
            return
        width, height = self._size
        for clip in _disjoint([(max(0, int(x0) - MARGIN), max(0, int(y0) - MARGIN),
                                min(width, int(x1) + 1 + MARGIN), min(height, int(y1) + 1 + MARGIN))
                               for x0, y0, x1, y1 in boxes]):
            if clip[2] <= clip[0] or clip[3] <= clip[1] or any(
                    o[0] <= clip[0] and o[1] <= clip[1] and clip[2] <= o[2] and clip[3] <= o[3] for o in self._drawn):
                continue
            self._drawn = _disjoint([*self._drawn, clip])
            x0, y0, x1, y1 = self._drawn[-1]  # the clip, grown around the earlier drawings it overlaps
            self._bitmap.fill_rect((255, 255, 255, 255), x0, y0, x1 - x0, y1 - y0)
            pdfium_c.FPDF_RenderPageBitmapWithMatrix(self._bitmap, self._page, self._matrix,
                                                     pdfium_c.FS_RECTF(x0, y0, x1, y1), _FLAGS)

    def close(self) -> None:
        self._bitmap.close()


def _disjoint(clips: list[tuple[int, int, int, int]]) -> list[tuple[int, int, int, int]]:
    """`clips` (left, top, right, bottom; right and bottom excluded), those that overlap replaced by the box around
    them until none does."""
    out: list[tuple[int, int, int, int]] = []
    for clip in clips:
        while True:
            hit = next((i for i, o in enumerate(out)
                        if clip[0] < o[2] and o[0] < clip[2] and clip[1] < o[3] and o[1] < clip[3]), None)
            if hit is None:
                break
            o = out.pop(hit)
            clip = (min(clip[0], o[0]), min(clip[1], o[1]), max(clip[2], o[2]), max(clip[3], o[3]))
        out.append(clip)
    return out


def _f32(x: float) -> float:
    """`x` rounded to a C float (pdfium's matrices): one float operation is the double one, rounded."""
    return struct.unpack("f", struct.pack("f", x))[0]


def _times(m: Matrix, n: Matrix) -> Matrix:
    """CFX_Matrix's operator* (m, then n), operation by operation in float."""
    f = _f32
    a, b, c, d, e, g = m
    na, nb, nc, nd, ne, ng = n
    return (f(f(a * na) + f(b * nc)), f(f(a * nb) + f(b * nd)), f(f(c * na) + f(d * nc)), f(f(c * nb) + f(d * nd)),
            f(f(f(e * na) + f(g * nc)) + ne), f(f(f(e * nb) + f(g * nd)) + ng))


def _user_matrix(page: pdfium.PdfPage, size: tuple[int, int]) -> Matrix | None:
    """The matrix M for which FPDF_RenderPageBitmapWithMatrix's device matrix (the page's display matrix, then
    M) equals FPDF_RenderPageBitmap's for a bitmap of `size` at (0, 0), in pdfium's float arithmetic
    (CPDF_Page::GetDisplayMatrixForFloatRect); None when none of the candidates does."""
    f = _f32
    left, bottom, _, _ = (f(v) for v in page.get_bbox())
    w, h = f(page.get_width()), f(page.get_height())
    if w <= 0 or h <= 0:
        return None
    width, height = size
    to_page = (1.0, 0.0, 0.0, 1.0, f(-left), f(-bottom))  # the page matrix of an unrotated page
    wanted = _times(to_page, (f(width / w), 0.0, 0.0, f(-height / h), 0.0, float(height)))
    display = _times(to_page, (f(w / w), 0.0, 0.0, f(-h / h), 0.0, h))  # GetDisplayMatrix(): the page in points
    a, d = wanted[0], f(-wanted[3])
    base = _times(display, (a, 0.0, 0.0, d, 0.0, 0.0))[5]
    shift = f(wanted[5] - base)
    step = math.ulp(shift) * 2.0**29  # a C float's step near `shift` (a double's is 2**29 times finer)
    for candidate in (shift, *(f(shift + k * step) for k in (-1, 1, -2, 2))):
        matrix = (a, 0.0, 0.0, d, 0.0, candidate)
        if _times(display, matrix) == wanted:
            return matrix
    return None

