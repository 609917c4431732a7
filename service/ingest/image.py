"""Image files (PNG, JPEG, multi-page TIFF, ...): every frame is a page read by OCR."""

from __future__ import annotations

import io
import warnings as pywarnings

from PIL import Image, ImageOps, UnidentifiedImageError

from models.document import Part
from service.errors import ImageBomb, MalformedDocument
from service.ingest.context import IngestContext
from service.ingest.pages import ocr_job

_DECODE_ERRORS = (OSError, ValueError, SyntaxError, EOFError, Image.DecompressionBombError)


def ingest_image(data: bytes, *, file: str, ctx: IngestContext, depth: int) -> None:
    """Add one OCR'd part per frame; the pixel count is checked from the header before decoding (`depth` is
    unused: an image holds no attachments)."""
    max_pixels = ctx.settings.max_pixels
    Image.MAX_IMAGE_PIXELS = max_pixels
    try:
        with pywarnings.catch_warnings():
            pywarnings.simplefilter("ignore", Image.DecompressionBombWarning)
            img = Image.open(io.BytesIO(data))
    except Image.DecompressionBombError as exc:
        raise ImageBomb(f"{file}: image is larger than {max_pixels:,} pixels.") from exc
    except (UnidentifiedImageError, *_DECODE_ERRORS) as exc:
        raise MalformedDocument(f"{file}: the image cannot be decoded ({type(exc).__name__}).") from exc
    with img:
        frames = getattr(img, "n_frames", 1)
        ctx.reserve_pages(frames, file=file)
        for index in range(frames):
            page = index + 1
            try:
                img.seek(index)
                width, height = img.size
                if width * height > max_pixels:
                    raise ImageBomb(
                        f"{file}: page {page} is {width}x{height} pixels, more than {max_pixels:,}."
                    )
                frame = ImageOps.exif_transpose(img) if index == 0 else img.copy()
                frame.load()
            except _DECODE_ERRORS as exc:
                if frames == 1:
                    raise MalformedDocument(
                        f"{file}: the image cannot be decoded ({type(exc).__name__})."
                    ) from exc
                ctx.add_page(
                    Part(
                        kind="image_page",
                        path=f"{file} > page {page}",
                        file=file,
                        page=page,
                        source="none",
                        warnings=[f"page {page}: cannot be decoded"],
                    )
                )
                continue
            dpi = _dpi(img)
            job = ocr_job(
                frame, kind="image_page", file=file, page=page, dpi=dpi, timeout=ctx.settings.ocr_timeout_s,
                view=ctx.settings.page_images,
            )
            ctx.add_page(ctx.ocr.submit(job))


def _dpi(img: Image.Image) -> int | None:
    dpi = img.info.get("dpi")
    try:
        return round(float(dpi[0])) if dpi else None
    except (TypeError, ValueError, IndexError):
        return None
