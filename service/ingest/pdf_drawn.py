"""Where a text PDF page draws something other than text: the boxes where a handwritten mark can be.

A signature on a text-layer page is an image (a scanned signature) or a drawn path (a pen or signing
tool), never text. Each image and path object large enough in both directions is a box to look in
(service.ingest.marks); a path that is only a straight rule or an upright rectangle (a table border, a cell
shading, a signature line) is marked `plain`: it cannot be handwriting itself, so a group of boxes that
are all plain is not looked at, and a page with nothing else is not rendered for it.
"""

from __future__ import annotations

import ctypes
from dataclasses import dataclass, field

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

Box = tuple[float, float, float, float]

MAX_BOXES = 2000
_KINDS = (pdfium_c.FPDF_PAGEOBJ_IMAGE, pdfium_c.FPDF_PAGEOBJ_PATH)
_STRAIGHT = (pdfium_c.FPDF_SEGMENT_MOVETO, pdfium_c.FPDF_SEGMENT_LINETO)


@dataclass
class Drawn:
    """Boxes (left, bottom, right, top in points) of images and paths, and which are plain rules or rectangles."""

    boxes: list[Box] = field(default_factory=list)
    plain: list[bool] = field(default_factory=list)


def drawn_boxes(page: pdfium.PdfPage) -> Drawn:
    """The page's image and path objects at least 2 points in both directions (a thinner one is a rule)."""
    found = Drawn()
    annotated = pdfium_c.FPDFPage_GetAnnotCount(page.raw) > 0  # an ink annotation may sit in any box
    for obj in page.get_objects(filter=list(_KINDS), max_depth=3):
        try:
            x0, y0, x1, y1 = obj.get_bounds()
        except pdfium.PdfiumError:
            continue
        if x1 - x0 >= 2 and y1 - y0 >= 2:
            found.boxes.append((x0, y0, x1, y1))
            found.plain.append(not annotated and _plain(obj))
        if len(found.boxes) > MAX_BOXES:
            break
    return found


def _plain(obj: pdfium.PdfObject) -> bool:
    """A path of at most five straight segments, each level or upright, on the page itself and not turned:
    a rule or a rectangle."""
    if obj.type != pdfium_c.FPDF_PAGEOBJ_PATH or obj.level != 0:
        return False
    matrix = obj.get_matrix()
    if matrix.b or matrix.c:
        return False
    count = pdfium_c.FPDFPath_CountSegments(obj.raw)
    if not 2 <= count <= 5:
        return False
    x, y = ctypes.c_float(), ctypes.c_float()
    start = last = None
    for index in range(count):
        segment = pdfium_c.FPDFPath_GetPathSegment(obj.raw, index)
        kind = pdfium_c.FPDFPathSegment_GetType(segment)
        if kind not in _STRAIGHT or not pdfium_c.FPDFPathSegment_GetPoint(segment, x, y):
            return False
        point = (x.value, y.value)
        if kind == pdfium_c.FPDF_SEGMENT_MOVETO:
            start = point
        elif last is None or not _level_or_upright(last, point):
            return False
        if pdfium_c.FPDFPathSegment_GetClose(segment) and (start is None or not _level_or_upright(point, start)):
            return False
        last = point
    return True


def _level_or_upright(a: tuple[float, float], b: tuple[float, float]) -> bool:
    return abs(a[0] - b[0]) < 0.01 or abs(a[1] - b[1]) < 0.01
