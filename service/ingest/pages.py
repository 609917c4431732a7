"""Turning a page image into a Part through OCR; OCR failures become page warnings."""

from __future__ import annotations

import logging
from collections.abc import Callable

from PIL import Image

from models.document import Part, PartKind
from service.errors import OcrFailed, OcrTimeout
from service.ingest.ocr import OcrResult, ocr_image, to_ocr_mode, upright
from service.ingest.page_view import scan_image

log = logging.getLogger(__name__)


def page_path(file: str, page: int) -> str:
    return f"{file} > page {page}"


def ocr_job(
    image: Image.Image,
    *,
    kind: PartKind,
    file: str,
    page: int,
    dpi: int | None,
    timeout: float,
    fallback_text: str = "",
    warnings: tuple[str, ...] = (),
    view: bool = False,
) -> Callable[[], Part]:
    """A job for OcrRunner that OCRs `image` and returns its Part (warnings, not errors, on failure);
    `view`: with the page image as OCR read it (service.ingest.page_view)."""

    def run() -> Part:
        common = {"kind": kind, "path": page_path(file, page), "file": file, "page": page, "has_image": True}
        try:
            result = ocr_image(image, dpi=dpi, timeout=timeout)
        except (OcrTimeout, OcrFailed) as exc:
            log.warning("OCR failed on %s page %d: %s", file, page, exc.code)
            return Part(
                **common,
                text=fallback_text,
                source="text_layer" if fallback_text else "none",
                width=image.width,
                height=image.height,
                warnings=[*warnings, f"page {page}: {exc.code}: {exc.message}"],
                images=(scan_image(to_ocr_mode(image), (), ""),) if view else (),
            )
        notes = list(warnings)
        if result.rotated:
            notes.append(f"page {page}: rotated {result.rotated}° to read it")
        read = upright(to_ocr_mode(image), result.rotated)  # the image the word boxes are on
        if _alnum(fallback_text) > _alnum(result.text):
            return Part(
                **common,
                text=fallback_text,
                source="text_layer",
                width=result.width,
                height=result.height,
                warnings=notes,
                images=(scan_image(read, result.words, result.text, offsets=False),) if view else (),
            )
        return Part(
            **common,
            text=result.text,
            source="ocr",
            ocr_confidence=result.confidence,
            width=result.width,
            height=result.height,
            warnings=notes,
            ink_marks=_ink_marks(read, result, page, notes),
            images=(scan_image(read, result.words, result.text),) if view else (),
        )

    return run


def _ink_marks(read: Image.Image, result: OcrResult, page: int, notes: list[str]):
    """Handwriting on the scanned page (`read`: as OCR read it, which the word boxes are on): in its signature
    areas (when the text shows a block) and anywhere."""
    # scipy (about 0.7 s) only for a page that may hold a signature
    from service.ingest import ink
    from service.ingest.marks import find_marks

    def measure() -> list:
        marks = ink.page_marks(result.text, result.words, read, scanned=True) \
            if ink.has_signature_anchor(result.text) else []
        return marks + find_marks(result.text, result.words, read, scanned=True)

    return ink.guarded(measure, page=page, warnings=notes)


def _alnum(text: str) -> int:
    return sum(c.isalnum() for c in text)
