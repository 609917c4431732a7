"""Builders of hostile files for the isolation tests: small code, built at test time, never stored."""
from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

CORPUS = Path(__file__).resolve().parents[2] / "fixtures" / "corpus"
TEXT_PDF = CORPUS / "pdf_text" / "sf__pdflatex-4-pages.pdf"


def deflate_zeros(total: int, *, chunk: int = 1 << 20) -> bytes:
    """A zlib stream that inflates to `total` zero bytes (~1 KB per MB), without building the zeros.

    After a full flush, zlib's output for the same input chunk repeats, so one block is repeated.
    """
    c = zlib.compressobj(9)
    zeros = bytes(chunk)
    head = c.compress(zeros) + c.flush(zlib.Z_FULL_FLUSH)
    block = c.compress(zeros) + c.flush(zlib.Z_FULL_FLUSH)
    adler = ((total % 65521) << 16) | 1  # Adler-32 of `total` zero bytes
    return head + block * (total // chunk - 1) + b"\x03\x00" + struct.pack(">I", adler)


def pdf_file(objects: list[bytes]) -> bytes:
    """A PDF whose object 1 is the catalog, with a correct cross-reference table."""
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def flate_bomb_pdf(gigabytes: int = 2) -> bytes:
    """One page whose content stream (Flate inside Flate) inflates to `gigabytes` GB of zeros; ~4 KB."""
    stream = zlib.compress(deflate_zeros(gigabytes << 30), 9)
    return pdf_file([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
        b"<< /Length %d /Filter [/FlateDecode /FlateDecode] >>\nstream\n%s\nendstream" % (len(stream), stream),
    ])


def text_pdf(text: str, *, pages: int = 1) -> bytes:
    """`pages` pages sharing one content stream that shows `text`."""
    first = 4
    kids = b" ".join(b"%d 0 R" % (first + i) for i in range(pages))
    content = b"BT /F1 12 Tf 72 720 Td (%s) Tj ET" % text.encode("latin-1")
    page = (b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 3 0 R"
            b" /Resources << /Font << /F1 %d 0 R >> >> >>" % (first + pages))
    return pdf_file([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, pages),
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
        *([page] * pages),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ])


def png_header(width: int, height: int) -> bytes:
    """A PNG that declares `width` x `height` grey pixels (one tiny IDAT; refused before decoding)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00")) + chunk(b"IEND", b"")


def js_and_attachment_pdf() -> bytes:
    """A text PDF with document JavaScript, a JavaScript open action and an embedded text file."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.actions import JavaScript
    from pypdf.generic import DictionaryObject, NameObject, TextStringObject

    writer = PdfWriter(clone_from=PdfReader(TEXT_PDF))
    writer.add_open_action(JavaScript("app.alert('hostile script ran');"))
    writer.root_object[NameObject("/OpenAction")] = DictionaryObject({
        NameObject("/S"): NameObject("/JavaScript"),
        NameObject("/JS"): TextStringObject("app.launchURL('http://127.0.0.1:9/');"),
    })
    writer.add_attachment("statement.txt", b"Embedded statement of work, signed by the customer.\n")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def jpeg_pdf_polyglot() -> bytes:
    """A real JPEG (text on white) carrying a whole PDF in a comment segment near its start."""
    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("L", (900, 160), 255)
    ImageDraw.Draw(image).text((20, 50), "Statement of work accepted", fill=0, font=ImageFont.load_default(40))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=95, dpi=(300, 300))
    jpeg = out.getvalue()
    pdf = text_pdf("A PDF hiding inside a JPEG")
    comment = b"\xff\xfe" + struct.pack(">H", len(pdf) + 2) + pdf
    return jpeg[:2] + comment + jpeg[2:]


def nested_msg(depth: int) -> bytes:
    """A corpus .msg wrapped in `depth - 1` further messages, each attaching the one inside."""
    from aspose.email_foss.msg import MapiMessage

    inner = MapiMessage.from_file(CORPUS / "msg" / "hh__msgInMsg.msg")
    for level in range(1, depth):
        outer = MapiMessage.create(f"Forwarded, level {level}", "See the attached message.")
        outer.add_embedded_message_attachment(inner)
        inner = outer
    return inner.to_bytes()


def msg_with_attachments(count: int) -> bytes:
    """A corpus .msg with `count` more small text attachments."""
    from aspose.email_foss.msg import MapiMessage

    message = MapiMessage.from_file(CORPUS / "msg" / "hh__msgInMsg.msg")
    for i in range(count):
        message.add_attachment(f"note-{i}.txt", b"Attachment %d of a long thread.\n" % i)
    return message.to_bytes()
