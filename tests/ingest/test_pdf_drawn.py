"""Text PDF pages are rendered for the signature-ink measure only where a handwritten mark can be."""

from __future__ import annotations

import ctypes
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest

from service.ingest import ink
from service.ingest.pdf import _page_text
from service.ingest.pdf_drawn import MAX_BOXES, MAX_DEPTH, drawn_boxes
from tests.ingest.fixture_pages import fixture_pages

DOCS = Path(__file__).resolve().parents[2] / "fixtures" / "poe_dev" / "docs"
LETTER = DOCS / "dev-001" / "Services_Completion_Letter_Corvid.pdf"  # page 1: a rule; page 2: signatures
SOW = DOCS / "dev-002" / "Statement_of_Work_-_Acceptance_Cobalt_Ridge.pdf"  # page 1: tables; page 2: signatures


@pytest.fixture
def page(request):
    path, index = request.param
    pdf = pdfium.PdfDocument(path)
    try:
        yield pdf[index]
    finally:
        pdf.close()


@pytest.mark.parametrize(
    ("page", "plain"),
    [
        pytest.param((LETTER, 0), [True], id="letter-rule"),
        pytest.param((SOW, 0), [True] * 15, id="table-borders-and-shading"),
        pytest.param((LETTER, 1), [False, False], id="signature-images"),
        pytest.param((SOW, 1), [True, False, True, False], id="signature-images-in-shaded-cells"),
    ],
    indirect=["page"],
)
def test_rules_and_rectangles_are_plain(page, plain: list[bool]) -> None:
    drawn = drawn_boxes(page)
    assert drawn.plain == plain and len(drawn.boxes) == len(plain)


@pytest.mark.parametrize("page", [pytest.param((LETTER, 0), id="rule"), pytest.param((SOW, 0), id="tables")],
                         indirect=True)
def test_page_with_only_rules_and_rectangles_is_not_rendered(page, monkeypatch: pytest.MonkeyPatch) -> None:
    textpage, text = _page_text(page, 1, [])
    textpage.close()
    drawn = drawn_boxes(page)
    monkeypatch.setattr(pdfium.PdfPage, "render", lambda *a, **k: pytest.fail("rendered"))
    assert ink.text_layer_marks(page, text, labels=False, anywhere=drawn.boxes, plain=drawn.plain) == []


@pytest.mark.parametrize("page", [pytest.param((LETTER, 1), id="letter"), pytest.param((SOW, 1), id="sow")],
                         indirect=True)
def test_signed_page_is_measured_as_before(page) -> None:
    """The plain flags only skip groups of rules and rectangles: the signed block reads the same with them."""
    textpage, text = _page_text(page, 2, [])
    drawn = drawn_boxes(page)
    try:
        flagged = ink.text_layer_marks(page, text, labels=True, anywhere=drawn.boxes, plain=drawn.plain,
                                       textpage=textpage)
    finally:
        textpage.close()
    unflagged = ink.text_layer_marks(page, text, labels=True, anywhere=drawn.boxes)
    assert flagged == unflagged
    assert any(m.anchor == "mark" and m.inked for m in flagged)


def _plain_by_pypdfium2(obj: pdfium.PdfObject) -> bool:
    """A rule or an upright rectangle, read through pypdfium2's typed functions."""
    matrix = pdfium_c.FS_MATRIX()
    if not pdfium_c.FPDFPageObj_GetMatrix(obj.raw, matrix) or matrix.b or matrix.c:
        return False
    count = pdfium_c.FPDFPath_CountSegments(obj.raw)
    if not 2 <= count <= 5:
        return False
    x, y = ctypes.c_float(), ctypes.c_float()
    start = last = None
    for index in range(count):
        segment = pdfium_c.FPDFPath_GetPathSegment(obj.raw, index)
        kind = pdfium_c.FPDFPathSegment_GetType(segment)
        if kind not in (pdfium_c.FPDF_SEGMENT_MOVETO, pdfium_c.FPDF_SEGMENT_LINETO) \
                or not pdfium_c.FPDFPathSegment_GetPoint(segment, x, y):
            return False
        point = (x.value, y.value)
        straight = last is not None and (abs(last[0] - point[0]) < 0.01 or abs(last[1] - point[1]) < 0.01)
        if kind == pdfium_c.FPDF_SEGMENT_MOVETO:
            start = point
        elif not straight:
            return False
        if pdfium_c.FPDFPathSegment_GetClose(segment) and (
                start is None or not (abs(start[0] - point[0]) < 0.01 or abs(start[1] - point[1]) < 0.01)):
            return False
        last = point
    return True


def _drawn_by_pypdfium2(page: pdfium.PdfPage) -> tuple[list, list]:
    annotated = pdfium_c.FPDFPage_GetAnnotCount(page.raw) > 0
    boxes, plain = [], []
    for obj in page.get_objects(filter=None, max_depth=MAX_DEPTH):
        if obj.type not in (pdfium_c.FPDF_PAGEOBJ_IMAGE, pdfium_c.FPDF_PAGEOBJ_PATH):
            continue
        left, bottom, right, top = obj.get_bounds()
        if right - left >= 2 and top - bottom >= 2:
            boxes.append((left, bottom, right, top))
            plain.append(not annotated and obj.level == 0 and obj.type == pdfium_c.FPDF_PAGEOBJ_PATH
                         and _plain_by_pypdfium2(obj))
        if len(boxes) > MAX_BOXES:
            break
    return boxes, plain


def test_drawn_boxes_of_every_fixture_page_are_pypdfium2s():
    """drawn_boxes calls pdfium without pypdfium2's argument types: the same boxes and flags as pypdfium2's own
    object walk on every page of every fixture PDF (all corpora, the fuzzed files too)."""
    pages = plain = 0
    for path, index, page in fixture_pages():
        drawn = drawn_boxes(page)
        assert (drawn.boxes, drawn.plain) == _drawn_by_pypdfium2(page), (path, index)
        pages += 1
        plain += sum(drawn.plain)
    assert pages > 600 and plain > 1000
