"""Builders of documents that cost the checks a lot of CPU (issue 15, item 3): built at test time."""
from __future__ import annotations

import zlib

from models import Document, Part
from tests.ingest.hostile import pdf_file

UNIT = "Deployed Microsoft Defender for Endpoint to 250 devices and 300 users "  # no sentence end, ever


def endless_text(chars: int) -> str:
    """`chars` characters of one sentence that never ends, full of user counts and activities."""
    return (UNIT * (chars // len(UNIT) + 1))[:chars]


def hostile_document(*, pages: int, chars: int) -> Document:
    """A parsed document of `pages` pages of `chars` characters of endless_text each."""
    text = endless_text(chars)
    parts = [Part(kind="pdf_page", path=f"big.pdf > page {n}", file="big.pdf", page=n, text=text,
                  source="text_layer") for n in range(1, pages + 1)]
    return Document(sha256="0" * 64, filename="big.pdf", media_type="application/pdf", size=40_000, parts=parts)


def many_pages_one_stream(*, pages: int = 200, chars: int = 30_000) -> bytes:
    """The issue's PDF: `pages` pages sharing one compressed content stream of endless_text (~30 KB)."""
    content = zlib.compress(b"BT /F1 10 Tf 72 720 Td (%s) Tj ET" % endless_text(chars).encode("latin-1"), 9)
    kids = b" ".join(b"%d 0 R" % (4 + i) for i in range(pages))
    page = (b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 3 0 R"
            b" /Resources << /Font << /F1 %d 0 R >> >> >>" % (4 + pages))
    return pdf_file([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, pages),
                     b"<< /Length %d /Filter /FlateDecode >>\nstream\n%s\nendstream" % (len(content), content),
                     *([page] * pages), b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"])
