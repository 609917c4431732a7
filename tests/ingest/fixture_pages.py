"""Every page of every fixture PDF, for tests that hold a fast path to its reference on all of them."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pypdfium2 as pdfium

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"


def fixture_pages() -> Iterator[tuple[Path, int, pdfium.PdfPage]]:
    """(file, page index, page) of each page pdfium can load in the fixture PDFs (all corpora, the fuzzed files
    too); each page is closed once the caller moves on."""
    for path in sorted(FIXTURES.rglob("*.pdf")):
        try:
            pdf = pdfium.PdfDocument(path)
        except pdfium.PdfiumError:
            continue
        try:
            for index in range(len(pdf)):
                try:
                    page = pdf[index]
                except pdfium.PdfiumError:
                    continue
                try:
                    yield path, index, page
                finally:
                    page.close()
        finally:
            pdf.close()
