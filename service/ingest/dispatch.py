"""Routing bytes to the reader for their detected type; attachments fail softly, with a warning."""

from __future__ import annotations

import logging

from models.document import Part
from service.errors import (
    MalformedDocument,
    NestingTooDeep,
    OcrUnavailable,
    ParserMemory,
    PoecheckError,
    TooManyPages,
    TrustRootsError,
    UnsupportedFileType,
)
from service.ingest import detect
from service.ingest.context import IngestContext

log = logging.getLogger(__name__)

# Limits that protect the service stop the whole upload; other attachment failures are warnings.
FATAL = (NestingTooDeep, TooManyPages, OcrUnavailable, TrustRootsError, ParserMemory)


def ingest_data(data: bytes, *, media_type: str, file: str, ctx: IngestContext, depth: int) -> None:
    """Add the parts of `data` (already detected as `media_type`) to the context."""
    try:
        if media_type == detect.PDF:
            from service.ingest.pdf import ingest_pdf

            ingest_pdf(data, file=file, ctx=ctx, depth=depth)
        elif media_type in detect.IMAGE_TYPES:
            from service.ingest.image import ingest_image

            ingest_image(data, file=file, ctx=ctx)
        elif media_type == detect.MSG:
            from service.ingest.msg import ingest_msg

            ctx.check_depth(depth + detect.msg_nesting(data), file=file)
            ingest_msg(data, file=file, ctx=ctx, depth=depth)
        elif media_type == detect.EML:
            from service.ingest.eml import ingest_eml

            ingest_eml(data, file=file, ctx=ctx, depth=depth)
        elif media_type == detect.DOCX:
            from service.ingest.docx import ingest_docx

            ingest_docx(data, file=file, ctx=ctx, depth=depth)
        else:
            raise unsupported(data, file=file, media_type=media_type)
    except PoecheckError:
        raise
    except RecursionError as exc:
        raise MalformedDocument(f"{file}: the file's structure is nested too deeply to read.") from exc
    except MemoryError as exc:  # the reader's address-space cap (service.isolation) was reached
        raise ParserMemory.over(file, ctx.settings.parse_memory_mb) from exc
    except Exception as exc:  # a parser choking on hostile input must not crash the service
        log.warning("reader failed on %s: %s", media_type, type(exc).__name__, exc_info=True)
        raise MalformedDocument(
            f"{file}: the file is damaged and cannot be read ({type(exc).__name__})."
        ) from exc


def unsupported(data: bytes, *, file: str, media_type: str | None) -> PoecheckError:
    """The error for content we do not read: malformed when the name claims a supported type."""
    name = file.rsplit(" > ", 1)[-1]
    claimed = detect.type_from_name(name)
    if claimed is not None and (media_type is None or (claimed, media_type) == (detect.DOCX, detect.ZIP)):
        return MalformedDocument(f"{file}: the content is not a valid {name.rsplit('.', 1)[-1].upper()} file.")
    what = {detect.ZIP: "a ZIP/Office file", detect.OLE: "an Office 97-2003 file"}.get(media_type or "", "")
    kind = f" ({what})" if what else ""
    return UnsupportedFileType(f"{file}: unsupported file type{kind}; upload {detect.ACCEPTED}.")


def ingest_attachment(data: bytes, name: str, *, parent: str, ctx: IngestContext, depth: int) -> None:
    """Ingest an attachment; a bad or unsupported one becomes a stub part with a warning."""
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
        media_type = detect.detect_type(data)
        if media_type is None and detect.looks_like_text(data):
            text = data.decode("utf-8", "replace").replace("\r\n", "\n")
            ctx.parts.append(Part(kind="attachment", path=file, file=file, text=text, source="text_layer"))
            return
        ingest_data(data, media_type=media_type or "", file=file, ctx=ctx, depth=depth)
    except FATAL:
        raise
    except PoecheckError as exc:
        attachment_failed(exc, file=file, ctx=ctx)


def attachment_failed(exc: PoecheckError, *, file: str, ctx: IngestContext) -> None:
    """Record an attachment that could not be read: a stub part and a document warning."""
    message = exc.message.removeprefix(f"{file}: ").removeprefix(f"{file} ")
    note = f"{exc.code}: {message}"
    ctx.warnings.append(f"{file}: {note}")
    ctx.parts.append(Part(kind="attachment", path=file, file=file, source="none", warnings=[note]))
