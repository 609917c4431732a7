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
MAX_DEPTH = 3  # levels of form XObjects looked into (the page is level 0)
_KINDS = (pdfium_c.FPDF_PAGEOBJ_IMAGE, pdfium_c.FPDF_PAGEOBJ_PATH)
_STRAIGHT = (pdfium_c.FPDF_SEGMENT_MOVETO, pdfium_c.FPDF_SEGMENT_LINETO)


@dataclass
class Drawn:
    """Boxes (left, bottom, right, top in points) of images and paths, and which are plain rules or rectangles."""

    boxes: list[Box] = field(default_factory=list)
    plain: list[bool] = field(default_factory=list)


def drawn_boxes(page: pdfium.PdfPage) -> Drawn:
    """The page's image and path objects at least 2 points in both directions (a thinner one is a rule), in
    content order, forms' objects after the form. Read through pdfium's C API: a page holds thousands of text
    objects that need no Python object each."""
    found = Drawn()
    annotated = pdfium_c.FPDFPage_GetAnnotCount(page.raw) > 0  # an ink annotation may sit in any box
    _walk(page.raw, pdfium_c.FPDFPage_CountObjects, pdfium_c.FPDFPage_GetObject, 0, found, annotated=annotated)
    return found


def _walk(parent, count_objects, get_object, level: int, found: Drawn, *, annotated: bool) -> bool:
    """Collect the boxes of `parent`'s objects into `found`; True once MAX_BOXES is passed (stop)."""
    count = count_objects(parent)
    if count < 0:
        raise pdfium.PdfiumError("Failed to get number of pageobjects.")
    left, bottom, right, top = ctypes.c_float(), ctypes.c_float(), ctypes.c_float(), ctypes.c_float()
    for index in range(count):
        obj = get_object(parent, index)
        if not obj:
            raise pdfium.PdfiumError("Failed to get pageobject.")
        kind = pdfium_c.FPDFPageObj_GetType(obj)
        if kind in _KINDS:
            if pdfium_c.FPDFPageObj_GetBounds(obj, left, bottom, right, top) \
                    and right.value - left.value >= 2 and top.value - bottom.value >= 2:
                found.boxes.append((left.value, bottom.value, right.value, top.value))
                found.plain.append(not annotated and level == 0 and kind == pdfium_c.FPDF_PAGEOBJ_PATH
                                   and _plain(obj))
            if len(found.boxes) > MAX_BOXES:
                return True
        elif kind == pdfium_c.FPDF_PAGEOBJ_FORM and level < MAX_DEPTH - 1 and _walk(
                obj, pdfium_c.FPDFFormObj_CountObjects, pdfium_c.FPDFFormObj_GetObject, level + 1, found,
                annotated=annotated):
            return True
    return False


def _plain(path) -> bool:
    """A path of at most five straight segments, each level or upright, and not turned: a rule or a rectangle."""
    matrix = pdfium_c.FS_MATRIX()
    if not pdfium_c.FPDFPageObj_GetMatrix(path, matrix) or matrix.b or matrix.c:
        return False
    count = pdfium_c.FPDFPath_CountSegments(path)
    if not 2 <= count <= 5:
        return False
    x, y = ctypes.c_float(), ctypes.c_float()
    start = last = None
    for index in range(count):
        segment = pdfium_c.FPDFPath_GetPathSegment(path, index)
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
