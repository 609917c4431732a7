"""Where a text PDF page draws something other than text: the boxes where a handwritten mark can be.

A signature on a text-layer page is an image (a scanned signature) or a drawn path (a pen or signing
tool), never text. Each image and path object large enough in both directions is a box to look in
(service.ingest.marks); a path that is only a straight rule or an upright rectangle (a table border, a cell
shading, a signature line) is marked `plain`: it cannot be handwriting itself, so a group of boxes that
are all plain is not looked at, and a page with nothing else is not rendered for it.
"""

from __future__ import annotations

import ctypes
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

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
    _walk(ctypes.cast(page.raw, ctypes.c_void_p), _untyped("FPDFPage_CountObjects"), _untyped("FPDFPage_GetObject"),
          0, found, annotated=annotated)
    return found


class _Handle(ctypes.c_void_p):
    """A pointer pdfium returns, kept as a ctypes object (a c_void_p subclass is not turned into an int) so it can
    be passed back as it is."""


_RETURNS_HANDLE = frozenset({"FPDFPage_GetObject", "FPDFFormObj_GetObject", "FPDFPath_GetPathSegment"})


@cache
def _untyped(name: str) -> Callable[..., Any]:
    """pdfium's function `name` without pypdfium2's argument types: ctypes converts each typed pointer argument per
    call, most of the cost of a call. Handles go in as _Handle (or c_void_p), outputs as byrefs of c_float or
    FS_MATRIX, as fpdf_edit.h declares them; a handle comes back as a _Handle, anything else as an int."""
    restype = _Handle if name in _RETURNS_HANDLE else ctypes.c_int
    return ctypes.CFUNCTYPE(restype)(ctypes.cast(getattr(pdfium_c, name), ctypes.c_void_p).value)


def _walk(parent, count_objects, get_object, level: int, found: Drawn, *, annotated: bool) -> bool:
    """Collect the boxes of `parent`'s objects into `found`; True once MAX_BOXES is passed (stop)."""
    get_type, get_bounds = _untyped("FPDFPageObj_GetType"), _untyped("FPDFPageObj_GetBounds")
    count = count_objects(parent)
    if count < 0:
        raise pdfium.PdfiumError("Failed to get number of pageobjects.")
    left, bottom, right, top = ctypes.c_float(), ctypes.c_float(), ctypes.c_float(), ctypes.c_float()
    bounds = (ctypes.byref(left), ctypes.byref(bottom), ctypes.byref(right), ctypes.byref(top))
    for index in range(count):
        obj = get_object(parent, index)
        if not obj.value:
            raise pdfium.PdfiumError("Failed to get pageobject.")
        kind = get_type(obj)
        if kind in _KINDS:
            if get_bounds(obj, *bounds) and right.value - left.value >= 2 and top.value - bottom.value >= 2:
                found.boxes.append((left.value, bottom.value, right.value, top.value))
                found.plain.append(not annotated and level == 0 and kind == pdfium_c.FPDF_PAGEOBJ_PATH
                                   and _plain(obj))
            if len(found.boxes) > MAX_BOXES:
                return True
        elif kind == pdfium_c.FPDF_PAGEOBJ_FORM and level < MAX_DEPTH - 1 and _walk(
                obj, _untyped("FPDFFormObj_CountObjects"), _untyped("FPDFFormObj_GetObject"), level + 1, found,
                annotated=annotated):
            return True
    return False


def _plain(path) -> bool:
    """A path of at most five straight segments, each level or upright, and not turned: a rule or a rectangle."""
    matrix = pdfium_c.FS_MATRIX()
    if not _untyped("FPDFPageObj_GetMatrix")(path, ctypes.byref(matrix)) or matrix.b or matrix.c:
        return False
    count = _untyped("FPDFPath_CountSegments")(path)
    if not 2 <= count <= 5:
        return False
    x, y = ctypes.c_float(), ctypes.c_float()
    point_refs = (ctypes.byref(x), ctypes.byref(y))
    get_segment, segment_type = _untyped("FPDFPath_GetPathSegment"), _untyped("FPDFPathSegment_GetType")
    segment_point, segment_close = _untyped("FPDFPathSegment_GetPoint"), _untyped("FPDFPathSegment_GetClose")
    start = last = None
    for index in range(count):
        segment = get_segment(path, index)
        kind = segment_type(segment)
        if kind not in _STRAIGHT or not segment_point(segment, *point_refs):
            return False
        point = (x.value, y.value)
        if kind == pdfium_c.FPDF_SEGMENT_MOVETO:
            start = point
        elif last is None or not _level_or_upright(last, point):
            return False
        if segment_close(segment) and (start is None or not _level_or_upright(point, start)):
            return False
        last = point
    return True


def _level_or_upright(a: tuple[float, float], b: tuple[float, float]) -> bool:
    return abs(a[0] - b[0]) < 0.01 or abs(a[1] - b[1]) < 0.01
