"""Word boxes of a text-layer PDF page (service.ingest.ink.PageWords): each word's box is the union of its
characters' boxes as pypdfium2 reports them, with offsets into the text as pdf.py cleans it."""

from __future__ import annotations

import re
from pathlib import Path

import pypdfium2 as pdfium
import pytest

from service.ingest.ink import PageWords

DEV = Path(__file__).resolve().parents[2] / "fixtures" / "poe_dev" / "docs"


def _reference(textpage: pdfium.PdfTextPage) -> list[tuple[int, int, float, float, float, float]]:
    """(start, end, left, bottom, right, top) of each word, from pypdfium2's own get_charbox."""
    raw = textpage.get_text_range()
    assert "\x00" not in raw
    words = []
    for m in re.finditer(r"\S+", raw.replace("\r\n", " \n")):
        boxes = [b for b in (textpage.get_charbox(i) for i in range(m.start(), m.end())) if b[2] > b[0] and b[3] > b[1]]
        if not boxes:
            continue
        shift = raw.count("\r\n", 0, m.start())  # offsets in the text once CR LF became LF
        words.append((m.start() - shift, m.end() - shift, min(b[0] for b in boxes), min(b[1] for b in boxes),
                      max(b[2] for b in boxes), max(b[3] for b in boxes)))
    return words


@pytest.mark.parametrize("case", ["dev-001", "dev-002", "dev-013"])
def test_word_boxes_are_the_union_of_their_characters_boxes(case: str):
    pdf = pdfium.PdfDocument(next((DEV / case).glob("*.pdf")))
    try:
        for index in range(len(pdf)):
            page = pdf[index]
            textpage = page.get_textpage()
            try:
                expected = _reference(textpage)
                assert len(expected) > 30
                found = PageWords(textpage).at(scale=2.0, origin=(0.0, 100.0))
                assert [(w.start, w.end) for w in found] == [(s, e) for s, e, *_ in expected]
                assert [w.box for w in found] == [(2.0 * x0, 2.0 * (100.0 - y1), 2.0 * x1, 2.0 * (100.0 - y0))
                                                  for _, _, x0, y0, x1, y1 in expected]
            finally:
                textpage.close()
                page.close()
    finally:
        pdf.close()
