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
from functools import lru_cache

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
    api = _api()
    _walk(ctypes.cast(page.raw, ctypes.c_void_p), api.count_objects, api.get_object, 0, found, annotated=annotated)
    return found


class _Handle(ctypes.c_void_p):
    """A pointer pdfium returns, kept as a ctypes object (a c_void_p subclass is not turned into an int) so it can
    be passed back as it is."""


@dataclass(frozen=True)
class _Api:
    """The pdfium functions read here, called without pypdfium2's argument types: ctypes converts each typed pointer
    argument per call, most of the cost of a call. Handles are _Handle (or c_void_p), outputs byrefs of c_float
    and FS_MATRIX; each signature as in fpdf_edit.h."""

    count_objects: Callable[..., int]
    get_object: Callable[..., _Handle]
    form_count_objects: Callable[..., int]
    form_get_object: Callable[..., _Handle]
    get_type: Callable[..., int]
    get_bounds: Callable[..., int]
    get_matrix: Callable[..., int]
    count_segments: Callable[..., int]
    get_segment: Callable[..., _Handle]
    segment_type: Callable[..., int]
    segment_point: Callable[..., int]
    segment_close: Callable[..., int]


@lru_cache(maxsize=1)
def _api() -> _Api:
    def untyped(function, restype=ctypes.c_int):
        return ctypes.CFUNCTYPE(restype)(ctypes.cast(function, ctypes.c_void_p).value)

    return _Api(untyped(pdfium_c.FPDFPage_CountObjects), untyped(pdfium_c.FPDFPage_GetObject, _Handle),
                untyped(pdfium_c.FPDFFormObj_CountObjects), untyped(pdfium_c.FPDFFormObj_GetObject, _Handle),
                untyped(pdfium_c.FPDFPageObj_GetType), untyped(pdfium_c.FPDFPageObj_GetBounds),
                untyped(pdfium_c.FPDFPageObj_GetMatrix), untyped(pdfium_c.FPDFPath_CountSegments),
                untyped(pdfium_c.FPDFPath_GetPathSegment, _Handle), untyped(pdfium_c.FPDFPathSegment_GetType),
                untyped(pdfium_c.FPDFPathSegment_GetPoint), untyped(pdfium_c.FPDFPathSegment_GetClose))


def _walk(parent, count_objects, get_object, level: int, found: Drawn, *, annotated: bool) -> bool:
    """Collect the boxes of `parent`'s objects into `found`; True once MAX_BOXES is passed (stop)."""
    api = _api()
    count = count_objects(parent)
    if count < 0:
        raise pdfium.PdfiumError("Failed to get number of pageobjects.")
    left, bottom, right, top = ctypes.c_float(), ctypes.c_float(), ctypes.c_float(), ctypes.c_float()
    bounds = (ctypes.byref(left), ctypes.byref(bottom), ctypes.byref(right), ctypes.byref(top))
    for index in range(count):
        obj = get_object(parent, index)
        if not obj.value:
            raise pdfium.PdfiumError("Failed to get pageobject.")
        kind = api.get_type(obj)
        if kind in _KINDS:
            if api.get_bounds(obj, *bounds) and right.value - left.value >= 2 and top.value - bottom.value >= 2:
                found.boxes.append((left.value, bottom.value, right.value, top.value))
                found.plain.append(not annotated and level == 0 and kind == pdfium_c.FPDF_PAGEOBJ_PATH
                                   and _plain(obj))
            if len(found.boxes) > MAX_BOXES:
                return True
        elif kind == pdfium_c.FPDF_PAGEOBJ_FORM and level < MAX_DEPTH - 1 and _walk(
                obj, api.form_count_objects, api.form_get_object, level + 1, found, annotated=annotated):
            return True
    return False


def _plain(path) -> bool:
    """A path of at most five straight segments, each level or upright, and not turned: a rule or a rectangle."""
    api = _api()
    matrix = pdfium_c.FS_MATRIX()
    if not api.get_matrix(path, ctypes.byref(matrix)) or matrix.b or matrix.c:
        return False
    count = api.count_segments(path)
    if not 2 <= count <= 5:
        return False
    x, y = ctypes.c_float(), ctypes.c_float()
    point_refs = (ctypes.byref(x), ctypes.byref(y))
    start = last = None
    for index in range(count):
        segment = api.get_segment(path, index)
        kind = api.segment_type(segment)
        if kind not in _STRAIGHT or not api.segment_point(segment, *point_refs):
            return False
        point = (x.value, y.value)
        if kind == pdfium_c.FPDF_SEGMENT_MOVETO:
            start = point
        elif last is None or not _level_or_upright(last, point):
            return False
        if api.segment_close(segment) and (start is None or not _level_or_upright(point, start)):
            return False
        last = point
    return True


def _level_or_upright(a: tuple[float, float], b: tuple[float, float]) -> bool:
    return abs(a[0] - b[0]) < 0.01 or abs(a[1] - b[1]) < 0.01
