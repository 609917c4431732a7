"""Pages rendered for OCR have the pixels of a colour rendering converted to grey, whichever way they are drawn."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pypdfium2 as pdfium
import pytest

from service.ingest import ocr_render

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"


@pytest.mark.parametrize(
    ("path", "index", "grey"),
    [
        pytest.param("poe_dev/docs/dev-004/Scan_20241202.pdf", 0, True, id="grey-jpeg-scan"),
        pytest.param("corpus/pdf_scanned/ocrmypdf__ccitt.pdf", 0, True, id="bilevel-scan"),
        pytest.param("corpus/pdf_scanned/ocrmypdf__multipage.pdf", 0, False, id="colour-scan"),
        pytest.param("corpus/pdf_scanned/ocrmypdf__3small.pdf", 2, False, id="indexed-colour-scan"),
        pytest.param("corpus/pdf_text/sf__pdflatex-forms.pdf", 0, False, id="text-page"),
    ],
)
def test_page_is_rendered_as_pillow_would_convert_it(path: str, index: int, grey: bool) -> None:
    pdf = pdfium.PdfDocument(FIXTURES / path)
    try:
        page = pdf[index]
        assert ocr_render._grey_images_only(page) is grey
        image = ocr_render.render_grey(page, scale=150 / 72)
        expected = page.render(scale=150 / 72).to_pil().convert("L")
    finally:
        pdf.close()
    assert image.mode == "L" and image.size == expected.size
    assert np.array_equal(np.asarray(image), np.asarray(expected))
