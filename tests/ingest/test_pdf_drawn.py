"""Text PDF pages are rendered for the signature-ink measure only where a handwritten mark can be."""

from __future__ import annotations

from pathlib import Path

import pypdfium2 as pdfium
import pytest

from service.ingest import ink
from service.ingest.pdf import _page_text
from service.ingest.pdf_drawn import drawn_boxes

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
