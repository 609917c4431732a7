"""Cost of finding handwriting (service/ingest/ink.py next to signature labels, service/ingest/marks.py anywhere).

Text pages: the ink step (character boxes + a low-resolution rendering + the measure) against extracting the
page's text. Scans: the ink step (on the OCR image and word boxes) against OCR of the same page. Both as ratios from one run.
"""

from __future__ import annotations

import logging
import statistics
import time
from pathlib import Path

import pypdfium2 as pdfium
from PIL import Image

from service.ingest import ink
from service.ingest.ocr import ocr_image
from service.ingest.pages import _ink_marks
from service.ingest.pdf_drawn import drawn_boxes

DOCS = Path(__file__).resolve().parent.parent / "fixtures" / "poe_dev" / "docs"
TEXT_PAGES = [("dev-001/Services_Completion_Letter_Corvid.pdf", 1), ("dev-002/Statement_of_Work_-_Acceptance_Cobalt_Ridge.pdf", 1),
              ("dev-034/SOW_Acceptance_and_Sign-off_Cobalt_Ridge.pdf", 1)]
SCAN_PAGES = [("dev-004/Scan_20241202.pdf", 1), ("dev-018/Scan_20240122.pdf", 1), ("dev-005/signed_page_2.png", 0),
              ("dev-006/signed_page_2.jpg", 0)]
DPI = 300


def _ms(fn, rounds: int) -> float:
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best * 1000


def first_pages(rounds: int) -> dict[str, float]:
    """The ink-first pass on the first page of each letter (no signature there): deciding from the page's
    objects whether it can hold a mark, and looking for marks where it draws, against extracting its text."""
    from service.ingest.pdf import _ink_marks as pdf_ink_marks

    text_ms, ink_ms = [], []
    for rel, _index in TEXT_PAGES:
        pdf = pdfium.PdfDocument(DOCS / rel)
        try:
            page = pdf[0]
            textpage = page.get_textpage()
            text = textpage.get_text_range().replace("\r\n", "\n")
            text_ms.append(_ms(lambda: page.get_textpage().get_text_range(), rounds))  # noqa: B023
            ink_ms.append(_ms(lambda: pdf_ink_marks(page, text, 1, [], textpage=textpage), rounds))  # noqa: B023
        finally:
            pdf.close()
    text, extra = statistics.median(text_ms), statistics.median(ink_ms)
    return {"pages": len(TEXT_PAGES), "text_ms_per_page": round(text, 2), "ink_first_ms_per_page": round(extra, 2),
            "ratio_text_plus_ink_to_text": round((text + extra) / text, 2)}


def text_pages(rounds: int) -> dict[str, float]:
    text_ms, ink_ms = [], []
    for rel, index in TEXT_PAGES:
        pdf = pdfium.PdfDocument(DOCS / rel)
        try:
            page = pdf[index]
            text = page.get_textpage().get_text_range().replace("\r\n", "\n")
            text_ms.append(_ms(lambda: page.get_textpage().get_text_range(), rounds))  # noqa: B023
            ink_ms.append(_ms(lambda: _text_layer_marks(page, text), rounds))  # noqa: B023
        finally:
            pdf.close()
    return {"pages": len(TEXT_PAGES), "text_ms_per_page": round(statistics.median(text_ms), 2),
            "ink_ms_per_page": round(statistics.median(ink_ms), 2)}


def _text_layer_marks(page: pdfium.PdfPage, text: str) -> list:
    drawn = drawn_boxes(page)
    return ink.text_layer_marks(page, text, labels=True, anywhere=drawn.boxes, plain=drawn.plain)


def _image(rel: str, index: int) -> Image.Image:
    if rel.endswith(".pdf"):
        pdf = pdfium.PdfDocument(DOCS / rel)
        try:
            return pdf[index].render(scale=DPI / 72).to_pil().convert("L")
        finally:
            pdf.close()
    with Image.open(DOCS / rel) as img:
        return img.convert("L")


def scan_pages(rounds: int) -> dict[str, object]:
    ocr_s, ink_s = [], []
    for rel, index in SCAN_PAGES:
        image = _image(rel, index)
        result = ocr_image(image, dpi=DPI, timeout=60)
        ocr_s.append(_ms(lambda: ocr_image(image, dpi=DPI, timeout=60), rounds) / 1000)  # noqa: B023
        ink_s.append(_ms(lambda: _ink_marks(image, result, 1, []), rounds) / 1000)  # noqa: B023
    ocr, extra = statistics.median(ocr_s), statistics.median(ink_s)
    return {"pages": len(SCAN_PAGES), "ocr_s_per_page": round(ocr, 3), "ink_s_per_page": round(extra, 3),
            "ink_s_per_page_each": [round(s, 3) for s in ink_s], "ratio_ocr_plus_ink_to_ocr": round((ocr + extra) / ocr, 3)}


def run(quick: bool = False) -> dict[str, object]:
    """Text-page and scan costs of the ink step, for bench/results.json."""
    logging.disable(logging.CRITICAL)
    rounds = 1 if quick else 3
    return {"text_pages": text_pages(rounds * 5), "first_pages": first_pages(rounds * 5), "scans": scan_pages(rounds)}
