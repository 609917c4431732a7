"""PDF files: the text layer per page (pypdfium2); empty or junk pages are rendered and OCR'd."""

from __future__ import annotations

import logging
import math
import re
from functools import lru_cache

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from models.document import Part
from service.errors import EncryptedDocument, MalformedDocument, TrustRootsError
from service.ingest.context import IngestContext
from service.ingest.ink import PageWords
from service.ingest.ocr_render import render_grey
from service.ingest.page_view import pdf_page_images
from service.ingest.pages import ocr_job, page_path
from service.ingest.pdf_annotations import AnnotationReader
from service.ingest.pdf_drawn import drawn_boxes
from service.ingest.pdf_limits import check_pdf_content

log = logging.getLogger(__name__)

MIN_TEXT_CHARS = 20  # fewer letters/digits than this on a page with an image: OCR it
# Junk in a text layer: U+FFFD, private-use characters, surrogates and controls other than line and page breaks
_JUNK = re.compile("[\ufffd\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\ue000-\uf8ff\ud800-\udfff"
                   "\U000f0000-\U000ffffd\U00100000-\U0010fffd]")


def ingest_pdf(data: bytes, *, file: str, ctx: IngestContext, depth: int) -> None:
    """Add one part per page (and one for its annotations and form fields, if they show text), then
    ingest embedded files and validate digital signatures."""
    pdf = _open(data, file=file)
    try:
        count = len(pdf)
        if count == 0:
            raise MalformedDocument(f"{file}: the PDF has no readable pages.")
        ctx.reserve_pages(count, file=file)
        checked = check_pdf_content(data, file=file, settings=ctx.settings)
        annotations = AnnotationReader(data, file=file, pages=count, reader=checked)
        for index in range(count):
            _ingest_page(pdf, index, file=file, ctx=ctx)
            annotations.append_part(index, ctx=ctx)
        embedded = _embedded_files(pdf, file=file, ctx=ctx)
    finally:
        pdf.close()
    for name, payload in embedded:
        ctx.attach(payload, name, parent=file, depth=depth + 1)
    if b"/ByteRange" in data or b"/Sig" in data:
        _validate_signatures(data, file=file, ctx=ctx)


def text_is_usable(text: str) -> bool:
    """True when a text layer has enough real characters and little junk (private-use, controls)."""
    if not _has_alnum(text, 3):
        return False
    return _JUNK.search(text) is None or len(_JUNK.findall(text)) * 5 < len(text)


def _has_alnum(text: str, count: int) -> bool:
    """`text` holds at least `count` letters or digits (str.isalnum), found without reading further."""
    return _alnum_run(count).match(text) is not None


@lru_cache(maxsize=4)
def _alnum_run(count: int) -> re.Pattern:
    return re.compile(rf"(?:[\W_]*[^\W_]){{{count}}}")  # [^\W_] is exactly str.isalnum


def _open(data: bytes, *, file: str) -> pdfium.PdfDocument:
    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        if "password" in str(exc).lower() or "security" in str(exc).lower():
            raise EncryptedDocument(
                f"{file} is password-protected; upload a copy without a password."
            ) from exc
        raise MalformedDocument(f"{file}: the PDF is damaged and cannot be read ({exc}).") from exc


def _ingest_page(pdf: pdfium.PdfDocument, index: int, *, file: str, ctx: IngestContext) -> None:
    number = index + 1
    warnings: list[str] = []
    try:
        page = pdf[index]
    except pdfium.PdfiumError as exc:
        ctx.add_page(_page_part(file, number, f"page {number}: cannot be read ({exc})"))
        return
    textpage = None
    try:
        textpage, text = _page_text(page, number, warnings)
        objects = pdfium_c.FPDFPage_CountObjects(page.raw)
        if text_is_usable(text) and (_has_alnum(text, MIN_TEXT_CHARS) or not _has_image(page)):
            words = PageWords(textpage) if textpage is not None else None  # read once, for the ink and the image
            marks = _ink_marks(page, text, number, warnings, textpage=textpage, words=words)
            ctx.add_page(_page_part(file, number, *warnings, text=text, source="text_layer", ink_marks=marks,
                                    images=pdf_page_images(page, text, enabled=ctx.settings.page_images,
                                                           index=index, count=len(pdf), words=words)))
            return
        if objects <= 0:
            ctx.add_page(_page_part(file, number, *warnings, text=text.strip()))
            return
        image, dpi = _render(page, number, ctx=ctx, warnings=warnings)
    finally:
        if textpage is not None:
            textpage.close()
        page.close()
    if image is None:
        ctx.add_page(_page_part(file, number, *warnings))
        return
    fallback = text.strip() if text_is_usable(text) else ""
    job = ocr_job(
        image,
        kind="pdf_page",
        file=file,
        page=number,
        dpi=dpi,
        timeout=ctx.settings.ocr_timeout_s,
        fallback_text=fallback,
        warnings=tuple(warnings),
        view=ctx.settings.page_images,
    )
    ctx.add_page(ctx.ocr.submit(job))


def _page_text(page: pdfium.PdfPage, number: int, warnings: list[str]) -> tuple[pdfium.PdfTextPage | None, str]:
    """The page's open text page (the caller closes it; None if unreadable) and its text, cleaned."""
    try:
        textpage = page.get_textpage()
    except pdfium.PdfiumError as exc:
        warnings.append(f"page {number}: text layer cannot be read ({exc})")
        return None, ""
    try:
        text = textpage.get_text_range()
    except BaseException:
        textpage.close()
        raise
    return textpage, text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")


def _ink_marks(page: pdfium.PdfPage, text: str, number: int, warnings: list[str], *,
               textpage: pdfium.PdfTextPage | None, words: PageWords | None = None):
    """Handwriting on the page: next to its signature labels, and anywhere it draws images or paths (a
    signature is never text). None when neither applies (nothing rendered)."""
    from service.ingest import ink  # the ink measures (scipy) only for a page that may hold a signature

    labels, drawn = ink.has_signature_label(text), drawn_boxes(page)
    if not labels and not drawn.boxes:
        return None
    return ink.guarded(lambda: ink.text_layer_marks(page, text, labels=labels, anywhere=drawn.boxes, plain=drawn.plain,
                                                    textpage=textpage, words=words),
                       page=number, warnings=warnings)


def _has_image(page: pdfium.PdfPage) -> bool:
    return any(True for _ in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=2))


def _render(page: pdfium.PdfPage, number: int, *, ctx: IngestContext, warnings: list[str]):
    """Render at Settings.ocr_dpi, lowering the resolution so the page stays within max_pixels."""
    width, height = page.get_size()
    dpi = float(ctx.settings.ocr_dpi)
    pixels = width * height * (dpi / 72) ** 2
    if pixels > ctx.settings.max_pixels:
        dpi = 72 * math.sqrt(ctx.settings.max_pixels / (width * height)) * 0.999  # rounding margin
        warnings.append(f"page {number}: very large page rendered at {dpi:.0f} dpi for OCR")
    try:
        image = render_grey(page, scale=dpi / 72)
    except pdfium.PdfiumError as exc:
        warnings.append(f"page {number}: cannot be rendered ({exc})")
        return None, None
    return image, round(dpi)


def _embedded_files(pdf: pdfium.PdfDocument, *, file: str, ctx: IngestContext) -> list[tuple[str, bytes]]:
    found: list[tuple[str, bytes]] = []
    for index in range(pdf.count_attachments()):
        try:
            attachment = pdf.get_attachment(index)
            found.append((attachment.get_name() or f"attachment {index + 1}", bytes(attachment.get_data())))
        except pdfium.PdfiumError as exc:
            ctx.warnings.append(f"{file}: embedded file {index + 1} cannot be read ({exc})")
    return found


def _validate_signatures(data: bytes, *, file: str, ctx: IngestContext) -> None:
    try:
        from service.ingest.pdf_signatures import validate_signatures  # pyHanko (about 1 s): only signed PDFs

        ctx.signatures.extend(validate_signatures(data, file=file, trust_roots=ctx.settings.trust_roots))
    except TrustRootsError:
        raise  # a configuration fault: every signed PDF would be misjudged, so stop
    except Exception as exc:  # noqa: BLE001 (validation must never cost the document its text)
        log.warning("signature validation failed for a PDF: %s", type(exc).__name__)
        ctx.warnings.append(f"{file}: digital signatures could not be validated ({type(exc).__name__})")


def _page_part(file: str, number: int, *warnings: str, text: str = "", source: str = "none",
               ink_marks: list | None = None, images: tuple = ()) -> Part:
    return Part(kind="pdf_page", path=page_path(file, number), file=file, page=number, text=text, source=source,
                warnings=list(warnings), ink_marks=ink_marks, images=images)
