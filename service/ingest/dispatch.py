"""Reading a file's bytes with the reader of its detected type (service.ingest.registry); attachments fail
softly, with a warning."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from pathlib import Path

from checks.unexpected import log_unexpected
from models.document import Document, Part
from service.config import Settings
from service.errors import (
    DocumentTooLarge,
    EmptyFile,
    FileMissing,
    MalformedDocument,
    ParserMemory,
    PoecheckError,
)
from service.ingest import detect, registry
from service.ingest.context import FATAL, IngestContext
from service.ingest.ocr import OcrRunner
from service.ingest.page_view import with_drawn_pages

log = logging.getLogger(__name__)


def ingest_path(path: Path, *, settings: Settings, display_name: str | None = None,
                on_page: Callable[[int, int], None] | None = None) -> Document:
    """Read a file from disk in this process (see ingest_bytes); `display_name` replaces its name in part paths."""
    name = display_name or path.name
    try:
        size = path.stat().st_size
        if size > settings.max_file_bytes:
            raise DocumentTooLarge(too_large(name, settings))
        data = path.read_bytes()
    except (FileNotFoundError, IsADirectoryError, PermissionError) as exc:
        why = {FileNotFoundError: "no such file", IsADirectoryError: "it is a folder, not a file",
               PermissionError: "permission denied"}[type(exc)]
        raise FileMissing(f"{name}: cannot read the file: {why}.") from exc
    return ingest_bytes(data, name, settings=settings, on_page=on_page)


def ingest_bytes(data: bytes, filename: str, *, settings: Settings,
                 on_page: Callable[[int, int], None] | None = None) -> Document:
    """A Document of `data`'s parts (in document order), read in this process with no memory or time limits:
    only the isolated reader (service.isolation), fuzzing and the readers' tests call this; everyone else
    reads with service.reading.read_document. `on_page` is told (pages read, pages) of the file as it is read
    (IngestContext.on_page)."""
    if not data.strip(b"\x00 \t\r\n"):
        raise EmptyFile(f"{filename} is empty.")
    if len(data) > settings.max_file_bytes:
        raise DocumentTooLarge(too_large(filename, settings))
    media_type = registry.detect_type(data)
    if media_type not in registry.SUPPORTED:
        raise registry.unsupported(data, file=filename, media_type=media_type)
    ctx = IngestContext(settings=settings, ocr=OcrRunner(settings.ocr_workers), dispatch=ingest_attachment,
                        on_page=on_page, upload=filename)
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


def too_large(name: str, settings: Settings) -> str:
    return f"{name} is larger than {settings.max_file_bytes // (1024 * 1024)} MB; upload a smaller file."


def ingest_data(data: bytes, *, media_type: str, file: str, ctx: IngestContext, depth: int) -> None:
    """Add the parts of `data` (already detected as `media_type`) to the context."""
    reader = registry.reader_for(media_type)
    if reader is None:
        raise registry.unsupported(data, file=file, media_type=media_type)
    try:
        reader.read(data, file=file, ctx=ctx, depth=depth)
    except PoecheckError:
        raise
    except RecursionError as exc:
        raise MalformedDocument(f"{file}: the file's structure is nested too deeply to read.") from exc
    except MemoryError as exc:  # the reader's address-space cap (service.isolation) was reached
        raise ParserMemory.over(file, ctx.settings.parse_memory_mb) from exc
    except Exception as exc:  # a parser choking on hostile input must not crash the service
        log_unexpected(log, exc, f"{reader.label} reader failed", level=logging.WARNING)
        raise MalformedDocument(
            f"{file}: the file is damaged and cannot be read ({type(exc).__name__})."
        ) from exc


def ingest_attachment(data: bytes, name: str, *, parent: str, ctx: IngestContext, depth: int) -> None:
    """Read an attachment (IngestContext.attach); a bad or unsupported one becomes a stub part with a warning."""
    file = f"{parent} > {name}"
    ctx.check_depth(depth, file=file)
    ctx.attachments += 1
    if ctx.attachments > ctx.settings.max_attachments:
        if ctx.attachments == ctx.settings.max_attachments + 1:
            ctx.warnings.append(
                f"{parent}: more than {ctx.settings.max_attachments} attachments; the rest skipped"
            )
        return
    try:
        if not data:
            raise MalformedDocument(f"{file}: the attachment is empty.")
        media_type = registry.detect_type(data)
        if media_type is None and detect.looks_like_text(data):
            text = data.decode("utf-8", "replace").replace("\r\n", "\n")
            ctx.parts.append(Part(kind="attachment", path=file, file=file, text=text, source="text_layer"))
            return
        ingest_data(data, media_type=media_type or "", file=file, ctx=ctx, depth=depth)
    except FATAL:
        raise
    except PoecheckError as exc:
        ctx.attachment_failed(exc, file=file)
