"""Ingestion: any uploaded file (PDF, image, .msg, .eml, .docx) to a Document of parts with text.

Type is detected from content. Whole-file failures raise typed errors from service.errors;
page and attachment failures become warnings on the Document or Part.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from models.document import Document
from service.config import Settings
from service.errors import DocumentTooLarge, EmptyFile, FileMissing

__all__ = ["ingest_bytes", "ingest_path"]


def ingest_path(path: Path, *, settings: Settings, display_name: str | None = None) -> Document:
    """Read and ingest a file from disk; `display_name` replaces its name in part paths."""
    name = display_name or path.name
    try:
        size = path.stat().st_size
        if size > settings.max_file_bytes:
            raise DocumentTooLarge(_too_large(name, settings))
        data = path.read_bytes()
    except (FileNotFoundError, IsADirectoryError, PermissionError) as exc:
        why = {FileNotFoundError: "no such file", IsADirectoryError: "it is a folder, not a file",
               PermissionError: "permission denied"}[type(exc)]
        raise FileMissing(f"{name}: cannot read the file: {why}.") from exc
    return ingest_bytes(data, name, settings=settings)


def ingest_bytes(data: bytes, filename: str, *, settings: Settings) -> Document:
    """Ingest an uploaded file's bytes into a Document (parts in document order)."""
    from service.ingest import detect
    from service.ingest.context import IngestContext
    from service.ingest.dispatch import ingest_data, unsupported
    from service.ingest.ocr import OcrRunner
    from service.ingest.page_view import with_drawn_pages

    if not data.strip(b"\x00 \t\r\n"):
        raise EmptyFile(f"{filename} is empty.")
    if len(data) > settings.max_file_bytes:
        raise DocumentTooLarge(_too_large(filename, settings))
    media_type = detect.detect_type(data)
    if media_type not in detect.SUPPORTED:
        raise unsupported(data, file=filename, media_type=media_type)
    ctx = IngestContext(settings=settings, ocr=OcrRunner(settings.ocr_workers))
    try:
        ingest_data(data, media_type=media_type, file=filename, ctx=ctx, depth=0)
        parts = ctx.resolved_parts()
        if settings.page_images:
            parts = with_drawn_pages(parts)
    finally:
        ctx.ocr.close()
    return Document(
        sha256=hashlib.sha256(data).hexdigest(),
        filename=filename,
        media_type=media_type,
        size=len(data),
        parts=parts,
        warnings=ctx.warnings,
        signatures=ctx.signatures,
    )


def _too_large(name: str, settings: Settings) -> str:
    return f"{name} is larger than {settings.max_file_bytes // (1024 * 1024)} MB; upload a smaller file."
