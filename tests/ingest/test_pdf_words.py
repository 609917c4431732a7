"""Word boxes of a text-layer PDF page (service.ingest.ink.PageWords): each word's box is the union of its
characters' boxes as pypdfium2 reports them, with offsets into the text as pdf.py cleans it."""

from __future__ import annotations

import re
from pathlib import Path

import pypdfium2 as pdfium
import pytest

from service.ingest.ink import PageWords
from tests.ingest.fixture_pages import fixture_pages

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


def _by_character(textpage: pdfium.PdfTextPage) -> list[tuple[int, int, float, float, float, float]]:
    """The words read character by character: a NUL and the CR of a CR LF have no offset, other white space
    ends a word, a character's box joins its word's when it has a size."""
    raw = textpage.get_text_range()
    words, pos, start, box = [], 0, -1, None
    for i, ch in enumerate(raw):
        if ch == "\x00" or (ch == "\r" and raw[i + 1:i + 2] == "\n"):
            continue
        if ch.isspace():
            if box:
                words.append((start, pos, *box))
            start, box = -1, None
        else:
            x0, y0, x1, y1 = textpage.get_charbox(i)
            if x1 > x0 and y1 > y0:
                box = (x0, y0, x1, y1) if box is None else \
                    (min(box[0], x0), min(box[1], y0), max(box[2], x1), max(box[3], y1))
            if start < 0:
                start = pos
        pos += 1
    if box:
        words.append((start, pos, *box))
    return words


def test_word_boxes_of_every_fixture_page_are_read_character_by_character():
    """Every text page of every fixture PDF (all corpora, the fuzzed files too): the same words, offsets and boxes
    as the plain loop over the characters, CR LF and NUL included."""
    pages = crlf = 0
    for path, index, page in fixture_pages():
        try:
            textpage = page.get_textpage()
        except pdfium.PdfiumError:
            continue
        try:
            raw = textpage.get_text_range()
            if len(raw) != textpage.count_chars():
                continue
            expected = [(s, e, x0, y1, x1, y0) for s, e, x0, y0, x1, y1 in _by_character(textpage)]
            found = PageWords(textpage).at(scale=1.0, origin=(0.0, 0.0))
            assert [(w.start, w.end, *w.box) for w in found] == \
                [(s, e, x0, -top, x1, -bottom) for s, e, x0, top, x1, bottom in expected], (path, index)
            pages += 1
            crlf += "\r\n" in raw
        finally:
            textpage.close()
    assert pages > 500 and crlf > 100
