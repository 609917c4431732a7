"""A text page is rendered for the ink measures only where they read it (service.ingest.ink_render): drawn whole,
the rendering is page.render's bitmap, and the pixels the measures read are those of the whole rendering, on every
fixture page."""

from __future__ import annotations

import ctypes
import math
from pathlib import Path

import numpy as np
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest

from service.ingest import ink
from service.ingest.ink_render import AreaRendering
from service.ingest.pdf_drawn import drawn_boxes
from tests.ingest.fixture_pages import fixture_pages

DEV = Path(__file__).resolve().parents[2] / "fixtures" / "poe_dev" / "docs"


def _size(page, scale: float) -> tuple[int, int]:
    return math.ceil(page.get_width() * scale), math.ceil(page.get_height() * scale)


_DRAW, _CLOSE = AreaRendering.draw, AreaRendering.close  # as they are before a test replaces them


def _whole(page, size: tuple[int, int]) -> np.ndarray:
    rendering = AreaRendering(page, size=size)
    try:
        _DRAW(rendering, [(0, 0, size[0] - 1, size[1] - 1)])
        return np.array(rendering.image)
    finally:
        _CLOSE(rendering)


def test_drawn_whole_it_is_page_renders_bitmap():
    pages = 0
    for path, index, page in fixture_pages():
        if page.get_rotation():
            continue
        scale = ink.render_scale(page)
        bitmap = page.render(scale=scale, grayscale=True)
        try:
            expected = np.array(bitmap.to_numpy())
        finally:
            bitmap.close()
        assert np.array_equal(_whole(page, _size(page, scale)), expected), f"{path.name} page {index + 1}"
        pages += 1
    assert pages > 500


def test_the_pixels_the_measures_read_are_the_whole_renderings(monkeypatch: pytest.MonkeyPatch):
    drawn: list[tuple[float, float, float, float]] = []
    checked = {"areas": 0, "pages": 0}

    def recorded(self: AreaRendering, boxes) -> None:
        drawn.extend(boxes)
        _DRAW(self, boxes)

    def compared(self: AreaRendering) -> None:
        whole, part = _whole(self._page, self._size), np.array(self.image)
        for x0, y0, x1, y1 in drawn:
            area = (slice(max(0, int(y0)), int(y1) + 1), slice(max(0, int(x0)), int(x1) + 1))
            assert np.array_equal(part[area], whole[area]), (x0, y0, x1, y1)
        checked["areas"] += len(drawn)
        checked["pages"] += 1
        drawn.clear()
        _CLOSE(self)

    monkeypatch.setattr(AreaRendering, "draw", recorded)
    monkeypatch.setattr(AreaRendering, "close", compared)
    for _path, _index, page in fixture_pages():
        textpage = page.get_textpage()
        try:
            text = textpage.get_text_range().replace("\r\n", "\n").replace("\x00", "")
            drawn_objects = drawn_boxes(page)
            ink.text_layer_marks(page, text, labels=True, anywhere=drawn_objects.boxes, plain=drawn_objects.plain,
                                 textpage=textpage)
        finally:
            textpage.close()
    assert checked["pages"] > 50 and checked["areas"] > 100, checked


@pytest.mark.parametrize("seed", range(3))
def test_boxes_drawn_one_after_another_over_each_other_keep_the_whole_renderings_pixels(seed: int):
    rng = np.random.default_rng(seed)
    pdf = pdfium.PdfDocument(DEV / "dev-001" / "Services_Completion_Letter_Corvid.pdf")
    try:
        for index in range(len(pdf)):
            page = pdf[index]
            size = _size(page, ink.render_scale(page))
            whole, rendering = _whole(page, size), AreaRendering(page, size=size)
            try:
                boxes = []
                for _ in range(12):
                    x0, y0 = int(rng.integers(0, size[0])), int(rng.integers(0, size[1]))
                    box = (x0, y0, min(size[0] - 1, x0 + int(rng.integers(0, 300))),
                           min(size[1] - 1, y0 + int(rng.integers(0, 200))))
                    boxes.append(box)
                    rendering.draw([box])
                part = np.array(rendering.image)
            finally:
                rendering.close()
            for x0, y0, x1, y1 in boxes:
                assert np.array_equal(part[y0:y1 + 1, x0:x1 + 1], whole[y0:y1 + 1, x0:x1 + 1]), (index, x0, y0, x1, y1)
    finally:
        pdf.close()


def test_a_page_without_pixels_is_not_measured_as_page_render_left_it():
    """A crop box outside the media box leaves a page of 0 x 0 pixels: page.render raised ValueError there, which
    ink.guarded turns into the page's warning; so does the rendering by areas."""
    pdf = pdfium.PdfDocument.new()
    try:
        page = pdf.new_page(612, 792)
        text_object = pdfium_c.FPDFPageObj_NewTextObj(pdf, b"Helvetica", 12.0)
        utf16 = "Signature: ______".encode("utf-16-le") + b"\0\0"
        pdfium_c.FPDFText_SetText(text_object, ctypes.cast(ctypes.c_char_p(utf16), ctypes.POINTER(pdfium_c.FPDF_WCHAR)))
        pdfium_c.FPDFPageObj_Transform(text_object, 1, 0, 0, 1, 72, 100)
        pdfium_c.FPDFPage_InsertObject(page, text_object)
        pdfium_c.FPDFPage_GenerateContent(page)
        page.set_cropbox(700, 800, 900, 1000)
        textpage = page.get_textpage()
        text = textpage.get_text_range()
        warnings: list[str] = []
        assert ink.guarded(lambda: ink.text_layer_marks(page, text, labels=True, textpage=textpage), page=1,
                           warnings=warnings) is None
        assert warnings == ["page 1: signature areas could not be measured (ValueError)"]
        textpage.close()
    finally:
        pdf.close()
